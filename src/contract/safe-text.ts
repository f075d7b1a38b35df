/**
 * Text that came from somewhere we do not control (a provider's return
 * value, a field name in a scenario file, a file name), made fit for a
 * one-line message: control characters and line breaks escaped as in JSON,
 * the whole cut to a bounded length with an ellipsis.
 */

/** Longest rendering, in characters, before it is cut. */
export const MAX_SHOWN = 60;

// Every C0 and C1 control character, DEL, and the Unicode line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/** `text` on one line (control characters escaped), at most `max` characters (cut with "..."). */
export function oneLine(text: string, max = MAX_SHOWN): string {
  const safe = text.replace(UNSAFE, escapeChar);
  return safe.length > max ? `${safe.slice(0, Math.max(0, max - 3))}...` : safe;
}

/**
 * A JavaScript value as a short, one-line, JSON-like text: `"text"`, `NaN`,
 * `undefined`, `1.5`, `12n`, `{"a":1}`, `a function`. Never throws, never
 * calls the value's own methods except through JSON.stringify (a toJSON or
 * getter that throws gives `an object`).
 */
export function renderValue(value: unknown, max = MAX_SHOWN): string {
  switch (typeof value) {
    case 'undefined': return 'undefined';
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint': return oneLine(`${value}n`, max);
    case 'boolean': return String(value);
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    case 'string': return oneLine(JSON.stringify(value), max);
    default: break;
  }
  if (value === null) return 'null';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') return Array.isArray(value) ? 'an array' : 'an object';
  return oneLine(text, max);
}

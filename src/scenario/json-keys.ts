/**
 * A scenario file's text to JSON, and what JSON.parse lets through: keys
 * given twice, and nesting too deep for the worker threads.
 *
 * Duplicate keys: JSON.parse keeps the last of two equal
 * keys without a word (and a reviver never sees the first), so after the
 * text parsed we scan it once more, token by token, keeping one set of keys
 * per open object. The text is known to be valid JSON here, which keeps the
 * scanner small: strings, brackets, commas and colons are all it needs to
 * tell apart. No recursion: any depth of nesting is fine.
 */
import { BadInput } from '../contract/bad-input.js';
import { formatPath } from './schema.js';

/**
 * Parses a scenario file's text: invalid JSON, and a key given twice in one
 * object (JSON.parse would keep the last silently), are BadInput.
 */
export function parseJson(text: string, file: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadInput(file, null, `invalid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const dup = findDuplicateKey(text);
  if (dup) throw new BadInput(file, formatPath([...dup.path, dup.key]), 'duplicate key (given more than once in the same object)');
  return json;
}

/** Where a key is given twice: the path of the object it is in, and the key. */
export interface DuplicateKey {
  path: (string | number)[];
  key: string;
}

interface ObjectFrame { keys: Set<string>; key: string | null; expectKey: boolean }
interface ArrayFrame { index: number }
type Frame = ObjectFrame | ArrayFrame;

const isObject = (f: Frame | undefined): f is ObjectFrame => f !== undefined && 'keys' in f;

/** The end (exclusive) of the JSON string starting at `start` (a quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) return i + 1;
    i += c === 0x5c /* \ */ ? 2 : 1;
  }
}

function pathOf(stack: Frame[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 0; i < stack.length - 1; i++) {
    const f = stack[i]!;
    path.push(isObject(f) ? (f.key as string) : f.index);
  }
  return path;
}

/** The first key given twice in one object of `text` (valid JSON), or null. */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (isObject(top) && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) return { path: pathOf(stack), key };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === '{') stack.push({ keys: new Set(), key: null, expectKey: true });
    else if (c === '[') stack.push({ index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      if (isObject(top)) top.expectKey = true;
      else if (top !== undefined) top.index++;
    }
    i++;
  }
  return null;
}

/** Deepest nesting a scenario may have (deeper values could not be handed to the worker threads). */
export const MAX_NESTING = 64;

/**
 * The path of the first value nested more than `max` arrays or objects deep,
 * or null. Iterative (no recursion), and stops at the limit, so a cyclic
 * object from a script ends too.
 */
export function tooDeep(value: unknown, max = MAX_NESTING): (string | number)[] | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { v, path } = item;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= max) return path;
    if (Array.isArray(v)) v.forEach((child, i) => stack.push({ v: child, path: [...path, i] }));
    else for (const [k, child] of Object.entries(v)) stack.push({ v: child, path: [...path, k] });
  }
  return null;
}

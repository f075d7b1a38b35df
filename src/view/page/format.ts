/** How the page writes events, numbers and results. */
import type { TraceEvent } from './types.js';

export const fmt = (n: number): string => n.toLocaleString('en-US');

/** The fields every event has, shown in the head of its line rather than after it. */
const HEAD = new Set(['seq', 't', 'cpu', 'irql', 'event']);

export const laneName = (cpu: number): string => (cpu === -1 ? 'epoch manager' : `CPU ${cpu}`);

/** A field's value as text: flags without their common prefix, arrays joined. */
export function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => String(x).replace('EBPF_MAP_OPERATION_', '')).join(' | ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** `#38 CPU 0 PASSIVE op_begin op=update map=m key=01000000`: one event as one line. */
export function eventLine(e: TraceEvent): string {
  const rest = Object.entries(e).filter(([k]) => !HEAD.has(k) && k !== 'dur')
    .map(([k, v]) => `${k}=${valueText(v)}`).join(' ');
  return `#${e.seq} ${laneName(e.cpu)} ${e.irql} ${e.event}${rest ? ` ${rest}` : ''}`;
}

/** The fields of an event after its head, in trace order. */
export const fieldsOf = (e: TraceEvent): Array<[string, unknown]> => Object.entries(e).filter(([k]) => !HEAD.has(k));

/** What an operation is called on its span: `update 01000000`, `batch x10`. */
export function opLabel(begin: TraceEvent | null, end: TraceEvent | null): string {
  const e = begin ?? end;
  if (e === null) return '';
  const op = String(e['op'] ?? '');
  if (begin !== null && typeof begin['count'] === 'number') return `${op} x${begin['count']}`;
  const key = typeof e['key'] === 'string' ? ` ${e['key']}` : '';
  return `${op}${key}`;
}

export const shortResult = (r: unknown): string => (typeof r === 'string' ? r.replace(/^EBPF_/, '') : '');

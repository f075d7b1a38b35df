/**
 * Names and args of the Perfetto slices made from trace events: an
 * operation is `op map key` (what a person looks for on a track), with the
 * rest of op_begin's fields as args; a callback keeps its fields, flags
 * joined into one string, with its IRQL and seq.
 */
import type { TraceEvent } from '../trace/decode.js';

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/** `update objects 01000000`, `batch`, `create m`. */
export function opName(e: TraceEvent): string {
  return [str(e['op']) ?? 'op', str(e['map']), str(e['key'])].filter((x) => x !== undefined).join(' ');
}

/** What pairs an op_end with its op_begin on one lane (a next_key begins with the previous key and ends with the next one). */
export const opMatch = (e: TraceEvent): string =>
  `${str(e['op']) ?? ''}|${str(e['map']) ?? ''}|${e['op'] === 'next_key' ? '' : str(e['key']) ?? ''}`;

export function opArgs(e: TraceEvent): Record<string, unknown> {
  const args: Record<string, unknown> = { mode: e['mode'] };
  if (e['option'] !== undefined) args['option'] = e['option'];
  if (e['count'] !== undefined) args['count'] = e['count'];
  return args;
}

/** `EBPF_MAP_OPERATION_UPDATE|...` as `UPDATE|HELPER`; empty as `0`. */
export const shortFlags = (flags: unknown): string =>
  (Array.isArray(flags) && flags.length > 0 ? flags.map((f) => String(f).replace('EBPF_MAP_OPERATION_', '')).join('|') : '0');

export function callbackArgs(e: TraceEvent): Record<string, unknown> {
  const args: Record<string, unknown> = { map: e['map'] };
  if (e['key'] !== undefined) args['key'] = e['key'];
  args['flags'] = shortFlags(e['flags']);
  if (e['result'] !== undefined) args['result'] = e['result'];
  args['inEpoch'] = e['inEpoch'];
  args['bucketLockHeld'] = e['bucketLockHeld'];
  if (e['value'] !== undefined) args['value'] = e['value'];
  args['dur'] = e['dur'];
  args['irql'] = e.irql;
  args['seq'] = e.seq;
  return args;
}

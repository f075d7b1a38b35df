/**
 * Helpers shared by the trace rules: flag and result names, small readers of
 * event fields, per-checker state and per-CPU slots.
 *
 * ALL_RULES is one array of rule objects that every ContractChecker shares
 * (the CLI makes one checker per run, the tests make many), so a rule never
 * keeps run state in its own fields: it keeps it in a PerCheck, one state per
 * CheckContext. The last context used is cached, so the lookup on the hot
 * path is one pointer comparison.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, MapView, OpInFlight } from '../context.js';

export const HELPER = 'EBPF_MAP_OPERATION_HELPER';
export const UPDATE = 'EBPF_MAP_OPERATION_UPDATE';
export const MAP_CLEANUP = 'EBPF_MAP_OPERATION_MAP_CLEANUP';

export const SUCCESS = 'EBPF_SUCCESS';
export const OBJECT_NOT_FOUND = 'EBPF_OBJECT_NOT_FOUND';
export const OPERATION_NOT_SUPPORTED = 'EBPF_OPERATION_NOT_SUPPORTED';

export const PRE_DELETE = 'preprocess_map_delete_element';
export const POST_DELETE = 'postprocess_map_delete_element';

/** The four CRUD operations a program can call through a helper. */
export const CRUD_OPS: ReadonlySet<string> = new Set(['find', 'update', 'delete', 'find_and_delete']);
/** Operations whose delete callback is an explicit delete (flags 0 or HELPER). */
export const DELETE_OPS: ReadonlySet<string> = new Set(['delete', 'find_and_delete']);

const NO_FLAGS: readonly string[] = [];

/** A callback's flags (EBPF_MAP_OPERATION_* names); empty for other events. */
export function flagsOf(e: TraceEvent): readonly string[] {
  const f = e['flags'];
  return Array.isArray(f) ? (f as string[]) : NO_FLAGS;
}

export const hasFlag = (e: TraceEvent, flag: string): boolean => flagsOf(e).includes(flag);

/** The value pointer a delete callback, bucket_unlock or retire names (0 when absent). */
export function valueOf(e: TraceEvent): number {
  const v = e['value'];
  return typeof v === 'number' ? v : 0;
}

export const num = (e: TraceEvent, field: string): number => Number(e[field] ?? 0);
export const str = (e: TraceEvent, field: string): string => String(e[field] ?? '');

/** The map an event names, or undefined. */
export function mapOf(e: TraceEvent): string | undefined {
  const m = e['map'];
  return typeof m === 'string' ? m : undefined;
}

/** The flags of a callback, for messages: "[]" or "[UPDATE|HELPER]". */
export function flagText(e: TraceEvent): string {
  return `[${flagsOf(e).map((f) => f.replace('EBPF_MAP_OPERATION_', '')).join('|')}]`;
}

/** "postprocess_map_delete_element [UPDATE] (#37, map m, key 01000000)", for messages. */
export function describeCallback(e: TraceEvent): string {
  const where = [`#${e.seq}`];
  const map = mapOf(e);
  if (map !== undefined) where.push(`map ${map}`);
  if (e['key'] !== undefined) where.push(`key ${str(e, 'key')}`);
  const value = valueOf(e);
  if (value !== 0) where.push(`value ${value}`);
  return `${e.event} ${flagText(e)} (${where.join(', ')})`;
}

/**
 * What describeCallback reads of a callback event, copied: for a rule that
 * names the event in a message later (while a run goes, `e` is a view the
 * checker fills again).
 */
export function callbackNote(e: TraceEvent): TraceEvent {
  return { seq: e.seq, t: e.t, cpu: e.cpu, irql: e.irql, event: e.event, map: e['map'], key: e['key'], value: e['value'], flags: e['flags'] };
}

/** "update (map m, key 01000000, user)", for messages. */
export function describeOp(op: OpInFlight): string {
  const parts = [op.map !== undefined ? `map ${op.map}` : '', op.key !== undefined ? `key ${op.key}` : '', op.mode];
  return `${op.op} (${parts.filter((p) => p !== '').join(', ')}, begun at #${op.beginSeq})`;
}

/**
 * A delete callback of an explicit delete: inside a delete or
 * find_and_delete operation, without UPDATE or MAP_CLEANUP.
 */
export function isExplicitDelete(e: TraceEvent, op: OpInFlight | null): boolean {
  if (op === null || !DELETE_OPS.has(op.op)) return false;
  const f = flagsOf(e);
  return !f.includes(UPDATE) && !f.includes(MAP_CLEANUP);
}

/** True when the map's creation registered one of the two delete callbacks. */
export function hasDeleteCallback(m: MapView): boolean {
  return m.registered.has(PRE_DELETE) || m.registered.has(POST_DELETE);
}

/** One state object per CheckContext (per checker run). */
export class PerCheck<S> {
  private lastCx: CheckContext | null = null;
  private lastState: S | null = null;
  private readonly states = new WeakMap<CheckContext, S>();

  constructor(private readonly make: () => S) {}

  of(cx: CheckContext): S {
    if (cx === this.lastCx) return this.lastState as S;
    let s = this.states.get(cx);
    if (s === undefined) {
      s = this.make();
      this.states.set(cx, s);
    }
    this.lastCx = cx;
    this.lastState = s;
    return s;
  }

  /** The state of the checker used last (summary() is called without a context). */
  latest(): S | null {
    return this.lastState;
  }
}

/** Per-CPU slots, cpu -1 (the system lane) included. */
export class CpuSlots<T> {
  private readonly slots: Array<T | undefined> = [];

  get(cpu: number): T | undefined {
    return this.slots[cpu + 1];
  }

  set(cpu: number, value: T): void {
    this.slots[cpu + 1] = value;
  }

  delete(cpu: number): void {
    this.slots[cpu + 1] = undefined;
  }
}

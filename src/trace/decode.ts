/**
 * Turns a raw trace record (32 Int32 words from a lane ring) into the JSON
 * Lines object a person reads. Every event has seq, cpu (-1 for the epoch
 * manager's system lane), irql and event; the rest depends on the event.
 */
import { MapFlag, TraceWord } from '../shm/layout.js';
import {
  CALLBACK_NAMES, CORE_OUTCOME_NAMES, CbState, EVENT_NAMES, OpCode, Ev, MODE_NAMES, OPTION_NAMES, OP_NAMES, flagNames, irqlName,
} from './events.js';
import { resultName } from '../runtime/ebpf-result.js';
import { RULES } from '../check/rules.js';
import { tagName } from '../map/tags.js';

export type TraceEvent = Record<string, unknown> & { seq: number; cpu: number; irql: string; event: string };

export interface DecodeContext {
  /** Number of CPUs: lane `cpus` is the system lane, printed as cpu -1. */
  cpus: number;
  mapNames: string[];
  text(lane: number, start: number, length: number): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function keyHex(rec: Int32Array): string {
  const n = rec[TraceWord.KeyLen] as number;
  const words = TraceWord.Key;
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[((rec[words + (i >> 2)] as number) >>> (8 * (i & 3))) & 0xff];
  return s;
}

export function decodeRecord(rec: Int32Array, lane: number, ctx: DecodeContext): TraceEvent {
  const ev = rec[TraceWord.Event] as number;
  const code = rec[TraceWord.Code] as number;
  const base: TraceEvent = {
    seq: rec[TraceWord.Seq] as number,
    cpu: lane === ctx.cpus ? -1 : lane,
    irql: irqlName(rec[TraceWord.Irql] as number),
    event: ev === Ev.Callback ? (CALLBACK_NAMES[code] ?? `callback_${code}`) : (EVENT_NAMES[ev] ?? `event_${ev}`),
  };
  const map = rec[TraceWord.Map] as number;
  if (map >= 0) base['map'] = ctx.mapNames[map] ?? `map${map}`;
  if ((rec[TraceWord.KeyLen] as number) > 0) base['key'] = keyHex(rec);
  Object.assign(base, details(ev, code, rec, lane, ctx));
  return base;
}

function details(ev: number, code: number, rec: Int32Array, lane: number, ctx: DecodeContext): Record<string, unknown> {
  const a = rec[TraceWord.A] as number;
  const b = rec[TraceWord.B] as number;
  const c = rec[TraceWord.C] as number;
  const result = rec[TraceWord.Result] as number;
  switch (ev) {
    case Ev.OpBegin: return opFields(code, rec, false);
    case Ev.OpEnd: return { ...opFields(code, rec, true), result: resultName(result), ...opEndFields(code, c, rec[TraceWord.D] as number) };
    case Ev.Callback: return callbackFields(code, rec);
    case Ev.EpochEnter:
    case Ev.EpochExit: return { epoch: a, state: code, depth: b };
    case Ev.EpochAdvance: return { epoch: a, released: b };
    case Ev.Retire: return { block: a, epoch: b, tag: tagName(c) };
    case Ev.Free: return { block: a, stamp: b, released: c, tag: tagName(rec[TraceWord.D] as number) };
    case Ev.BucketLock: return { bucket: code };
    case Ev.BucketUnlock: return unlockFields(code, a, b, c);
    case Ev.Read: return readFields(code, a, b, c, rec[TraceWord.D] as number);
    case Ev.StallWarning: return { stalledCpu: a === ctx.cpus ? -1 : a, epoch: b, published: c };
    case Ev.Violation: return violationFields(code, a, lane, c, rec[TraceWord.D] as number, ctx);
    default: return { code, a, b };
  }
}

function unlockFields(bucket: number, outcome: number, value: number, newValue: number): Record<string, unknown> {
  const out: Record<string, unknown> = { bucket, core: CORE_OUTCOME_NAMES[outcome] ?? 'none' };
  if (value !== 0) out['value'] = value;
  if (newValue !== 0 && newValue !== value) out['newValue'] = newValue;
  return out;
}

/** A runtime-detected violation; memory rules name the block involved. */
function violationFields(rule: number, a: number, lane: number, start: number, length: number, ctx: DecodeContext): Record<string, unknown> {
  const id = RULES[rule]?.id ?? `rule-${rule}`;
  const out: Record<string, unknown> = { rule: id, message: ctx.text(lane, start, length) };
  if (id.startsWith('memory.') && a !== 0) out['block'] = a;
  return out;
}

/** A read for the age oracle: age = epoch advances since the block was retired (0 while live). */
function readFields(state: number, block: number, stamp: number, readerEpoch: number, published: number): Record<string, unknown> {
  return {
    block, state: state === 0 ? 'free' : state === 1 ? 'live' : 'retired', stamp, readerEpoch, published,
    age: stamp === 0 ? 0 : published - stamp,
  };
}

/** Extra op_end facts: a create's registered callbacks and map flags; a cleanup's entry count. */
function opEndFields(code: number, c: number, d: number): Record<string, unknown> {
  if (code === OpCode.Create) {
    return {
      registered: CALLBACK_NAMES.filter((_, i) => (c & (1 << i)) !== 0),
      updatesOriginalValue: (d & MapFlag.UpdatesOriginalValue) !== 0,
      preFreeMode: (d & MapFlag.PreFreeMode) !== 0,
    };
  }
  return code === OpCode.MapCleanup ? { entries: c } : {};
}

function opFields(code: number, rec: Int32Array, end: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { op: OP_NAMES[code] ?? `op${code}` };
  if (!end) {
    out['mode'] = MODE_NAMES[rec[TraceWord.A] as number] ?? 'user';
    if (code === 2) out['option'] = OPTION_NAMES[rec[TraceWord.Flags] as number] ?? 'ANY';
    if (code === 7 || code === 8) out['count'] = rec[TraceWord.B];
  }
  return out;
}

function callbackFields(code: number, rec: Int32Array): Record<string, unknown> {
  const state = rec[TraceWord.A] as number;
  const out: Record<string, unknown> = {
    flags: flagNames(rec[TraceWord.Flags] as number),
    inEpoch: (state & CbState.InEpoch) !== 0,
    bucketLockHeld: (state & CbState.BucketLockHeld) !== 0,
  };
  // Void callbacks (postprocess_map_delete, postprocess_map_delete_element) return nothing.
  const result = rec[TraceWord.Result] as number;
  if (result === -1) out['result'] = 'threw';
  else if (code !== 1 && code !== 5) out['result'] = resultName(result);
  if (rec[TraceWord.B] !== 0) out['value'] = rec[TraceWord.B];
  return out;
}

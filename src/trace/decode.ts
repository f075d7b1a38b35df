/**
 * Turns a raw trace record (32 Int32 words from a lane ring) into the JSON
 * Lines object a person reads. Every event has seq, cpu (-1 for the epoch
 * manager's system lane), irql and event; the rest depends on the event.
 */
import { MapFlag, TraceWord } from '../shm/layout.js';
import { CALLBACK_NAMES, CORE_OUTCOME_NAMES, CbState, EVENT_NAMES, OpCode, Ev, MODE_NAMES, OP_NAMES } from './events.js';
import { OPTION_NAMES, flagNames } from '../contract/map-operation.js';
import { irqlName } from '../contract/irql.js';
import { resultName } from '../contract/ebpf-result.js';
import { RULES } from '../contract/rules.js';
import { tagName } from '../contract/tags.js';

/**
 * One event as a person (and every reader) sees it. `t` is when it happened:
 * nanoseconds since the run began when free-running, the scheduling decision
 * index in controlled mode.
 */
export type TraceEvent = Record<string, unknown> & { seq: number; t: number; cpu: number; irql: string; event: string };

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
    t: (rec[TraceWord.TimeHi] as number) * 4294967296 + ((rec[TraceWord.TimeLo] as number) >>> 0),
    cpu: lane === ctx.cpus ? -1 : lane,
    irql: irqlName(rec[TraceWord.Irql] as number),
    event: ev === Ev.Callback ? (CALLBACK_NAMES[code] ?? `callback_${code}`) : (EVENT_NAMES[ev] ?? `event_${ev}`),
  };
  const map = rec[TraceWord.Map] as number;
  if (map >= 0) base['map'] = ctx.mapNames[map] ?? `map${map}`;
  if ((rec[TraceWord.KeyLen] as number) > 0) base['key'] = keyHex(rec);
  details(ev, code, rec, lane, ctx, base);
  return base;
}

/**
 * Adds the event's own fields to `out`, in a fixed order (the trace digest
 * and the JSON Lines text depend on it). Written in place: this runs for
 * every event of a checked run, on the main thread.
 */
function details(ev: number, code: number, rec: Int32Array, lane: number, ctx: DecodeContext, out: TraceEvent): void {
  const a = rec[TraceWord.A] as number;
  const b = rec[TraceWord.B] as number;
  const c = rec[TraceWord.C] as number;
  const d = rec[TraceWord.D] as number;
  switch (ev) {
    case Ev.OpBegin: return opFields(code, rec, false, out);
    case Ev.OpEnd:
      opFields(code, rec, true, out);
      out['result'] = resultName(rec[TraceWord.Result] as number);
      return opEndFields(code, c, d, out);
    case Ev.Callback: return callbackFields(code, rec, out);
    case Ev.EpochEnter:
    case Ev.EpochExit: out['epoch'] = a; out['state'] = code; out['depth'] = b; return;
    case Ev.EpochAdvance: out['epoch'] = a; out['released'] = b; return;
    case Ev.Retire: out['block'] = a; out['epoch'] = b; out['tag'] = tagName(c); return;
    case Ev.Free: out['block'] = a; out['stamp'] = b; out['released'] = c; out['tag'] = tagName(d); return;
    case Ev.BucketLock: out['bucket'] = code; return;
    case Ev.BucketUnlock: return unlockFields(code, a, b, c, out);
    case Ev.Read: return readFields(code, a, b, c, d, out);
    case Ev.StallWarning: out['stalledCpu'] = a === ctx.cpus ? -1 : a; out['epoch'] = b; out['published'] = c; return;
    case Ev.Violation: return violationFields(code, a, lane, c, d, ctx, out);
    default: out['code'] = code; out['a'] = a; out['b'] = b;
  }
}

function unlockFields(bucket: number, outcome: number, value: number, newValue: number, out: TraceEvent): void {
  out['bucket'] = bucket;
  out['core'] = CORE_OUTCOME_NAMES[outcome] ?? 'none';
  if (value !== 0) out['value'] = value;
  if (newValue !== 0 && newValue !== value) out['newValue'] = newValue;
}

/** A runtime-detected violation; memory rules name the block involved. */
function violationFields(rule: number, a: number, lane: number, start: number, length: number, ctx: DecodeContext, out: TraceEvent): void {
  const id = RULES[rule]?.id ?? `rule-${rule}`;
  out['rule'] = id;
  out['message'] = ctx.text(lane, start, length);
  if (id.startsWith('memory.') && a !== 0) out['block'] = a;
}

/** A read for the age oracle: age = epoch advances since the block was retired (0 while live). */
function readFields(state: number, block: number, stamp: number, readerEpoch: number, published: number, out: TraceEvent): void {
  out['block'] = block;
  out['state'] = state === 0 ? 'free' : state === 1 ? 'live' : 'retired';
  out['stamp'] = stamp;
  out['readerEpoch'] = readerEpoch;
  out['published'] = published;
  out['age'] = stamp === 0 ? 0 : published - stamp;
}

/** Extra op_end facts: a create's registered callbacks and map flags; a cleanup's entry count. */
function opEndFields(code: number, c: number, d: number, out: TraceEvent): void {
  if (code === OpCode.Create) {
    out['registered'] = CALLBACK_NAMES.filter((_, i) => (c & (1 << i)) !== 0);
    out['updatesOriginalValue'] = (d & MapFlag.UpdatesOriginalValue) !== 0;
    out['preFreeMode'] = (d & MapFlag.PreFreeMode) !== 0;
  } else if (code === OpCode.MapCleanup) {
    out['entries'] = c;
  }
}

function opFields(code: number, rec: Int32Array, end: boolean, out: TraceEvent): void {
  out['op'] = OP_NAMES[code] ?? `op${code}`;
  if (!end) {
    out['mode'] = MODE_NAMES[rec[TraceWord.A] as number] ?? 'user';
    if (code === 2) out['option'] = OPTION_NAMES[rec[TraceWord.Flags] as number] ?? 'ANY';
    if (code === 7 || code === 8) out['count'] = rec[TraceWord.B];
  }
}

function callbackFields(code: number, rec: Int32Array, out: TraceEvent): void {
  const state = rec[TraceWord.A] as number;
  out['flags'] = flagNames(rec[TraceWord.Flags] as number);
  out['inEpoch'] = (state & CbState.InEpoch) !== 0;
  out['bucketLockHeld'] = (state & CbState.BucketLockHeld) !== 0;
  // Void callbacks (postprocess_map_delete, postprocess_map_delete_element) return nothing.
  const result = rec[TraceWord.Result] as number;
  if (result === -1) out['result'] = 'threw';
  else if (code !== 1 && code !== 5) out['result'] = resultName(result);
  if (rec[TraceWord.B] !== 0) out['value'] = rec[TraceWord.B];
  out['dur'] = rec[TraceWord.Duration];
}

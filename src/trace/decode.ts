/**
 * Turns a raw trace record (32 Int32 words from a lane ring) into the JSON
 * Lines object a person reads. Every event has seq, cpu (-1 for the epoch
 * manager's system lane), irql and event; the rest depends on the event.
 */
import { MapFlag, TraceWord } from '../shm/layout.js';
import { CALLBACK_NAMES, CORE_OUTCOME_NAMES, CbState, EVENT_NAMES, OpCode, Ev, MODE_NAMES, OP_NAMES } from './events.js';
import { flagNames, optionName } from '../contract/map-operation.js';
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

/** Hex text of 4-byte keys already seen, by key word (bounded; keys repeat a lot). */
const KEY4_CACHE = new Map<number, string>();
const KEY4_CACHE_MAX = 1 << 16;

function keyHex(i32: Int32Array, w: number, n: number): string {
  const words = w + TraceWord.Key;
  if (n === 4) {
    const k = i32[words] as number;
    const cached = KEY4_CACHE.get(k);
    if (cached !== undefined) return cached;
    const s = HEX[k & 0xff]! + HEX[(k >>> 8) & 0xff]! + HEX[(k >>> 16) & 0xff]! + HEX[k >>> 24]!;
    if (KEY4_CACHE.size < KEY4_CACHE_MAX) KEY4_CACHE.set(k, s);
    return s;
  }
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[((i32[words + (i >> 2)] as number) >>> (8 * (i & 3))) & 0xff];
  return s;
}

/** Tag names by tag word (a handful per run). */
const TAG_NAMES = new Map<number, string>();

function tagText(t: number): string {
  let s = TAG_NAMES.get(t);
  if (s === undefined) {
    s = tagName(t);
    if (TAG_NAMES.size < 1024) TAG_NAMES.set(t, s);
  }
  return s;
}

/**
 * Flag name lists by flag bits, one fresh array per event (a reader may keep
 * or change the array it got), copied from a cached list.
 */
const FLAG_NAMES: string[][] = [];

function flagList(flags: number): string[] {
  if (flags < 0 || flags > 255) return flagNames(flags);
  const names = (FLAG_NAMES[flags] ??= flagNames(flags));
  return names.length === 0 ? [] : names.slice();
}

/** Decodes a record held in a Int32Array of its own (word 0 = Seq). */
export function decodeRecord(rec: Int32Array, lane: number, ctx: DecodeContext): TraceEvent {
  return decodeAt(rec, 0, lane, ctx);
}

/** Decodes the record that starts at word `w` of `i32` (a lane ring, read in place). */
export function decodeAt(i32: Int32Array, w: number, lane: number, ctx: DecodeContext): TraceEvent {
  const ev = i32[w + TraceWord.Event] as number;
  const code = i32[w + TraceWord.Code] as number;
  const base: TraceEvent = {
    seq: i32[w + TraceWord.Seq] as number,
    t: (i32[w + TraceWord.TimeHi] as number) * 4294967296 + ((i32[w + TraceWord.TimeLo] as number) >>> 0),
    cpu: lane === ctx.cpus ? -1 : lane,
    irql: irqlName(i32[w + TraceWord.Irql] as number),
    event: eventName(ev, code),
  };
  decodeFields(i32, w, lane, ctx, base);
  return base;
}

/** The event name of a record's Event and Code words. */
export function eventName(ev: number, code: number): string {
  return ev === Ev.Callback ? (CALLBACK_NAMES[code] ?? `callback_${code}`) : (EVENT_NAMES[ev] ?? `event_${ev}`);
}

/**
 * Everything after the five head fields (seq, t, cpu, irql, event), written
 * into `out` in the trace's order: the map and key, then the event's own
 * fields. Also fills a reused view whose fields all exist beforehand
 * (src/trace/event-view.ts), so this is the one definition of every field.
 */
export function decodeFields(i32: Int32Array, w: number, lane: number, ctx: DecodeContext, out: TraceEvent): void {
  const map = i32[w + TraceWord.Map] as number;
  if (map >= 0) out['map'] = ctx.mapNames[map] ?? `map${map}`;
  const keyLen = i32[w + TraceWord.KeyLen] as number;
  if (keyLen > 0) out['key'] = keyHex(i32, w, keyLen);
  details(i32[w + TraceWord.Event] as number, i32[w + TraceWord.Code] as number, i32, w, lane, ctx, out);
}

/**
 * Adds the event's own fields to `out`, in a fixed order (the trace digest
 * and the JSON Lines text depend on it). Written in place: this runs for
 * every event of a checked run, on the main thread.
 */
function details(ev: number, code: number, i32: Int32Array, w: number, lane: number, ctx: DecodeContext, out: TraceEvent): void {
  const a = i32[w + TraceWord.A] as number;
  const b = i32[w + TraceWord.B] as number;
  const c = i32[w + TraceWord.C] as number;
  const d = i32[w + TraceWord.D] as number;
  switch (ev) {
    case Ev.OpBegin: return opFields(code, i32, w, false, out);
    case Ev.OpEnd:
      opFields(code, i32, w, true, out);
      out['result'] = resultName(i32[w + TraceWord.Result] as number);
      return opEndFields(code, c, d, out);
    case Ev.Callback: return callbackFields(code, i32, w, out);
    case Ev.EpochEnter:
    case Ev.EpochExit: out['epoch'] = a; out['state'] = code; out['depth'] = b; return;
    case Ev.EpochAdvance: out['epoch'] = a; out['released'] = b; return;
    case Ev.Retire: out['block'] = a; out['epoch'] = b; out['tag'] = tagText(c); return;
    case Ev.Free: out['block'] = a; out['stamp'] = b; out['released'] = c; out['tag'] = tagText(d); return;
    case Ev.BucketLock: out['bucket'] = code; return;
    case Ev.BucketUnlock: return unlockFields(code, a, b, c, out);
    case Ev.Read: return readFields(code, a, b, c, d, out);
    case Ev.StallWarning: out['stalledCpu'] = a === ctx.cpus ? -1 : a; out['epoch'] = b; out['published'] = c; return;
    case Ev.Violation: return violationFields(code, a, lane, c, d, ctx, out);
    case Ev.EpochPropose: out['epoch'] = b; out['atCpu'] = a === ctx.cpus ? -1 : a; out['proposed'] = c; return;
    case Ev.EpochCommit: out['released'] = b; out['atCpu'] = a === ctx.cpus ? -1 : a; return;
    case Ev.EpochExitForwarded: out['state'] = code; out['fromCpu'] = a; out['toCpu'] = b; return;
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
  } else if (code === OpCode.NextKey) {
    if (c !== 0) out['restarted'] = true; // the previous key was gone: the IOCTL asked again from the first key
  } else if (code === OpCode.UpdateBatch || code === OpCode.DeleteBatch) {
    out['processed'] = c;
  } else if (code === OpCode.FindElement && d !== 0) {
    out['stored'] = c; // the first u32 of the raw stored value the helper got
  } else if (code === OpCode.Synchronize) {
    out['epoch'] = c;
    out['released'] = d;
  }
}

function opFields(code: number, i32: Int32Array, w: number, end: boolean, out: TraceEvent): void {
  out['op'] = OP_NAMES[code] ?? `op${code}`;
  if (!end) {
    out['mode'] = MODE_NAMES[i32[w + TraceWord.A] as number] ?? 'user';
    if (code === 2 || code === OpCode.UpdateBatch) out['option'] = optionName(i32[w + TraceWord.Flags] as number);
    if (code === 7 || code === 8 || code === OpCode.UpdateBatch || code === OpCode.DeleteBatch) out['count'] = i32[w + TraceWord.B];
  }
}

function callbackFields(code: number, i32: Int32Array, w: number, out: TraceEvent): void {
  const state = i32[w + TraceWord.A] as number;
  out['flags'] = flagList(i32[w + TraceWord.Flags] as number);
  out['inEpoch'] = (state & CbState.InEpoch) !== 0;
  out['bucketLockHeld'] = (state & CbState.BucketLockHeld) !== 0;
  // Void callbacks (postprocess_map_delete, postprocess_map_delete_element) return nothing.
  const result = i32[w + TraceWord.Result] as number;
  if (result === -1) out['result'] = 'threw';
  else if (code !== 1 && code !== 5) out['result'] = resultName(result);
  if (i32[w + TraceWord.B] !== 0) out['value'] = i32[w + TraceWord.B];
  out['dur'] = i32[w + TraceWord.Duration];
}

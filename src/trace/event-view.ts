/**
 * What the contract checker reads while a run goes: one record of a lane
 * ring, in place, and the event it holds as an EventView, an object of one
 * fixed shape whose fields have the trace's names (absent ones undefined).
 * Rules read views and JSON Lines objects alike, through the same names,
 * and every read of a view hits the same shape; a full TraceEvent (with only
 * the fields the event has, in the trace's order) is built only for what
 * reaches a person: report excerpts, violations, sinks that want objects.
 */
import { TraceWord } from '../shm/layout.js';
import { irqlName } from '../contract/irql.js';
import { DecodeContext, TraceEvent, decodeAt, decodeFields, eventName } from './decode.js';
import { Ev } from './events.js';

/**
 * One event's fields, every field the decoder can write present from the
 * start, declared in one order that agrees with the order decodeAt writes
 * them for every kind of event (so toEvent can rebuild the event's own
 * object: the fields that are set, in this order; a test holds the two equal).
 */
export class EventView {
  seq = 0; t = 0; cpu = 0; irql = ''; event = '';
  map: unknown = undefined; key: unknown = undefined;
  op: unknown = undefined; mode: unknown = undefined; option: unknown = undefined; count: unknown = undefined;
  flags: unknown = undefined; inEpoch: unknown = undefined; bucketLockHeld: unknown = undefined;
  result: unknown = undefined; registered: unknown = undefined; updatesOriginalValue: unknown = undefined;
  preFreeMode: unknown = undefined; entries: unknown = undefined;
  restarted: unknown = undefined; processed: unknown = undefined; stored: unknown = undefined;
  bucket: unknown = undefined; core: unknown = undefined; stalledCpu: unknown = undefined;
  rule: unknown = undefined; message: unknown = undefined;
  block: unknown = undefined; epoch: unknown = undefined; state: unknown = undefined; depth: unknown = undefined;
  stamp: unknown = undefined; released: unknown = undefined; tag: unknown = undefined;
  readerEpoch: unknown = undefined; published: unknown = undefined; age: unknown = undefined;
  value: unknown = undefined; newValue: unknown = undefined; dur: unknown = undefined;
  code: unknown = undefined; a: unknown = undefined; b: unknown = undefined;
  atCpu: unknown = undefined; proposed: unknown = undefined; fromCpu: unknown = undefined; toCpu: unknown = undefined;

  /** Makes every field after the head undefined again (a view is reused once nothing refers to it). */
  clear(): void {
    this.map = undefined;
    this.key = undefined;
    this.op = undefined;
    this.mode = undefined;
    this.option = undefined;
    this.count = undefined;
    this.flags = undefined;
    this.inEpoch = undefined;
    this.bucketLockHeld = undefined;
    this.result = undefined;
    this.registered = undefined;
    this.updatesOriginalValue = undefined;
    this.preFreeMode = undefined;
    this.entries = undefined;
    this.restarted = undefined;
    this.processed = undefined;
    this.stored = undefined;
    this.bucket = undefined;
    this.core = undefined;
    this.stalledCpu = undefined;
    this.rule = undefined;
    this.message = undefined;
    this.block = undefined;
    this.epoch = undefined;
    this.state = undefined;
    this.depth = undefined;
    this.stamp = undefined;
    this.released = undefined;
    this.tag = undefined;
    this.readerEpoch = undefined;
    this.published = undefined;
    this.age = undefined;
    this.value = undefined;
    this.newValue = undefined;
    this.dur = undefined;
    this.code = undefined;
    this.a = undefined;
    this.b = undefined;
    this.atCpu = undefined;
    this.proposed = undefined;
    this.fromCpu = undefined;
    this.toCpu = undefined;
  }
}

/** EventView's fields after the five head fields, in declaration order. */
const VIEW_FIELDS = Object.keys(new EventView()).slice(5);

/** The TraceEvent a view stands for: the same object decodeAt builds from the record. */
export function toEvent(v: EventView): TraceEvent {
  const out: TraceEvent = { seq: v.seq, t: v.t, cpu: v.cpu, irql: v.irql, event: v.event };
  const fields = v as unknown as Record<string, unknown>;
  for (const f of VIEW_FIELDS) if (fields[f] !== undefined) out[f] = fields[f];
  return out;
}

/** A kept event: views become TraceEvents, others are one already. */
export const asEvent = (e: TraceEvent | EventView): TraceEvent => (e instanceof EventView ? toEvent(e) : e);

/** Kind index of a record: its Event word, or CALLBACK_KIND_BASE + its callback number. */
export const CALLBACK_KIND_BASE = 32;
export const KIND_COUNT = 64;

/**
 * One record of a lane ring, valid only while the sink that was handed it
 * runs (its slot goes back to the producer afterwards). The monitor reuses
 * one TraceRecord for every record.
 */
export class TraceRecord {
  i32: Int32Array = new Int32Array(0);
  w = 0;
  lane = 0;
  private decoded: TraceEvent | null = null;

  constructor(readonly ctx: DecodeContext) {}

  /** Points at the record at word `w` (Monitor). */
  moveTo(i32: Int32Array, w: number, lane: number): void {
    this.i32 = i32;
    this.w = w;
    this.lane = lane;
    this.decoded = null;
  }

  word(field: number): number {
    return this.i32[this.w + field] as number;
  }

  /** The record's event kind (see CALLBACK_KIND_BASE). */
  kind(): number {
    const ev = this.word(TraceWord.Event);
    return ev === Ev.Callback ? CALLBACK_KIND_BASE + this.word(TraceWord.Code) : ev;
  }

  /** The Code word: the op code of op_begin and op_end, the callback number of a callback. */
  code(): number {
    return this.word(TraceWord.Code);
  }

  cpu(): number {
    return this.lane === this.ctx.cpus ? -1 : this.lane;
  }

  /** The full event (built once per record, on the first call). */
  event(): TraceEvent {
    if (this.decoded === null) this.decoded = decodeAt(this.i32, this.w, this.lane, this.ctx);
    return this.decoded;
  }

  /** The event, if something built it already. */
  built(): TraceEvent | null {
    return this.decoded;
  }

  /**
   * A view of the record's event (the same values decodeAt gives, absent
   * fields undefined): `reuse` cleared and filled, or a new one.
   */
  view(reuse: EventView | null = null): EventView {
    const i32 = this.i32;
    const w = this.w;
    const v = reuse ?? new EventView();
    if (reuse !== null) reuse.clear();
    v.seq = i32[w + TraceWord.Seq] as number;
    v.t = (i32[w + TraceWord.TimeHi] as number) * 4294967296 + ((i32[w + TraceWord.TimeLo] as number) >>> 0);
    v.cpu = this.cpu();
    v.irql = irqlName(i32[w + TraceWord.Irql] as number);
    v.event = eventName(i32[w + TraceWord.Event] as number, i32[w + TraceWord.Code] as number);
    decodeFields(i32, w, this.lane, this.ctx, v as unknown as TraceEvent);
    return v;
  }
}

/**
 * A trace sink (src/trace/jsonl.ts) that also reads records in place (the
 * contract checker): the monitor hands it records; others get TraceEvents.
 */
export interface RecordSink {
  writeRecord(r: TraceRecord): void;
}

export const isRecordSink = (s: object): s is RecordSink => typeof (s as Partial<RecordSink>).writeRecord === 'function';

/**
 * Per-lane trace rings: single producer (the owning lane), single consumer
 * (the main thread's monitor). Records are fixed width (TRACE_RECORD_WORDS).
 * Every record takes a global sequence number from one shared counter, so the
 * merged trace is a single order consistent with the Atomics order of the run.
 *
 * Invariants: Tail is written only by the owner, Head only by the consumer,
 * both with Atomics.store; the owner never overwrites an unconsumed record
 * (it waits, in bounded slices, while the ring is full).
 */
import {
  Ctl, Lane, MAX_KEY_BYTES, TEXT_RING_BYTES, TraceWord, WORD_BYTES,
  laneWord, textRingByte, traceRecordWord,
} from './layout.js';
import { Shm } from './shm.js';
import { Step } from './gate.js';

const FULL_WAIT_SLICE_MS = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TraceWriter {
  readonly on: boolean;
  private readonly capacity: number;
  private readonly headWord: number;
  private readonly tailWord: number;
  private readonly irqlWord: number;
  private readonly waitingWord: number;
  private tail = 0;
  private textTail = 0;
  private readonly textTailWord: number;

  constructor(private readonly shm: Shm, readonly lane: number) {
    const l = shm.layout;
    this.on = shm.i32[Ctl.TraceOn] === 1;
    this.capacity = l.config.traceRecords;
    this.headWord = laneWord(l, lane, Lane.TraceHead);
    this.tailWord = laneWord(l, lane, Lane.TraceTail);
    this.irqlWord = laneWord(l, lane, Lane.Irql);
    this.waitingWord = laneWord(l, lane, Lane.TraceWaiting);
    this.tail = shm.load(this.tailWord);
    // A lane is used by several tasks in turn (setup, a CPU, teardown): each
    // writer goes on after the text the previous one wrote.
    this.textTailWord = laneWord(l, lane, Lane.TextTail);
    this.textTail = shm.i32[this.textTailWord] as number;
  }

  /** The time a record made now would carry (Shm.traceTime), for a later `since`. */
  now(): number {
    return this.on ? this.shm.traceTime() : 0;
  }

  /**
   * Appends one record. `keyPtr`/`keyLen` name key bytes in the buffer (0/0
   * for none); `since` (a callback's start, from now()) gives the record a
   * duration. Returns the record's sequence number (0 when tracing is off).
   */
  emit(ev: number, code: number, map: number, flags: number, result: number,
    a: number, b: number, keyPtr: number, keyLen: number, c = 0, d = 0, since = -1): number {
    if (!this.on) return 0;
    const shm = this.shm;
    shm.gate.point(Step.TraceAppend);
    this.waitForRoom();
    const seq = Atomics.add(shm.i32, Ctl.TraceSeq, 1) + 1;
    const t = shm.traceTime();
    const w = traceRecordWord(shm.layout, this.lane, this.tail % this.capacity);
    const i32 = shm.i32;
    i32[w + TraceWord.Seq] = seq;
    i32[w + TraceWord.Event] = ev;
    i32[w + TraceWord.Irql] = i32[this.irqlWord] as number;
    i32[w + TraceWord.Map] = map;
    i32[w + TraceWord.Code] = code;
    i32[w + TraceWord.Flags] = flags;
    i32[w + TraceWord.Result] = result;
    i32[w + TraceWord.A] = a;
    i32[w + TraceWord.B] = b;
    i32[w + TraceWord.C] = c;
    i32[w + TraceWord.D] = d;
    i32[w + TraceWord.TimeLo] = t % 4294967296;
    i32[w + TraceWord.TimeHi] = Math.floor(t / 4294967296);
    i32[w + TraceWord.Duration] = since < 0 ? 0 : Math.min(t - since, 0x7fffffff);
    const n = keyLen > MAX_KEY_BYTES ? MAX_KEY_BYTES : keyLen;
    i32[w + TraceWord.KeyLen] = n;
    if (n > 0) shm.u8.copyWithin((w + TraceWord.Key) * WORD_BYTES, keyPtr, keyPtr + n);
    this.tail++;
    // SYNC: publishes the record's plain writes above to the consumer, which
    // reads Tail with Atomics.load before reading the record.
    Atomics.store(i32, this.tailWord, this.tail);
    return seq;
  }

  /** Appends a UTF-8 message to the lane's text ring; returns [start, length]. */
  text(message: string): [number, number] {
    if (!this.on) return [0, 0];
    const bytes = encoder.encode(message.length > 1000 ? message.slice(0, 1000) : message);
    const base = textRingByte(this.shm.layout, this.lane);
    const start = this.textTail;
    for (let i = 0; i < bytes.length; i++) this.shm.u8[base + ((start + i) % TEXT_RING_BYTES)] = bytes[i] as number;
    this.textTail += bytes.length;
    this.shm.i32[this.textTailWord] = this.textTail;
    return [start, bytes.length];
  }

  /**
   * Waits while the ring is full. Once it had to wait, the lane goes on only
   * when half the ring is free again: the consumer then takes long runs and
   * the lane wakes once per half ring, not once per record.
   */
  private waitForRoom(): void {
    const i32 = this.shm.i32;
    if (this.tail - Atomics.load(i32, this.headWord) < this.capacity) return;
    const resumeAt = this.capacity - Math.max(1, this.capacity >> 1);
    for (;;) {
      this.shm.throwIfAborted();
      // SYNC: the Waiting store comes before the Head load below, and the
      // consumer stores Head before it loads Waiting (all Atomics, so one
      // total order): either this load sees the new Head, or the consumer
      // sees Waiting = 1 and notifies. The wait is bounded anyway.
      Atomics.store(i32, this.waitingWord, 1);
      const head = Atomics.load(i32, this.headWord);
      if (this.tail - head <= resumeAt) break;
      Atomics.wait(i32, this.headWord, head, FULL_WAIT_SLICE_MS);
    }
    Atomics.store(i32, this.waitingWord, 0);
  }
}

/**
 * The consumer side. Records are read in place (no copy): the consumer looks
 * at published records through `recordWord`, and hands slots back with
 * `release` once it has consumed them, so a record stays valid until then.
 */
export class TraceReader {
  constructor(private readonly shm: Shm) {}

  /** Records published by `lane` so far. SYNC: pairs with the producer's Tail store. */
  tail(lane: number): number {
    return Atomics.load(this.shm.i32, laneWord(this.shm.layout, lane, Lane.TraceTail));
  }

  /** Word index of record number `index` of `lane` (valid until released). */
  recordWord(lane: number, index: number): number {
    const l = this.shm.layout;
    return traceRecordWord(l, lane, index % l.config.traceRecords);
  }

  /**
   * Hands the slots of records before `head` back to the producer, and wakes
   * it only if it said it waits for room (see TraceWriter.waitForRoom);
   * returns true if it did.
   */
  release(lane: number, head: number): boolean {
    const l = this.shm.layout;
    const i32 = this.shm.i32;
    const w = laneWord(l, lane, Lane.TraceHead);
    // Head is written only here: a plain read of it is this thread's own last store.
    if (i32[w] === head) return false;
    Atomics.store(i32, w, head);
    // One notify per wait: the flag is cleared here, and the producer sets it
    // again before it waits again (until it wakes, later polls see 0).
    const waiting = laneWord(l, lane, Lane.TraceWaiting);
    if (Atomics.load(i32, waiting) !== 0 && Atomics.compareExchange(i32, waiting, 1, 0) === 1) {
      Atomics.notify(i32, w);
      return true;
    }
    return false;
  }

  /** Reads a message written by TraceWriter.text. */
  text(lane: number, start: number, length: number): string {
    const base = textRingByte(this.shm.layout, lane);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = this.shm.u8[base + ((start + i) % TEXT_RING_BYTES)] as number;
    return decoder.decode(bytes);
  }
}

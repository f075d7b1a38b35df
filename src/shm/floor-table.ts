/**
 * The one-load floor of `epochlab bench` (src/bench/): baselines that touch
 * Atomics directly, so they live in src/shm/ (the Atomics gateway), but
 * nothing in epochlab's runtime uses them. They measure what epochlab costs
 * against the bare minimum:
 *
 * - the *floor table*: an open-addressing Int32 hash table in a
 *   SharedArrayBuffer, slots [key + 1 (0 = empty), value], linear probing,
 *   Fibonacci hash; built once with plain writes before it is shared (the
 *   structured-clone handoff to a worker publishes them), read lock-free with
 *   Atomics.load (key word, then value word). No epochs, no provider, no
 *   deletes: the cheapest correct concurrent lookup we can write in JS;
 * - a start gate for worker threads (release all at once, bounded waits);
 * - `twoStores`, the baseline for an epoch enter + exit pair.
 *
 * Nothing in epochlab's runtime uses this file.
 */

const SLOT_WORDS = 2;
const FIB = 0x9e3779b1 | 0;
/** Start-gate word: 0 until the main thread releases the workers. */
const GATE_START = 0;
const GATE_WORDS = 16;
const GATE_SLICE_MS = 50;

export interface FloorTable {
  readonly i32: Int32Array;
  /** 32 - log2(capacity): the Fibonacci hash keeps the top bits. */
  readonly shift: number;
  readonly mask: number;
}

const slotOf = (tag: number, shift: number): number => Math.imul(tag, FIB) >>> shift;

/** Views a table buffer made by buildFloorTable. */
export function attachFloorTable(sab: SharedArrayBuffer): FloorTable {
  const i32 = new Int32Array(sab);
  const capacity = i32.length / SLOT_WORDS;
  return { i32, shift: 32 - Math.log2(capacity), mask: capacity - 1 };
}

/** The value the floor table stores for `key` (a lookup checksum can be verified with it). */
export const floorValueOf = (key: number): number => (Math.imul(key, 7) + 1) | 0;

/**
 * Builds a table of 2^log2Capacity slots holding keys 0..keys-1 (plain
 * writes: call before handing the buffer to any worker).
 */
export function buildFloorTable(keys: number, log2Capacity: number): SharedArrayBuffer {
  const capacity = 2 ** log2Capacity;
  if (keys >= capacity) throw new Error(`floor table: ${keys} keys do not fit in ${capacity} slots`);
  const sab = new SharedArrayBuffer(capacity * SLOT_WORDS * 4);
  const t = attachFloorTable(sab);
  for (let key = 0; key < keys; key++) {
    const tag = key + 1;
    let s = slotOf(tag, t.shift);
    while (t.i32[s * SLOT_WORDS] !== 0) s = (s + 1) & t.mask;
    t.i32[s * SLOT_WORDS + 1] = floorValueOf(key);
    t.i32[s * SLOT_WORDS] = tag;
  }
  return sab;
}

/** Lock-free lookup: the stored value, or -1 when the key is absent. */
export function floorLookup(t: FloorTable, key: number): number {
  const i32 = t.i32;
  const tag = key + 1;
  let s = slotOf(tag, t.shift);
  for (;;) {
    const seen = Atomics.load(i32, s * SLOT_WORDS);
    if (seen === tag) return Atomics.load(i32, s * SLOT_WORDS + 1);
    if (seen === 0) return -1;
    s = (s + 1) & t.mask;
  }
}

/**
 * The floor's inner loop: `n` lookups of keys[(from + i) & (keys.length - 1)]
 * (keys.length must be a power of two). Returns a checksum so the work
 * cannot be optimised away.
 */
export function floorLoop(t: FloorTable, keys: Int32Array, from: number, n: number): number {
  const keyMask = keys.length - 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum = (sum + floorLookup(t, keys[(from + i) & keyMask] as number)) | 0;
  return sum;
}

/** A start gate: one line of words in its own buffer. */
export function createStartGate(): SharedArrayBuffer {
  return new SharedArrayBuffer(GATE_WORDS * 4);
}

/** Releases every worker waiting in awaitStart (main thread; never blocks). */
export function releaseStartGate(gate: SharedArrayBuffer): void {
  const i32 = new Int32Array(gate);
  Atomics.store(i32, GATE_START, 1);
  Atomics.notify(i32, GATE_START);
}

/** Blocks (in bounded slices) until the gate is released; false after timeoutMs. */
export function awaitStartGate(gate: SharedArrayBuffer, timeoutMs: number): boolean {
  const i32 = new Int32Array(gate);
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(i32, GATE_START) === 0) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(i32, GATE_START, 0, Math.min(GATE_SLICE_MS, left));
  }
  return true;
}

/** Baseline for an epoch enter + exit pair: `n` iterations of two Atomics.store on separate lines. */
export function twoStores(i32: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    Atomics.store(i32, 0, i);
    Atomics.store(i32, 16, i);
  }
}

/** A small shared word array for the two-stores baseline. */
export function baselineWords(count: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(count * 4));
}

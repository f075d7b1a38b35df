/**
 * The same-shape floor of `epochlab bench` (src/bench/): a table with the
 * shape of epochlab's (src/map/hash-table.ts over src/shm/layout.ts) and
 * nothing else, so that the cost of the shape and the cost of the
 * simulator come out as two numbers. Nothing in epochlab's runtime uses it.
 *
 * Shape, with the sizes of src/shm/layout.ts:
 *   - a power-of-two slot region of SLOT_WORDS words per bucket, laid out
 *     as epochlab's is: every bucket pointer first, packed, then the lock
 *     words (unused here);
 *   - a bucket: a block (BLOCK_HEADER_BYTES header, then the payload
 *     [count, entry...]), an entry [value block, generation, backup, key];
 *   - a value block: the same header, then valueBytes of value.
 *   Blocks start on 64-byte lines, as in the arena.
 * A lookup is one Atomics.load of the slot's bucket pointer, then plain
 * reads of the bucket and the value block. A writer builds a new bucket
 * (and value block) with plain writes and publishes it with one
 * Atomics.compareExchange on the slot (retrying when another writer won).
 * No epochs, no providers, no trace, no bookkeeping: a replaced block goes
 * to its thread's FIFO and is reused only once HOLD later blocks of its
 * size were retired (a delay, not a proof: a thread descheduled for longer
 * may read a reused block, so every read is bounded and a writer that sees
 * an impossible count starts over; good enough for a floor, never for
 * epochlab).
 */
import { BLOCK_HEADER_BYTES, BlockField, BucketEntry, SLOT_WORDS } from './layout.js';

const LINE = 64;
const ENTRY_WORDS = BucketEntry.Key + 1; // 4-byte keys
const HEADER_WORDS = BLOCK_HEADER_BYTES / 4;
const FIB = 0x9e3779b1 | 0;
/** Bump word (next free byte of the arena), at word 0; slots start one line in. */
const BUMP_WORD = 0;
const SLOTS_AT = LINE / 4;
const CHUNK_BYTES = 1 << 16;
const CLASSES = 32;
/** Entries a bucket of CLASSES lines holds: a larger count was read from a reused block. */
const MAX_COUNT = Math.floor((CLASSES * LINE - BLOCK_HEADER_BYTES - 4) / (ENTRY_WORDS * 4));
/** A FIFO's room per size class; a thread reuses its oldest block of a class once it holds more than HOLD. */
const RING = 1 << 14;
const HOLD = RING >> 1;

/**
 * Arena bytes a same-shape table needs: its live blocks, each thread's
 * FIFOs (the classes of 1 to 5 lines a table at load factor 1 uses), and
 * slack for the blocks one thread frees and another allocates.
 */
export const shapeFloorArenaBytes = (keys: number, threads: number): number => keys * 640 + threads * 15 * RING * LINE + (32 << 20);

/** The kinds of operation of a bench op stream (src/bench/streams.ts). */
export const FloorOp = { Find: 0, Upsert: 1, Insert: 2, UpdateExisting: 3, Delete: 4 } as const;

export interface ShapeFloorConfig {
  log2Slots: number;
  valueBytes: number;
  arenaBytes: number;
}

/** The shared memory of a same-shape table: bump word, slots, arena. */
export function createShapeFloor(c: ShapeFloorConfig): SharedArrayBuffer {
  const slotBytes = (2 ** c.log2Slots) * SLOT_WORDS * 4;
  const sab = new SharedArrayBuffer(LINE + slotBytes + c.arenaBytes);
  const i32 = new Int32Array(sab);
  i32[BUMP_WORD] = LINE + slotBytes;
  return sab;
}

const linesOf = (payloadBytes: number): number => Math.ceil((BLOCK_HEADER_BYTES + payloadBytes) / LINE);

/** One thread's view of a same-shape table: its own chunk of the arena and its reuse FIFOs. */
export class ShapeFloorThread {
  readonly i32: Int32Array;
  private readonly shift: number;
  private readonly valueWords: number;
  private chunkNext = 0;
  private chunkEnd = 0;
  /** Per size class (lines): a FIFO of retired block pointers (made at the class's first retire); `held` counts, `head` the oldest. */
  private readonly rings: Int32Array[] = Array.from({ length: CLASSES }, () => new Int32Array(0));
  private readonly held = new Int32Array(CLASSES);
  private readonly head = new Int32Array(CLASSES);

  constructor(sab: SharedArrayBuffer, private readonly c: ShapeFloorConfig) {
    this.i32 = new Int32Array(sab);
    this.shift = 32 - c.log2Slots;
    this.valueWords = Math.ceil(c.valueBytes / 4);
  }

  private slotWord(key: number): number {
    return SLOTS_AT + (Math.imul(key, FIB) >>> this.shift);
  }

  /** The value's first word plus one, or 0 when `key` is absent. */
  find(key: number): number {
    const i32 = this.i32;
    // SYNC: this load pairs with the compareExchange that published the bucket; its plain writes are visible after it.
    const bucket = Atomics.load(i32, this.slotWord(key));
    if (bucket === 0) return 0;
    const count = Math.min(i32[bucket >> 2] as number, MAX_COUNT);
    let w = (bucket >> 2) + 1;
    for (let i = 0; i < count; i++, w += ENTRY_WORDS) {
      if (i32[w + BucketEntry.Key] === key) return (((i32[(i32[w + BucketEntry.Value] as number) >>> 2] ?? 0) as number) + 1) | 0;
    }
    return 0;
  }

  /** An insert, update or delete as the op kind says; false when the kind's condition failed (present/absent). */
  write(op: number, key: number, value: number): boolean {
    const i32 = this.i32;
    const slot = this.slotWord(key);
    for (;;) {
      const old = Atomics.load(i32, slot);
      const count = old === 0 ? 0 : (i32[old >> 2] as number);
      if (count < 0 || count > MAX_COUNT) continue; // a reused block: read the slot again
      const at = this.position(old, count, key);
      if (at >= 0 ? op === FloorOp.Insert : op === FloorOp.UpdateExisting || op === FloorOp.Delete) return false;
      const remove = op === FloorOp.Delete;
      const newCount = remove ? count - 1 : at < 0 ? count + 1 : count;
      const data = remove ? 0 : this.valueBlock(value);
      const bucket = newCount === 0 ? 0 : this.bucketWith(old, count, at, newCount, key, data);
      // SYNC: the bucket's and the value block's plain writes above are published by this compareExchange.
      if (Atomics.compareExchange(i32, slot, old, bucket) === old) {
        if (old !== 0) this.retire(old, count);
        if (at >= 0) this.retireValue(i32[(old >> 2) + 1 + at * ENTRY_WORDS + BucketEntry.Value] as number);
        return true;
      }
      if (bucket !== 0) this.retire(bucket, newCount);
      if (data !== 0) this.retireValue(data);
    }
  }

  private position(bucket: number, count: number, key: number): number {
    const i32 = this.i32;
    let w = (bucket >> 2) + 1;
    for (let i = 0; i < count; i++, w += ENTRY_WORDS) if (i32[w + BucketEntry.Key] === key) return i;
    return -1;
  }

  private valueBlock(value: number): number {
    const p = this.allocate(linesOf(this.c.valueBytes), this.c.valueBytes);
    const w = p >> 2;
    this.i32[w] = value;
    for (let i = 1; i < this.valueWords; i++) this.i32[w + i] = 0;
    return p;
  }

  /** A copy of `old` with entry `at` replaced by (key, data), appended when at < 0, or removed when data is 0. */
  private bucketWith(old: number, count: number, at: number, newCount: number, key: number, data: number): number {
    const i32 = this.i32;
    const p = this.allocate(linesOf(4 + newCount * ENTRY_WORDS * 4), 4 + newCount * ENTRY_WORDS * 4);
    i32[p >> 2] = newCount;
    let to = (p >> 2) + 1;
    let from = (old >> 2) + 1;
    for (let i = 0; i < count; i++, from += ENTRY_WORDS) {
      if (i === at && data === 0) continue;
      for (let k = 0; k < ENTRY_WORDS; k++) i32[to + k] = i32[from + k] as number;
      if (i === at) i32[to + BucketEntry.Value] = data;
      to += ENTRY_WORDS;
    }
    if (at < 0) {
      i32[to + BucketEntry.Value] = data;
      i32[to + BucketEntry.Generation] = 0;
      i32[to + BucketEntry.Backup] = 0;
      i32[to + BucketEntry.Key] = key;
    }
    return p;
  }

  private retire(bucket: number, count: number): void {
    this.push(linesOf(4 + count * ENTRY_WORDS * 4), bucket);
  }

  private retireValue(block: number): void {
    this.push(linesOf(this.c.valueBytes), block);
  }

  private push(lines: number, ptr: number): void {
    const k = lines - 1;
    const held = this.held[k] as number;
    if (held === RING) return; // full: more retires than allocations of this size here; the block is left to the arena's slack
    if (held === 0 && this.rings[k]!.length === 0) this.rings[k] = new Int32Array(RING);
    this.rings[k]![((this.head[k] as number) + held) & (RING - 1)] = ptr;
    this.held[k] = held + 1;
  }

  /** A block of `lines` lines (payload pointer): the oldest retired one once the FIFO holds more than HOLD, else fresh. */
  private allocate(lines: number, payloadBytes: number): number {
    const k = lines - 1;
    if (k >= CLASSES) throw new Error(`shape floor: a bucket of ${payloadBytes} bytes is larger than the floor supports`);
    const held = this.held[k] as number;
    let p: number;
    if (held > HOLD) {
      const h = this.head[k] as number;
      p = this.rings[k]![h] as number;
      this.head[k] = (h + 1) & (RING - 1);
      this.held[k] = held - 1;
    } else p = this.fresh(lines * LINE) + BLOCK_HEADER_BYTES;
    this.i32[(p >> 2) - HEADER_WORDS + BlockField.Size] = payloadBytes;
    return p;
  }

  private fresh(bytes: number): number {
    if (this.chunkNext + bytes > this.chunkEnd) {
      const take = Math.max(CHUNK_BYTES, bytes);
      const at = Atomics.add(this.i32, BUMP_WORD, take);
      if (at + take > this.i32.length * 4) throw new Error('shape floor: arena full');
      this.chunkNext = at;
      this.chunkEnd = at + take;
    }
    const p = this.chunkNext;
    this.chunkNext += bytes;
    return p;
  }
}

/**
 * The arena: every byte of epoch memory lives here, in the shared buffer.
 *
 * Blocks come in power-of-two size classes (64 B .. 1 MiB, header included)
 * and start on 64-byte boundaries. A block's 32-byte header sits immediately
 * before its payload (see BlockField); a cache-aligned block has one more
 * 32-byte pad in front of the header, so its payload is 64-byte aligned.
 * Free blocks go to a free list per (class, alignment), guarded by a
 * spinlock; fresh blocks come from a bump pointer (Atomics.add).
 *
 * Invariants: a block's header never moves while the block exists; a freed
 * block is poisoned and its generation bumped, so a stale reference (pointer
 * + generation) can always tell that its block went away. Exhaustion returns
 * 0 (NULL), never throws.
 *
 * With the memory checker on (Ctl.TraceOn: the run records events), every
 * block keeps a red zone of at least RED_ZONE_BYTES after its requested size,
 * filled with RED_ZONE_BYTE and checked when the block is freed, and free
 * lists are FIFO, so a freed block waits as long as possible before it is
 * handed out again (a stale raw pointer then still finds it freed).
 */
import {
  BLOCK_HEADER_BYTES, BlockField, BlockState, Ctl, INFO_ALIGNED_BIT, INFO_KIND_SHIFT, LINE_BYTES,
  OWNER_FREED_AT_ONCE, OWNER_FREER_SHIFT, RED_ZONE_BYTE, RED_ZONE_BYTES,
  SIZE_CLASS_COUNT, SIZE_CLASS_MIN_BYTES, SizeClassField, WORD_BYTES, blockWord, sizeClassWord,
} from './layout.js';
import { Shm } from './shm.js';
import { CacheHandOff, LaneCache } from './lane-cache.js';

export const POISON_BYTE = 0xef;

export interface BlockInfo {
  ptr: number;
  tag: number;
  size: number;
  state: number;
  generation: number;
  aligned: boolean;
  kind: number;
  freedEpoch: number;
}

/** Told when a freed block's red zone was written: `at` is the first changed byte. */
export type RedZoneHandler = (ptr: number, at: number) => void;

export class Arena {
  /** True when the memory checker is on: red zones and FIFO free lists. */
  readonly checked: boolean;
  /** Set by the lane that owns this arena view, to report a clobbered red zone. */
  onRedZone: RedZoneHandler | null = null;
  private readonly base: number;
  private readonly end: number;
  private readonly faultsOn: boolean;
  private readonly redZone: number;
  /** This lane's cache of freed blocks, and the manager's hand-off (free-running, checker off; src/shm/lane-cache.ts). */
  private readonly cache: LaneCache | null;
  private readonly handOff: CacheHandOff | null;

  /** `lane`: the lane this view allocates for (-1: none, e.g. the main thread's reports; no cache). */
  constructor(private readonly shm: Shm, private readonly failAt: ReadonlySet<number> = new Set(), lane = -1) {
    this.base = shm.layout.arenaBase;
    this.end = shm.layout.arenaEnd;
    this.faultsOn = failAt.size > 0;
    this.checked = shm.i32[Ctl.TraceOn] === 1;
    this.redZone = this.checked ? RED_ZONE_BYTES : 0;
    const caches = !this.checked && !shm.controlled;
    this.cache = caches && LaneCache.usable(lane) ? new LaneCache(shm, lane) : null;
    this.handOff = caches ? new CacheHandOff(shm) : null;
  }

  /** Smallest class whose block holds `total` bytes, or -1 if none does. */
  static classFor(total: number): number {
    let cls = 0;
    let bytes = SIZE_CLASS_MIN_BYTES;
    while (bytes < total) {
      bytes *= 2;
      cls++;
    }
    return cls < SIZE_CLASS_COUNT ? cls : -1;
  }

  /**
   * Allocates a zeroed block with `size` payload bytes. Returns the payload
   * pointer, or 0 when the arena is exhausted or a fault is injected.
   */
  allocate(size: number, tag: number, aligned: boolean, kind: number): number {
    if (size <= 0) return 0;
    if (this.faultsOn && this.failAt.has(this.shm.add(Ctl.AllocSeq, 1) + 1)) return 0;
    const pad = aligned ? LINE_BYTES : BLOCK_HEADER_BYTES;
    const cls = Arena.classFor(size + pad + this.redZone);
    if (cls < 0) return 0;
    let start = this.cache === null ? 0 : this.cache.take(cls, aligned);
    if (start !== 0) start -= pad;
    else start = this.popFree(cls, aligned);
    if (start === 0) start = this.bump(SIZE_CLASS_MIN_BYTES << cls);
    if (start === 0) return 0;
    const ptr = start + pad;
    const i32 = this.shm.i32;
    const h = blockWord(ptr, 0);
    const info = cls | (aligned ? INFO_ALIGNED_BIT : 0) | (kind << INFO_KIND_SHIFT);
    i32[h + BlockField.Tag] = tag;
    i32[h + BlockField.Size] = size;
    i32[h + BlockField.FreedEpoch] = 0;
    i32[h + BlockField.Next] = 0;
    i32[h + BlockField.Info] = info;
    i32[h + BlockField.Owner] = this.shm.lane & 0xffff;
    if (aligned) i32[start / WORD_BYTES + BlockField.Info] = info; // lets a walker find the class
    this.shm.u8.fill(0, ptr, ptr + size);
    if (this.checked) this.shm.u8.fill(RED_ZONE_BYTE, ptr + size, ptr + size + RED_ZONE_BYTES);
    // SYNC: the header and zeroed payload above are published by this store.
    this.shm.setBlockState(ptr, BlockState.Allocated);
    return ptr;
  }

  /**
   * Returns a block to its free list: poison, bump the generation, mark FREE.
   * The caller has already taken the block out of every reachable structure.
   */
  release(ptr: number): void {
    const info = this.scrub(ptr);
    this.pushFree(info & 0xff, (info & INFO_ALIGNED_BIT) !== 0, ptr);
  }

  /**
   * The epoch manager frees a block `lane` retired: free-running with the
   * checker off it goes to that lane's cache at the next handOver(lane),
   * else to its free list as release() does.
   */
  releaseFrom(ptr: number, lane: number): void {
    if (this.handOff === null || !LaneCache.usable(lane)) return this.release(ptr);
    const info = this.scrub(ptr);
    this.handOff.add(ptr, info & 0xff, (info & INFO_ALIGNED_BIT) !== 0);
  }

  /** Hands `lane` the blocks releaseFrom freed for it since the last call. */
  handOver(lane: number): void {
    this.handOff?.hand(lane);
  }

  /** Gives this lane's cached blocks back to the shared free lists (its task ends). */
  returnCache(): void {
    this.cache?.drain((cls, aligned, head) => {
      for (let p = head; p !== 0;) {
        const next = this.shm.i32[blockWord(p, BlockField.Next)] as number;
        this.pushFree(cls, aligned, p);
        p = next;
      }
    });
  }

  /** Poisons a block, bumps its generation and marks it FREE; returns its Info word. */
  private scrub(ptr: number): number {
    const i32 = this.shm.i32;
    const h = blockWord(ptr, 0);
    const info = i32[h + BlockField.Info] as number;
    const size = i32[h + BlockField.Size] as number;
    if (this.checked) this.checkRedZone(ptr, size);
    const owner = i32[h + BlockField.Owner] as number;
    // Not retired through the epoch: freed at once, by this lane.
    if ((owner >>> OWNER_FREER_SHIFT) === 0) i32[h + BlockField.Owner] = owner | ((this.shm.lane + 1) << OWNER_FREER_SHIFT) | OWNER_FREED_AT_ONCE;
    this.shm.u8.fill(POISON_BYTE, ptr, ptr + size);
    i32[h + BlockField.Generation] = ((i32[h + BlockField.Generation] as number) + 1) | 0;
    this.shm.setBlockState(ptr, BlockState.Free);
    return info;
  }

  /**
   * True when `ptr` is the payload pointer of a block carved from this arena:
   * an unaligned block's payload is 32 bytes past a block start, a
   * cache-aligned one's 64 bytes; block starts are recorded in the
   * block-start map when carved, so interior and wild pointers are rejected.
   */
  isBlockPointer(ptr: number): boolean {
    if (!Number.isInteger(ptr) || ptr < this.base + BLOCK_HEADER_BYTES || ptr >= this.end) return false;
    const aligned = (ptr & (LINE_BYTES - 1)) === 0;
    if (!aligned && (ptr & (LINE_BYTES - 1)) !== BLOCK_HEADER_BYTES) return false;
    const start = ptr - (aligned ? LINE_BYTES : BLOCK_HEADER_BYTES);
    if (start < this.base || start >= this.shm.load(Ctl.ArenaBump) || !this.shm.isBlockStart(start)) return false;
    const info = this.shm.i32[blockWord(ptr, BlockField.Info)] as number;
    return ((info & INFO_ALIGNED_BIT) !== 0) === aligned;
  }

  state(ptr: number): number {
    return this.shm.loadBlockState(ptr);
  }

  generation(ptr: number): number {
    return this.shm.i32[blockWord(ptr, BlockField.Generation)] as number;
  }

  info(ptr: number): BlockInfo {
    const i32 = this.shm.i32;
    const h = blockWord(ptr, 0);
    const info = i32[h + BlockField.Info] as number;
    return {
      ptr,
      tag: i32[h + BlockField.Tag] as number,
      size: i32[h + BlockField.Size] as number,
      state: this.shm.loadBlockState(ptr),
      generation: i32[h + BlockField.Generation] as number,
      aligned: (info & INFO_ALIGNED_BIT) !== 0,
      kind: info >>> INFO_KIND_SHIFT,
      freedEpoch: i32[h + BlockField.FreedEpoch] as number,
    };
  }

  /** Calls `visit` for every block ever carved from the arena (main thread, at rest). */
  walk(visit: (b: BlockInfo) => void): void {
    const bump = this.shm.load(Ctl.ArenaBump);
    let start = this.base;
    while (start < bump) {
      const firstInfo = this.shm.i32[start / WORD_BYTES + BlockField.Info] as number;
      const aligned = (firstInfo & INFO_ALIGNED_BIT) !== 0;
      const ptr = start + (aligned ? LINE_BYTES : BLOCK_HEADER_BYTES);
      visit(this.info(ptr));
      start += SIZE_CLASS_MIN_BYTES << (firstInfo & 0xff);
    }
  }

  /** Bytes carved from the arena so far (high-water mark). */
  bytesUsed(): number {
    return this.shm.load(Ctl.ArenaBump) - this.base;
  }

  /** The backstop for writes the checker did not see: the red zone must still hold its pattern. */
  private checkRedZone(ptr: number, size: number): void {
    const u8 = this.shm.u8;
    for (let at = ptr + size; at < ptr + size + RED_ZONE_BYTES; at++) {
      if (u8[at] !== RED_ZONE_BYTE) {
        this.onRedZone?.(ptr, at);
        return;
      }
    }
  }

  private bump(bytes: number): number {
    // Blocks are power-of-two sized and >= 64 B; aligning each to 64 B keeps
    // every block start on a line boundary.
    const start = this.shm.add(Ctl.ArenaBump, bytes);
    if (start + bytes > this.end) {
      this.shm.add(Ctl.ArenaBump, -bytes);
      return 0;
    }
    this.shm.markBlockStart(start, bytes);
    return start;
  }

  private popFree(cls: number, aligned: boolean): number {
    const headWord = sizeClassWord(cls, aligned, SizeClassField.FreeHead);
    const i32 = this.shm.i32;
    // Unlocked peek: an empty list is the common case while the arena is young.
    if (this.shm.load(headWord) === 0) return 0;
    const lockWord = sizeClassWord(cls, aligned, SizeClassField.Lock);
    this.shm.acquireLock(lockWord);
    // SYNC: list links are plain words guarded by the class lock.
    const ptr = i32[headWord] as number;
    if (ptr !== 0) {
      const next = i32[blockWord(ptr, BlockField.Next)] as number;
      i32[headWord] = next;
      if (next === 0 && this.checked) i32[sizeClassWord(cls, aligned, SizeClassField.FreeTail)] = 0;
      i32[sizeClassWord(cls, aligned, SizeClassField.FreeCount)]--;
    }
    this.shm.releaseLock(lockWord);
    return ptr === 0 ? 0 : ptr - (aligned ? LINE_BYTES : BLOCK_HEADER_BYTES);
  }

  private pushFree(cls: number, aligned: boolean, ptr: number): void {
    const lockWord = sizeClassWord(cls, aligned, SizeClassField.Lock);
    const headWord = sizeClassWord(cls, aligned, SizeClassField.FreeHead);
    const i32 = this.shm.i32;
    this.shm.acquireLock(lockWord);
    i32[sizeClassWord(cls, aligned, SizeClassField.FreeCount)]++;
    if (this.checked) this.appendFree(cls, aligned, ptr);
    else {
      i32[blockWord(ptr, BlockField.Next)] = i32[headWord] as number;
      this.shm.store(headWord, ptr);
    }
    this.shm.releaseLock(lockWord);
  }

  /** FIFO push (memory checker on), under the class lock: the block freed first is reused first. */
  private appendFree(cls: number, aligned: boolean, ptr: number): void {
    const i32 = this.shm.i32;
    const tailWord = sizeClassWord(cls, aligned, SizeClassField.FreeTail);
    const tail = i32[tailWord] as number;
    i32[blockWord(ptr, BlockField.Next)] = 0;
    if (tail === 0) this.shm.store(sizeClassWord(cls, aligned, SizeClassField.FreeHead), ptr);
    else i32[blockWord(tail, BlockField.Next)] = ptr;
    i32[tailWord] = ptr;
  }
}

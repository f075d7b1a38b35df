/**
 * Per-CPU caches of freed blocks (issue 12, writes that do not serialize).
 * Free-running with the memory checker off, the epoch manager does not push
 * each block it frees onto its size class's locked free list: it chains the
 * blocks a lane retired, per size class, and hands each chain to that lane in
 * one step (a compare-exchange on the lane's word in the class's line,
 * SizeClassField.LaneCache). The lane allocates from a private chain (plain
 * words, no lock); when that is empty it takes the whole handed-over chain
 * with one exchange, and only then falls back to the shared free list and
 * the bump pointer. So a write takes no free-list lock, and no lock a
 * descheduled manager could hold.
 *
 * Off in controlled mode and with the checker on: there, which block an
 * allocation gets must not change (digests), and the checker keeps its FIFO
 * reuse. Blocks in a cache are FREE (poisoned, generation bumped) like any
 * block on a free list; a lane gives its private chain back to the shared
 * lists when its task ends (LaneContext.idle).
 *
 * Invariants: a chain is linked through BlockField.Next; the handed-over
 * word is pushed only by the manager (one pusher, so the compare-exchange
 * cannot suffer ABA) and emptied only by its lane.
 */
import { BlockField, FREE_LIST_COUNT, LANE_CACHE_LANES, SizeClassField, blockWord, sizeClassWord } from './layout.js';
import type { Shm } from './shm.js';

/** The free list index of (class, alignment), as sizeClassWord orders them. */
export const listIndex = (cls: number, aligned: boolean): number => cls * 2 + (aligned ? 1 : 0);

/** A lane's side: its private chains, refilled from what the manager handed over. */
export class LaneCache {
  private readonly heads = new Int32Array(FREE_LIST_COUNT);
  private readonly i32: Int32Array;

  constructor(private readonly shm: Shm, private readonly lane: number) {
    this.i32 = shm.i32;
  }

  static usable(lane: number): boolean {
    return lane >= 0 && lane < LANE_CACHE_LANES;
  }

  /** A freed block's payload pointer from this lane's cache, or 0. */
  take(cls: number, aligned: boolean): number {
    const list = listIndex(cls, aligned);
    let ptr = this.heads[list] as number;
    if (ptr === 0) {
      const word = sizeClassWord(cls, aligned, SizeClassField.LaneCache + this.lane);
      // A plain peek first: a stale 0 only sends this allocation to the shared list.
      if (this.i32[word] === 0) return 0;
      // SYNC: the exchange acquires the chain's links and the blocks' headers,
      // written by the manager before its compare-exchange in hand().
      ptr = this.shm.takeWord(word);
      if (ptr === 0) return 0;
    }
    this.heads[list] = this.i32[blockWord(ptr, BlockField.Next)] as number;
    return ptr;
  }

  /** Calls `give(list, head)` for each private chain and empties the cache (the task ends). */
  drain(give: (cls: number, aligned: boolean, head: number) => void): void {
    for (let list = 0; list < FREE_LIST_COUNT; list++) {
      const word = sizeClassWord(list >> 1, (list & 1) === 1, SizeClassField.LaneCache + this.lane);
      const handed = this.shm.takeWord(word);
      if (handed !== 0) give(list >> 1, (list & 1) === 1, handed);
      const head = this.heads[list] as number;
      this.heads[list] = 0;
      if (head !== 0) give(list >> 1, (list & 1) === 1, head);
    }
  }
}

/** The manager's side: chains built during one lane's drain, handed over together. */
export class CacheHandOff {
  private readonly heads = new Int32Array(FREE_LIST_COUNT);
  private readonly tails = new Int32Array(FREE_LIST_COUNT);

  constructor(private readonly shm: Shm) {}

  /** Adds a freed (FREE, poisoned) block to the chain for its class. */
  add(ptr: number, cls: number, aligned: boolean): void {
    const list = listIndex(cls, aligned);
    const i32 = this.shm.i32;
    i32[blockWord(ptr, BlockField.Next)] = this.heads[list] as number;
    if (this.heads[list] === 0) this.tails[list] = ptr;
    this.heads[list] = ptr;
  }

  /** Hands every chain built since the last call to `lane`: one compare-exchange per class. */
  hand(lane: number): void {
    const i32 = this.shm.i32;
    for (let list = 0; list < FREE_LIST_COUNT; list++) {
      const head = this.heads[list] as number;
      if (head === 0) continue;
      const tail = this.tails[list] as number;
      const word = sizeClassWord(list >> 1, (list & 1) === 1, SizeClassField.LaneCache + lane);
      for (let seen = i32[word] as number; ;) {
        i32[blockWord(tail, BlockField.Next)] = seen;
        // SYNC: publishes the links and headers written above (LaneCache.take's exchange acquires them).
        const got = this.shm.cas(word, seen, head);
        if (got === seen) break;
        seen = got;
      }
      this.heads[list] = 0;
      this.tails[list] = 0;
    }
  }
}

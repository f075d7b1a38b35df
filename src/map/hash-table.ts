/**
 * The hash table, shaped like libs/runtime/ebpf_hash_table.c.
 *
 * - A power-of-two array of slots [spinlock, bucket pointer] per map.
 * - A bucket is an immutable arena block: [count, entry...] (BucketEntry in
 *   src/shm/layout.ts). Writers build a new bucket under the slot's
 *   spinlock (raising the lane to DISPATCH) and publish it with one atomic
 *   store; readers take no lock, run inside an epoch, and see either the old
 *   or the new bucket, never a mix.
 * - Backup buckets: the entry at position i owns a block with room for i
 *   entries. An insert allocates the new bucket and the new position's
 *   backup (either can fail: NO_MEMORY); a delete from a bucket of n entries
 *   builds the smaller bucket in the backup of position n - 1, so it never
 *   allocates and cannot fail for memory. Backups stay with their positions.
 * - Every update allocates a new value block; the displaced value and the
 *   old bucket are retired (epoch_free), never freed in place.
 * - max_entries is enforced with an atomic count: increment, then check.
 *
 * The table does not call providers except through `DeleteNotifier` for a
 * delete callback that must run under the bucket lock (PRE_FREE mode); the
 * custom-map glue (src/runtime/custom-map.ts) does everything else.
 */
import { EbpfResult } from '../contract/ebpf-result.js';
import type { Shm } from '../shm/shm.js';
import type { Memory } from '../shm/memory.js';
import type { TraceWriter } from '../shm/trace-ring.js';
import type { Violations } from '../trace/violations.js';
import type { EpochLane } from '../epoch/epoch-lane.js';
import { CoreOutcome, Ev } from '../trace/events.js';
import { UpdateOption } from '../contract/map-operation.js';
import { Rule } from '../contract/rules.js';
import { Mutant } from '../contract/mutants.js';
import { MapInfo } from './map-info.js';
import { TAG_BUCKET, TAG_VALUE } from '../contract/tags.js';
import { BucketEntry } from '../shm/layout.js';

/** Calls the delete callback under the bucket lock, before unlink; a non-success result vetoes. */
export interface DeleteNotifier {
  deleteUnderLock(map: number, keyPtr: number, valuePtr: number, flags: number): number;
}

/**
 * What the table needs from the lane it runs on. The runtime's LaneContext
 * provides it; the table declares it here so that it never looks up at the
 * runtime.
 */
export interface TableLane {
  readonly shm: Shm;
  readonly i32: Int32Array;
  readonly mem: Memory;
  readonly epoch: Pick<EpochLane, 'retire'>;
  readonly trace: TraceWriter;
  readonly violations: Violations;
  /** The planted bug, if any (Mutant.*). */
  readonly mutant: number;
  /** Bucket-lock attempts that fail spuriously (faults.spuriousLockFailAt), or null. */
  readonly spuriousLocks: ReadonlySet<number> | null;
  /** Lookups check the bucket they read is still live (see LaneContext.checksLiveness). */
  readonly checksLiveness: boolean;
  /** epoch_allocate_with_tag through this lane (0 when out of memory). */
  allocate(size: number, tag: number, aligned: boolean): number;
  /** KeRaiseIrql to DISPATCH; returns the previous IRQL. */
  raiseIrql(): number;
  lowerIrql(old: number): void;
  /** Counts bucket spinlocks held by this lane (callbacks report bucketLockHeld). */
  lockHeld(delta: number): void;
}

export class HashTable {
  /** Set by find(): generation of the found value block. */
  foundGeneration = 0;
  /** Set by update(): the value a replace displaced (0 if none). */
  displaced = 0;
  displacedGeneration = 0;
  /** Set by remove(): the removed value. */
  removed = 0;
  removedGeneration = 0;
  private readonly i32: Int32Array;

  constructor(private readonly ctx: TableLane) {
    this.i32 = ctx.i32;
  }

  /** Lock-free lookup. Returns the stored value pointer, or 0 when the key is missing. */
  find(info: MapInfo, keyPtr: number): number {
    const bucket = info.bucketOf(this.i32, keyPtr >> 2);
    const ctx = this.ctx;
    const head = ctx.shm.loadBucketHead(info.headWord(bucket));
    if (head === 0) return 0;
    ctx.shm.touch(false);
    const checks = ctx.checksLiveness;
    const gen = checks ? ctx.mem.generationOf(head) : 0;
    const at = this.scan(info, head, keyPtr);
    const value = at < 0 ? 0 : this.i32[at + BucketEntry.Value] as number;
    if (value !== 0) this.foundGeneration = this.i32[at + BucketEntry.Generation] as number;
    if (checks && !ctx.mem.isLive(head, gen)) this.staleBucket(info, head, gen);
    return value;
  }

  /**
   * Inserts or replaces `keyPtr` with a copy of `srcLen` bytes at `srcPtr`.
   * On success after a replace, `displaced` names the old value, which the
   * caller retires after its callback.
   */
  update(info: MapInfo, keyPtr: number, srcPtr: number, srcLen: number, option: number): number {
    this.displaced = 0;
    const ctx = this.ctx;
    const value = ctx.allocate(info.storedValueSize, TAG_VALUE, false);
    if (value === 0) return EbpfResult.NoMemory;
    ctx.mem.copy(value, srcPtr, Math.min(srcLen, info.storedValueSize));
    const bucket = info.bucketOf(this.i32, keyPtr >> 2);
    const irql = this.lockBucket(info, bucket, ctx.mutant === Mutant.UnlockedWriter);
    const old = ctx.shm.loadBucketHead(info.headWord(bucket));
    const at = old === 0 ? -1 : this.scan(info, old, keyPtr);
    let result: number;
    if (at < 0) result = option === UpdateOption.Exist ? EbpfResult.KeyNotFound : this.insert(info, bucket, old, keyPtr, value);
    else result = option === UpdateOption.NoExist ? EbpfResult.ObjectAlreadyExists : this.replace(info, bucket, old, at, value);
    const outcome = result !== EbpfResult.Success ? CoreOutcome.None : at < 0 ? CoreOutcome.Insert : CoreOutcome.Replace;
    this.unlockBucket(info, bucket, irql, outcome, outcome === CoreOutcome.Replace ? this.displaced : value, value,
      ctx.mutant === Mutant.UnlockedWriter);
    if (result === EbpfResult.Success) {
      if (old !== 0) ctx.epoch.retire(old, false, info.index);
    } else {
      ctx.epoch.retire(value, false, info.index); // the unused new value
    }
    return result;
  }

  /**
   * Removes `keyPtr`. In PRE_FREE mode the notifier runs under the lock
   * first and may veto. On success `removed` names the value, which the
   * caller retires after its callback.
   */
  remove(info: MapInfo, keyPtr: number, notifier: DeleteNotifier | null, flags: number): number {
    this.removed = 0;
    const bucket = info.bucketOf(this.i32, keyPtr >> 2);
    const irql = this.lockBucket(info, bucket);
    const old = this.ctx.shm.loadBucketHead(info.headWord(bucket));
    const at = old === 0 ? -1 : this.scan(info, old, keyPtr);
    let result: number = EbpfResult.KeyNotFound;
    if (at >= 0) {
      const value = this.i32[at + BucketEntry.Value] as number;
      result = notifier === null ? EbpfResult.Success : notifier.deleteUnderLock(info.index, keyPtr, value, flags);
      if (result === EbpfResult.Success) result = this.unlink(info, bucket, old, at);
    }
    const removed = result === EbpfResult.Success;
    this.unlockBucket(info, bucket, irql, removed ? CoreOutcome.Remove : CoreOutcome.None, removed ? this.removed : 0);
    if (result === EbpfResult.Success) this.ctx.epoch.retire(old, false, info.index);
    return result;
  }

  /**
   * Empties one bucket (map cleanup / destroy): calls `visit(keyPtr, valuePtr)`
   * for each entry, then unpublishes the bucket and retires it and its values.
   */
  drainBucket(info: MapInfo, bucket: number, visit: (keyPtr: number, valuePtr: number) => void): number {
    const head = this.visitBucket(info, bucket, visit);
    if (head === 0) return 0;
    const count = this.i32[head >> 2] as number;
    this.ctx.shm.publishBucketHead(info.headWord(bucket), 0);
    for (let i = 0; i < count; i++) {
      const e = this.entryWord(info, head, i);
      this.ctx.epoch.retire(this.i32[e + BucketEntry.Value] as number, false, info.index);
      if (i > 0) this.ctx.epoch.retire(this.i32[e + BucketEntry.Backup] as number, false, info.index);
    }
    this.ctx.epoch.retire(head, false, info.index);
    if (info.maxEntries > 0) this.ctx.shm.add(info.entryCountWord, -count);
    return count;
  }

  /**
   * Calls `visit(keyPtr, valuePtr)` for each entry of the bucket as it is
   * now, pointers into that bucket block; returns the block (0: empty).
   */
  visitBucket(info: MapInfo, bucket: number, visit: (keyPtr: number, valuePtr: number) => void): number {
    const head = this.ctx.shm.loadBucketHead(info.headWord(bucket));
    const count = head === 0 ? 0 : this.i32[head >> 2] as number;
    for (let i = 0; i < count; i++) {
      const e = this.entryWord(info, head, i);
      visit((e + BucketEntry.Key) << 2, this.i32[e + BucketEntry.Value] as number);
    }
    return head;
  }

  private insert(info: MapInfo, bucket: number, old: number, keyPtr: number, value: number): number {
    const shm = this.ctx.shm;
    if (info.maxEntries > 0 && shm.add(info.entryCountWord, 1) + 1 > info.maxEntries) {
      shm.add(info.entryCountWord, -1);
      return EbpfResult.OutOfSpace;
    }
    const count = old === 0 ? 0 : this.i32[old >> 2] as number;
    const fresh = this.allocateBucket(info, count + 1);
    const backup = fresh === 0 || count === 0 ? 0 : this.allocateBucket(info, count);
    if (fresh === 0 || (count > 0 && backup === 0)) {
      if (fresh !== 0) this.ctx.epoch.retire(fresh, false, info.index); // never published
      if (info.maxEntries > 0) shm.add(info.entryCountWord, -1);
      return EbpfResult.NoMemory;
    }
    if (count > 0) this.copyEntries(info, old, 0, count, fresh, 0);
    const e = this.entryWord(info, fresh, count);
    this.i32[e + BucketEntry.Value] = value;
    this.i32[e + BucketEntry.Generation] = this.ctx.mem.generationOf(value);
    this.i32[e + BucketEntry.Backup] = backup;
    this.i32.copyWithin(e + BucketEntry.Key, keyPtr >> 2, (keyPtr >> 2) + info.keyWords);
    // SYNC: the bucket's plain writes above are published by this store.
    shm.publishBucketHead(info.headWord(bucket), fresh);
    return EbpfResult.Success;
  }

  private replace(info: MapInfo, bucket: number, old: number, at: number, value: number): number {
    const count = this.i32[old >> 2] as number;
    const fresh = this.allocateBucket(info, count);
    if (fresh === 0) return EbpfResult.NoMemory;
    this.copyEntries(info, old, 0, count, fresh, 0);
    this.displaced = this.i32[at + BucketEntry.Value] as number;
    this.displacedGeneration = this.i32[at + BucketEntry.Generation] as number;
    const e = (fresh >> 2) + 1 + (at - (old >> 2) - 1);
    this.i32[e + BucketEntry.Value] = value;
    this.i32[e + BucketEntry.Generation] = this.ctx.mem.generationOf(value);
    // SYNC: as in insert, one atomic store publishes the whole new bucket.
    this.ctx.shm.publishBucketHead(info.headWord(bucket), fresh);
    return EbpfResult.Success;
  }

  /** Builds the smaller bucket in the last position's backup: no allocation, no failure. */
  private unlink(info: MapInfo, bucket: number, old: number, at: number): number {
    const count = this.i32[old >> 2] as number;
    const index = (at - (old >> 2) - 1) / info.entryWords;
    let fresh = 0;
    if (count > 1) {
      fresh = this.i32[this.entryWord(info, old, count - 1) + BucketEntry.Backup] as number;
      this.i32[fresh >> 2] = count - 1;
      this.copyEntries(info, old, 0, index, fresh, 0);
      this.copyEntries(info, old, index + 1, count - index - 1, fresh, index);
      // Backups belong to positions: position k keeps the old position k's
      // (the last position's backup became this bucket; none is left over).
      for (let k = index; k < count - 1; k++) {
        this.i32[this.entryWord(info, fresh, k) + BucketEntry.Backup] = this.i32[this.entryWord(info, old, k) + BucketEntry.Backup] as number;
      }
    }
    this.removed = this.i32[at + BucketEntry.Value] as number;
    this.removedGeneration = this.i32[at + BucketEntry.Generation] as number;
    this.ctx.shm.publishBucketHead(info.headWord(bucket), fresh);
    if (info.maxEntries > 0) this.ctx.shm.add(info.entryCountWord, -1);
    return EbpfResult.Success;
  }

  /** Word index of the matching entry (its BucketEntry.Value word), or -1. */
  private scan(info: MapInfo, bucketPtr: number, keyPtr: number): number {
    const i32 = this.i32;
    const count = i32[bucketPtr >> 2] as number;
    const k = keyPtr >> 2;
    const words = info.keyWords;
    let e = (bucketPtr >> 2) + 1;
    for (let i = 0; i < count; i++, e += info.entryWords) {
      let j = 0;
      while (j < words && i32[e + BucketEntry.Key + j] === i32[k + j]) j++;
      if (j === words) return e;
    }
    return -1;
  }

  private entryWord(info: MapInfo, bucketPtr: number, i: number): number {
    return (bucketPtr >> 2) + 1 + i * info.entryWords;
  }

  private allocateBucket(info: MapInfo, count: number): number {
    const ptr = this.ctx.allocate(4 + count * info.entryWords * 4, TAG_BUCKET, false);
    if (ptr !== 0) this.i32[ptr >> 2] = count;
    return ptr;
  }

  private copyEntries(info: MapInfo, from: number, fromIndex: number, n: number, to: number, toIndex: number): void {
    const src = this.entryWord(info, from, fromIndex);
    this.i32.copyWithin(this.entryWord(info, to, toIndex), src, src + n * info.entryWords);
  }

  /** Takes the bucket spinlock at DISPATCH (`skip`: the unlocked-writer mutant does not). */
  private lockBucket(info: MapInfo, bucket: number, skip = false): number {
    const irql = this.ctx.raiseIrql();
    if (!skip) this.ctx.shm.acquireBucketLock(info.lockWord(bucket), this.ctx.spuriousLocks);
    this.ctx.lockHeld(1);
    if (this.ctx.trace.on) this.ctx.trace.emit(Ev.BucketLock, bucket, info.index, 0, 0, 0, 0, 0, 0);
    return irql;
  }

  /** Releases the bucket lock; the trace records what the core operation did under it. */
  private unlockBucket(info: MapInfo, bucket: number, irql: number, outcome: number, value: number, newValue = 0, skip = false): void {
    if (this.ctx.trace.on) this.ctx.trace.emit(Ev.BucketUnlock, bucket, info.index, 0, 0, outcome, value, 0, 0, newValue);
    this.ctx.lockHeld(-1);
    if (!skip) this.ctx.shm.releaseLock(info.lockWord(bucket));
    this.ctx.lowerIrql(irql);
  }

  private staleBucket(info: MapInfo, head: number, gen: number): void {
    this.ctx.violations.record(Rule.UseAfterFree, info.index, 0, head, gen,
      `lookup read bucket ${head} of map ${info.index} while or after it was freed`);
  }
}

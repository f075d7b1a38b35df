/**
 * The epoch manager: one thread that advances the published epoch, computes
 * the released epoch and frees what every lane retired at or before it.
 *
 * One tick, in this order (the order is what makes it safe):
 *   1. advance the published epoch to E (an atomic add);
 *   2. read every lane's announcement; released = min(E, oldest announced) - 1;
 *   3. for each lane, detach the prefix of its FIFO free list whose stamps are
 *      <= released (under the lane's FreeLock), then free those blocks and run
 *      any work items among them.
 * A block retired after step 2 was stamped with an epoch >= E (the advance
 * came first), so it is never freed by this tick; a reader that was not seen
 * in step 2 announced after the scan and so cannot reach anything unlinked
 * before it.
 */
import {
  Ctl, BlockField, BlockKind, BlockState, Counter, INFO_KIND_SHIFT, Lane, RunState, blockWord, counterWord, laneWord,
} from '../shm/layout.js';
import { Shm } from '../shm/shm.js';
import { Arena } from '../shm/arena.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { Ev } from '../trace/events.js';
import { Violations } from '../trace/violations.js';
import { Rule } from '../contract/rules.js';
import { Mutant } from '../contract/mutants.js';
import { ReclaimStats } from './reclaim-stats.js';
import { EpochRing } from './percpu.js';

export interface ManagerOptions {
  /** A lane whose announced epoch lags the published one by more than this many advances is named in a stall warning. */
  stallEpochs: number;
  /** A planted bug (Mutant.ReleaseOffByOne, Mutant.SkipCpu), or 0. */
  mutant?: number;
  /** Ticks (1-based) that are dropped: no advance, no reclamation (faults.dropTicks). */
  dropTicks?: ReadonlySet<number>;
  /**
   * Ticks (1-based, counted like dropTicks) that start late, tick -> steps
   * (faults.delayTicks): milliseconds free-running, scheduling points in
   * controlled mode. A delayed tick still happens (if dropTicks names it
   * too, it is delayed, then dropped; both are counted).
   */
  delayTicks?: ReadonlyMap<number, number>;
  /**
   * Profile switch perCpuEpochs: each tick is one per-CPU propose/commit
   * computation around the CPUs (src/epoch/percpu.ts) instead of the
   * advance-compute-free cycle above.
   */
  perCpu?: boolean;
  /** With perCpu: each tick is one hop of the computation instead of all of it (the unit tests step hop by hop). */
  hopPerTick?: boolean;
}

/** Runs a work item found on a free list (a deferred map cleanup). */
export type WorkItemRunner = (ptr: number) => void;

export class EpochManager {
  /** Free-running with the checker off, freed blocks go back to the lane that retired them (src/shm/lane-cache.ts). */
  private handsOver = true;
  private readonly lanes: number;
  private readonly warnedAt: number[];
  private readonly counters: { freed: number; bytesFreed: number; peak: number; stalls: number; delayed: number };
  peakGarbage = 0;
  private ticks = 0;
  /** Reclamation figures, always on (src/epoch/reclaim-stats.ts). */
  readonly reclaim: ReclaimStats;
  /** Every lane's Counter.Retired word (the system lane's too: cleanups retire). */
  private readonly retiredWords: Int32Array;
  /** The per-CPU computation (options.perCpu), or null. */
  private readonly ring: EpochRing | null;

  constructor(
    private readonly shm: Shm,
    private readonly arena: Arena,
    private readonly trace: TraceWriter,
    private readonly violations: Violations,
    private readonly options: ManagerOptions,
    private readonly runWorkItem: WorkItemRunner,
  ) {
    const l = shm.layout;
    this.lanes = l.lanes;
    this.warnedAt = new Array<number>(this.lanes).fill(0);
    const lane = l.lanes - 1;
    this.counters = {
      freed: counterWord(l, lane, Counter.Freed),
      bytesFreed: counterWord(l, lane, Counter.BytesFreed),
      peak: counterWord(l, lane, Counter.PeakGarbage),
      stalls: counterWord(l, lane, Counter.StallWarnings),
      delayed: counterWord(l, lane, Counter.DelayedTicks),
    };
    this.retiredWords = Int32Array.from({ length: l.lanes }, (_, i) => counterWord(l, i, Counter.Retired));
    // A plain read: only this thread writes the published epoch (and reading it through Shm would add a scheduling point).
    this.reclaim = new ReclaimStats(shm.i32[Ctl.PublishedEpoch] as number);
    this.ring = options.perCpu === true ? new EpochRing(shm, trace, options.mutant ?? 0, {
      published: (epoch) => this.reclaim.published(epoch),
      drain: (lane, released) => {
        this.reclaim.beginFrees();
        return this.drainLane(lane, released);
      },
      stall: (lane, announced, published) => this.checkStall(lane, announced, published),
      cycleEnded: (published, released) => this.advanced(published, released),
    }) : null;
  }

  /** One advance-compute-free cycle. Returns the number of blocks freed. */
  tick(): number {
    this.ticks++;
    const delay = this.options.delayTicks?.get(this.ticks);
    if (delay !== undefined) this.delay(delay);
    if (this.options.dropTicks?.has(this.ticks)) {
      this.shm.i32[counterWord(this.shm.layout, this.shm.layout.lanes - 1, Counter.DroppedTicks)]++;
      return 0;
    }
    if (this.ring !== null) return this.ringTick(this.ring);
    const published = this.shm.advancePublishedEpoch();
    this.reclaim.published(published);
    let oldest = published;
    for (let lane = 0; lane < this.lanes; lane++) {
      if (lane === 0 && this.options.mutant === Mutant.SkipCpu) continue;
      const announced = this.shm.loadAnnounce(lane);
      if (announced !== 0 && announced < oldest) oldest = announced;
      this.checkStall(lane, announced, published);
    }
    const released = this.options.mutant === Mutant.ReleaseOffByOne ? oldest : oldest - 1;
    this.advanced(published, released);
    let freed = 0;
    this.reclaim.beginFrees();
    for (let lane = 0; lane < this.lanes; lane++) freed += this.drainLane(lane, released);
    this.notePeakGarbage();
    this.reclaim.tickEnded(this.retiredNotFreed(), published - released);
    return freed;
  }

  /** The released epoch of a finished computation: published, counted and traced (the checker's epoch_advance). */
  private advanced(published: number, released: number): void {
    this.shm.storeReleasedEpoch(released);
    this.shm.add(Ctl.EpochAdvances, 1);
    this.trace.emit(Ev.EpochAdvance, 0, -1, 0, 0, published, released, 0, 0);
  }

  /**
   * A per-CPU tick: the timer starts a computation and the manager, as each
   * CPU's messenger, carries it round the ring, one hop after another (or
   * one hop only with options.hopPerTick). Every hop passes the scheduling
   * gate (a PROPOSE reads the CPU's announcement, a COMMIT stores its
   * released epoch), so in controlled mode the CPUs may run between two
   * hops, while CPUs the PROPOSE has not reached yet still have the old
   * current_epoch. SYNC: plain reads of words only this thread writes.
   */
  private ringTick(ring: EpochRing): number {
    let freed = ring.step();
    while (this.options.hopPerTick !== true && ring.inProgress) freed += ring.step();
    this.notePeakGarbage();
    const i32 = this.shm.i32;
    this.reclaim.tickEnded(this.retiredNotFreed(), (i32[Ctl.PublishedEpoch] as number) - (i32[Ctl.ReleasedEpoch] as number));
    return freed;
  }

  /**
   * Garbage as the counters tell it: blocks retired on every lane (held back
   * in a lane's private chain included) minus blocks freed. SYNC: the
   * retired counters are plain words written by their lanes; an increment
   * made before a lane released its FreeLock is visible here after this
   * tick's drain took that lock, so every block freed so far was counted as
   * retired first. Later increments may be seen late (an undercount of what
   * was retired since this tick's drain).
   */
  private retiredNotFreed(): number {
    const i32 = this.shm.i32;
    let retired = 0;
    for (let lane = 0; lane < this.lanes; lane++) retired += i32[this.retiredWords[lane] as number] as number;
    return Math.max(0, retired - (i32[this.counters.freed] as number));
  }

  /**
   * faults.delayTicks: the tick starts `steps` late; the published epoch
   * stays where it is meanwhile, so retired blocks wait longer but none is
   * freed early. Controlled mode has no clock: the delay is `steps` yields
   * (one Step.Wait each, through Shm.sleep, as faults.stall holds an epoch),
   * and each is a scheduling decision. Free-running, it is wall-clock time in
   * short slices, so that an aborted run does not wait a long delay out.
   */
  private delay(steps: number): void {
    const shm = this.shm;
    shm.i32[this.counters.delayed]++;
    if (shm.controlled) {
      for (let i = 0; i < steps; i++) shm.sleep(1);
      return;
    }
    const until = performance.now() + steps;
    while (shm.runState() !== RunState.Aborted) {
      const left = until - performance.now();
      if (left <= 0) return;
      shm.sleep(Math.min(5, left));
    }
  }

  /** Retired blocks not yet freed, over all lanes. */
  garbage(): number {
    let total = 0;
    for (let lane = 0; lane < this.lanes; lane++) {
      total += this.shm.load(laneWord(this.shm.layout, lane, Lane.FreeLength));
    }
    return total;
  }

  private notePeakGarbage(): void {
    const g = this.garbage();
    if (g > this.peakGarbage) {
      this.peakGarbage = g;
      this.shm.i32[this.counters.peak] = g;
    }
  }

  private checkStall(lane: number, announced: number, published: number): void {
    if (announced === 0 || published - announced <= this.options.stallEpochs) return;
    if (this.warnedAt[lane] === announced) return; // one warning per stalled epoch
    this.warnedAt[lane] = announced;
    this.shm.i32[this.counters.stalls]++;
    this.trace.emit(Ev.StallWarning, lane, -1, 0, 0, lane, announced, 0, 0, published);
  }

  /** Detaches the eligible prefix of a lane's free list, then frees it. */
  private drainLane(lane: number, released: number): number {
    const l = this.shm.layout;
    const i32 = this.shm.i32;
    const lock = laneWord(l, lane, Lane.FreeLock);
    const headW = laneWord(l, lane, Lane.FreeHead);
    if (this.shm.load(headW) === 0) return 0;
    this.shm.acquireLock(lock);
    // SYNC: free-list words are plain, guarded by the lane's FreeLock.
    const first = i32[headW] as number;
    let last = 0;
    let n = 0;
    for (let p = first; p !== 0 && (i32[blockWord(p, BlockField.FreedEpoch)] as number) <= released;) {
      last = p;
      n++;
      p = i32[blockWord(p, BlockField.Next)] as number;
    }
    if (n > 0) {
      const rest = i32[blockWord(last, BlockField.Next)] as number;
      i32[headW] = rest;
      if (rest === 0) i32[laneWord(l, lane, Lane.FreeTail)] = 0;
      i32[laneWord(l, lane, Lane.FreeLength)] -= n;
    }
    this.shm.releaseLock(lock);
    for (let p = first, k = 0; k < n; k++) {
      const next = i32[blockWord(p, BlockField.Next)] as number;
      this.freeBlock(p, released, lane);
      p = next;
    }
    if (n > 0 && this.handsOver) this.arena.handOver(lane);
    return n;
  }

  private freeBlock(ptr: number, released: number, lane: number): void {
    const i32 = this.shm.i32;
    if (this.shm.loadBlockState(ptr) !== BlockState.Retired) {
      // The runtime fails fast on an invalid entry during release (reference 2.7): the run stops.
      this.violations.record(Rule.DoubleFree, -1, 0, ptr, 0, `block ${ptr} on a free list is not in the retired state; the runtime fails fast here, so the run stops`);
      if (this.shm.runState() === RunState.Running) this.shm.setRunState(RunState.Stopping);
      return;
    }
    const kind = (i32[blockWord(ptr, BlockField.Info)] as number) >>> INFO_KIND_SHIFT;
    if (kind === BlockKind.WorkItem) this.runWorkItem(ptr);
    const stamp = i32[blockWord(ptr, BlockField.FreedEpoch)] as number;
    const tag = i32[blockWord(ptr, BlockField.Tag)] as number;
    this.trace.emit(Ev.Free, 0, -1, 0, 0, ptr, stamp, 0, 0, released, tag);
    this.reclaim.freedBlock(stamp);
    i32[this.counters.freed]++;
    i32[this.counters.bytesFreed] += i32[blockWord(ptr, BlockField.Size)] as number;
    if (this.handsOver) this.arena.releaseFrom(ptr, lane);
    else this.arena.release(ptr);
  }

  /** The final drain: freed blocks go to the shared free lists, not to the caches of lanes that are done. */
  stopHandOver(): void {
    this.handsOver = false;
  }
}

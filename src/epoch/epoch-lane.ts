/**
 * One lane's side of epoch-based reclamation: epochEnter / epochExit and
 * epochFree (retire), modelled on libs/runtime/ebpf_epoch.c.
 *
 * State owned by the lane (plain words, written only by the owning thread):
 * the epoch_state_t slots, the active list, ActiveCount. Shared: Announce
 * (the oldest epoch among the lane's active states, 0 when none), written
 * with an atomic store and read by the epoch manager; the lane's free list,
 * guarded by its FreeLock and drained by the manager.
 *
 * Invariant: a block is retired only after it was unlinked from every shared
 * structure (the RCU rule); it is stamped with the published epoch at retire
 * time and may be freed once every lane's announced epoch is greater than the
 * stamp (released = oldest active epoch - 1 >= stamp).
 */
import {
  BlockField, BlockState, EPOCH_STATE_SLOTS, EPOCH_STATE_WORDS, EpochStateWord, Lane, blockWord, laneWord, stateWord,
  Counter, counterWord, INFO_ALIGNED_BIT, OWNER_FREER_SHIFT, RunState,
} from '../shm/layout.js';
import { Shm } from '../shm/shm.js';
import { Arena } from '../shm/arena.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { Ev } from '../trace/events.js';
import { Rule } from '../contract/rules.js';
import { Violations } from '../trace/violations.js';
import { Mutant } from '../contract/mutants.js';
import { Irql } from '../contract/irql.js';

/** An epoch_state_t handle: the slot index of a state in this lane's record. */
export type EpochState = number;
const ALL_SLOTS = (1 << EPOCH_STATE_SLOTS) - 1;
/** Held-back retires (free-running) after which a lane tries to hand them to its free list even inside its epoch. */
const PENDING_FLUSH = 64;
/** ... and after which it waits for the FreeLock instead of only trying it. */
const PENDING_CAP = 4096;

export class EpochLane {
  private readonly i32: Int32Array;
  private readonly w: {
    irql: number; activeCount: number; activeHead: number; freeSlots: number; localEpoch: number;
    freeLock: number; freeHead: number; freeTail: number; freeLength: number;
  };
  private readonly retiredCounter: number;
  /** Word index of this lane's epoch_state slot 0. */
  private readonly stateBase: number;
  /**
   * Free-running, blocks retired inside an epoch wait in a private chain
   * (linked through BlockField.Next, owner only) and join the shared free
   * list in one FreeLock section when the lane leaves its outermost epoch
   * (or PENDING_FLUSH of them wait). The lane only tries the lock there: if
   * the manager holds it (it may be descheduled while it does), the chain
   * waits for the next exit, so no write waits for the manager unless
   * PENDING_CAP blocks wait. Nothing is freed later for it: every
   * stamp given inside the epoch is >= the epoch the lane announced, so the
   * manager could not free them before the exit anyway. Controlled mode,
   * runs that record events and retires outside an epoch go to the shared
   * list at once, as always: a chain the exit could not hand over waits for
   * the lane's next exit, which may be late enough to break
   * memory.reclaim-bound, so only unrecorded (throughput) runs hold back.
   */
  private pendingHead = 0;
  private pendingTail = 0;
  private pendingCount = 0;

  constructor(
    private readonly shm: Shm,
    readonly lane: number,
    private readonly arena: Arena,
    private readonly trace: TraceWriter,
    private readonly violations: Violations,
    private readonly mutant: number = 0,
    /** Profile switch perCpuEpochs: retire stamps with max(published, this CPU's current_epoch); exitOn forwards (src/epoch/percpu.ts). */
    private readonly perCpu = false,
  ) {
    const l = shm.layout;
    this.i32 = shm.i32;
    this.w = {
      irql: laneWord(l, lane, Lane.Irql),
      activeCount: laneWord(l, lane, Lane.ActiveCount),
      activeHead: laneWord(l, lane, Lane.ActiveHead),
      freeSlots: laneWord(l, lane, Lane.FreeSlots),
      localEpoch: laneWord(l, lane, Lane.LocalEpoch),
      freeLock: laneWord(l, lane, Lane.FreeLock),
      freeHead: laneWord(l, lane, Lane.FreeHead),
      freeTail: laneWord(l, lane, Lane.FreeTail),
      freeLength: laneWord(l, lane, Lane.FreeLength),
    };
    this.retiredCounter = counterWord(l, lane, Counter.Retired);
    this.stateBase = stateWord(l, lane, 0);
  }

  /** Takes a free epoch_state_t slot (like a stack variable in C); -1 if none is left. */
  allocateState(): EpochState {
    const free = this.i32[this.w.freeSlots] as number;
    if (free === 0) return -1;
    const slot = 31 - Math.clz32(free & -free);
    this.i32[this.w.freeSlots] = free & ~(1 << slot);
    return slot;
  }

  releaseState(slot: EpochState): void {
    this.i32[this.w.freeSlots] = ((this.i32[this.w.freeSlots] as number) | (1 << slot)) & ALL_SLOTS;
  }

  get activeCount(): number {
    return this.i32[this.w.activeCount] as number;
  }

  inEpoch(): boolean {
    return (this.i32[this.w.activeCount] as number) > 0;
  }

  /** epoch_enter: records the published epoch in `state` and links it into the active list. */
  enter(state: EpochState): void {
    const i32 = this.i32;
    const s = this.stateBase + state * EPOCH_STATE_WORDS;
    const epoch = this.shm.peekPublishedEpoch(); // SYNC: see Shm.peekPublishedEpoch
    const head = i32[this.w.activeHead] as number;
    i32[s + EpochStateWord.NextLo] = head;
    i32[s + EpochStateWord.PrevLo] = -1;
    i32[s + EpochStateWord.EpochLo] = epoch;
    i32[s + EpochStateWord.Cpu] = this.lane;
    i32[s + EpochStateWord.IrqlAtEnter] = i32[this.w.irql] as number;
    if (head >= 0) i32[this.stateBase + head * EPOCH_STATE_WORDS + EpochStateWord.PrevLo] = state;
    i32[this.w.activeHead] = state;
    i32[this.w.localEpoch] = epoch;
    const count = (i32[this.w.activeCount] as number) + 1;
    i32[this.w.activeCount] = count;
    // Nested enters read a published epoch >= the outer one, so only the
    // outermost enter changes the lane's announcement.
    if (count === 1) this.shm.storeAnnounce(this.lane, epoch);
    if (this.trace.on) this.trace.emit(Ev.EpochEnter, state, -1, 0, 0, epoch, count, 0, 0);
  }

  /** epoch_exit: unlinks `state`; must run at the IRQL of its enter. */
  exit(state: EpochState): void {
    const i32 = this.i32;
    const s = this.stateBase + state * EPOCH_STATE_WORDS;
    if (!this.isActive(state)) return this.unpaired(state);
    if (i32[this.w.irql] !== i32[s + EpochStateWord.IrqlAtEnter]) this.wrongIrql(s);
    const next = i32[s + EpochStateWord.NextLo] as number;
    const prev = i32[s + EpochStateWord.PrevLo] as number;
    if (prev >= 0) i32[this.stateBase + prev * EPOCH_STATE_WORDS + EpochStateWord.NextLo] = next;
    else i32[this.w.activeHead] = next;
    if (next >= 0) i32[this.stateBase + next * EPOCH_STATE_WORDS + EpochStateWord.PrevLo] = prev;
    i32[s + EpochStateWord.Cpu] = -1;
    const count = (i32[this.w.activeCount] as number) - 1;
    i32[this.w.activeCount] = count;
    if (this.trace.on) this.trace.emit(Ev.EpochExit, state, -1, 0, 0, i32[s + EpochStateWord.EpochLo] as number, count, 0, 0);
    this.shm.storeAnnounce(this.lane, count === 0 ? 0 : this.oldestActiveEpoch());
    if (count === 0 && this.pendingCount !== 0) this.flushRetired(this.pendingCount >= PENDING_CAP);
  }

  private unpaired(state: EpochState): void {
    this.violations.record(Rule.Unpaired, -1, 0, 0, 0, `epoch_exit of state ${state} that is not entered on lane ${this.lane}`);
  }

  private wrongIrql(s: number): void {
    this.violations.record(Rule.ExitIrql, -1, 0, 0, 0,
      `epoch_exit at IRQL ${this.i32[this.w.irql]}, entered at ${this.i32[s + EpochStateWord.IrqlAtEnter]}`);
  }

  /** Smallest epoch among the active states (owner only). */
  private oldestActiveEpoch(): number {
    let min = 0;
    for (let slot = this.i32[this.w.activeHead] as number; slot >= 0;) {
      const s = this.stateBase + slot * EPOCH_STATE_WORDS;
      const e = this.i32[s + EpochStateWord.EpochLo] as number;
      if (min === 0 || e < min) min = e;
      slot = this.i32[s + EpochStateWord.NextLo] as number;
    }
    return min;
  }

  private isActive(state: EpochState): boolean {
    if (state < 0 || state >= EPOCH_STATE_SLOTS) return false;
    return this.i32[this.stateBase + state * EPOCH_STATE_WORDS + EpochStateWord.Cpu] === this.lane &&
      ((this.i32[this.w.freeSlots] as number) & (1 << state)) === 0;
  }

  /**
   * epoch_free / epoch_free_cache_aligned: stamps the block with the
   * published epoch and queues it on this lane's free list. A second free of
   * the same block is a violation and is not performed, and the run stops at
   * the next operation boundary: the runtime fails fast when a block's
   * freed_epoch is already set (reference 2.5, 2.7; scenario 49). The seed
   * says nothing of a double free, so both profiles do this.
   */
  retire(ptr: number, aligned: boolean, map = -1): void {
    if (ptr === 0) return; // freeing NULL is a no-op, as in the runtime
    if (!this.arena.isBlockPointer(ptr)) {
      this.violations.record(Rule.WildPointer, map, 0, ptr, 0, `epoch_free of ${ptr}, which is not an arena block`);
      return;
    }
    const blockAligned = ((this.i32[blockWord(ptr, BlockField.Info)] as number) & INFO_ALIGNED_BIT) !== 0;
    if (blockAligned !== aligned) {
      this.violations.record(Rule.FreeMismatch, map, 0, ptr, 0,
        `${aligned ? 'epoch_free_cache_aligned' : 'epoch_free'} of a block allocated ${blockAligned ? 'cache aligned' : 'unaligned'}`);
    }
    if (!this.shm.transitionBlock(ptr, BlockState.Allocated, BlockState.Retired)) {
      const st = this.shm.loadBlockState(ptr);
      this.violations.record(Rule.DoubleFree, map, 0, ptr, st,
        `epoch_free of block ${ptr} (tag ${this.i32[blockWord(ptr, BlockField.Tag)]}) that is already ${st === BlockState.Retired ? 'retired' : 'free'}` +
        `; the runtime fails fast here (freed_epoch already set), so the run stops`);
      if (this.shm.runState() === RunState.Running) this.shm.setRunState(RunState.Stopping);
      return;
    }
    const stamp = this.retireStamp();
    this.stampRetired(ptr, stamp);
    if (!this.shm.controlled && !this.trace.on && (this.i32[this.w.activeCount] as number) > 0) this.holdRetired(ptr);
    else this.enqueueRetired(ptr);
    if (this.trace.on) this.trace.emit(Ev.Retire, 0, map, 0, 0, ptr, stamp, 0, 0, this.i32[blockWord(ptr, BlockField.Tag)] as number);
  }

  /** The freed_epoch a retire gives its block now. */
  private retireStamp(): number {
    if (this.perCpu) {
      const current = this.shm.loadCurrentEpoch(this.lane);
      // The percpu-local-stamp mutant is issue 4920 in the per-CPU model: the CPU's lagging current_epoch alone.
      if (this.mutant === Mutant.PercpuLocalStamp) return current;
      return Math.max(this.shm.loadPublishedEpoch(), current); // PR 4924's stamp (reference 2.5)
    }
    // The local-epoch-stamp mutant is eBPF for Windows issue 4920: a CPU's own lagging epoch.
    return this.mutant === Mutant.LocalEpochStamp ? this.i32[this.w.localEpoch] as number : this.shm.loadPublishedEpoch();
  }

  /**
   * epoch_exit by a thread that now runs on CPU `cpu` (it migrated inside
   * its epoch; reference 2.4). With per-CPU epochs, an epoch entered at
   * DISPATCH fails fast (recorded; the exit is then made so the run goes
   * on), and one entered at PASSIVE is forwarded: the enter CPU's messenger
   * runs the exit at DISPATCH with the recorded IRQL set to DISPATCH, while
   * the thread waits (this lane's thread runs it: a lane is its CPU). The
   * documented model has no per-CPU epoch state: a plain exit.
   */
  exitOn(state: EpochState, cpu: number): void {
    if (!this.perCpu || cpu === this.lane || !this.isActive(state)) return this.exit(state);
    const i32 = this.i32;
    const s = this.stateBase + state * EPOCH_STATE_WORDS;
    if ((i32[s + EpochStateWord.IrqlAtEnter] as number) >= Irql.Dispatch) {
      this.violations.record(Rule.MigrateDispatch, -1, 0, 0, 0,
        `epoch_exit on CPU ${cpu} of an epoch entered at DISPATCH on CPU ${this.lane}: the runtime fails fast`);
      return this.exit(state);
    }
    if (this.trace.on) this.trace.emit(Ev.EpochExitForwarded, state, -1, 0, 0, cpu, this.lane, 0, 0);
    const irql = i32[this.w.irql] as number;
    i32[this.w.irql] = Irql.Dispatch;
    i32[s + EpochStateWord.IrqlAtEnter] = Irql.Dispatch;
    this.exit(state);
    i32[this.w.irql] = irql;
  }

  /**
   * Moves the blocks held back by holdRetired to the shared free list (one
   * FreeLock section); unless `wait`, only if the lock is free right now.
   */
  flushRetired(wait = true): void {
    if (this.pendingCount === 0) return;
    if (wait) this.shm.acquireLock(this.w.freeLock);
    else if (!this.shm.tryLock(this.w.freeLock)) return;
    this.appendLocked(this.pendingHead, this.pendingTail, this.pendingCount);
    this.shm.releaseLock(this.w.freeLock);
    this.pendingHead = 0;
    this.pendingTail = 0;
    this.pendingCount = 0;
  }

  private stampRetired(ptr: number, stamp: number): void {
    const i32 = this.i32;
    const h = blockWord(ptr, 0);
    i32[h + BlockField.FreedEpoch] = stamp;
    i32[h + BlockField.Next] = 0;
    i32[h + BlockField.Owner] = ((i32[h + BlockField.Owner] as number) & 0xffff) | ((this.lane + 1) << OWNER_FREER_SHIFT);
    i32[this.retiredCounter]++;
  }

  /** Appends a stamped block to the private chain (see pendingHead). */
  private holdRetired(ptr: number): void {
    if (this.pendingTail === 0) this.pendingHead = ptr;
    else this.i32[blockWord(this.pendingTail, BlockField.Next)] = ptr;
    this.pendingTail = ptr;
    if (++this.pendingCount >= PENDING_FLUSH) this.flushRetired(this.pendingCount >= PENDING_CAP);
  }

  /** Appends one stamped block to this lane's FIFO free list. */
  private enqueueRetired(ptr: number): void {
    this.shm.acquireLock(this.w.freeLock);
    this.appendLocked(ptr, ptr, 1);
    this.shm.releaseLock(this.w.freeLock);
  }

  /** Appends a chain of `n` stamped blocks, `head` .. `tail`, to the free list; FreeLock is held. */
  private appendLocked(head: number, tail: number, n: number): void {
    const i32 = this.i32;
    // SYNC: the free-list words and the chain's Next links (written before
    // the lock) are plain, published to the manager by FreeLock.
    const last = i32[this.w.freeTail] as number;
    if (last === 0) i32[this.w.freeHead] = head;
    else i32[blockWord(last, BlockField.Next)] = head;
    i32[this.w.freeTail] = tail;
    i32[this.w.freeLength] += n;
  }
}

/**
 * Everything one lane (a simulated CPU, or the system lane of the epoch
 * manager) needs to act on shared state: the gateway, its trace writer, the
 * arena, its epoch participant, memory access, and its IRQL.
 *
 * The lane's IRQL lives in its shared record (Lane.Irql) so that other
 * threads (watchdog, reports) can see it; only the owning thread writes it.
 */
import {
  BlockField, BlockState, Ctl, Lane, Counter, blockWord, counterWord, laneWord, scratchByte,
} from '../shm/layout.js';
import { RunAborted, Shm } from '../shm/shm.js';
import { Arena } from '../shm/arena.js';
import { blockAt, describeBlock } from '../shm/block-where.js';
import { Memory } from '../shm/memory.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { EpochLane } from '../epoch/epoch-lane.js';
import { Violations } from '../trace/violations.js';
import { Ev } from '../trace/events.js';
import { Irql } from '../contract/irql.js';
import { Rule } from '../contract/rules.js';

export class LaneContext {
  readonly trace: TraceWriter;
  readonly violations: Violations;
  readonly arena: Arena;
  readonly epoch: EpochLane;
  readonly mem: Memory;
  readonly i32: Int32Array;
  /**
   * True when a lookup checks that the blocks it read are still live (the
   * bucket, the value, before and after the provider's find): whenever a
   * detector needs it, that is with the checker on (tracing), in controlled
   * mode, or with a planted bug. A throughput run (free-running, no trace,
   * no mutant) skips those header reads; nothing is checked there anyway.
   */
  readonly checksLiveness: boolean;
  private readonly irqlWord: number;
  private readonly announceWord: number;
  private readonly counterBase: number;

  constructor(readonly shm: Shm, readonly lane: number, allocFailAt: ReadonlySet<number> = new Set(),
    /** The planted bug, if any (Mutant.*). */
    readonly mutant: number = 0,
    /** Bucket-lock attempts that fail spuriously (faults.spuriousLockFailAt), or null. */
    readonly spuriousLocks: ReadonlySet<number> | null = null,
    /** Profile switch perCpuEpochs (src/epoch/percpu.ts). */
    perCpuEpochs = false) {
    this.i32 = shm.i32;
    this.trace = new TraceWriter(shm, lane);
    this.violations = new Violations(shm, lane, this.trace);
    this.arena = new Arena(shm, allocFailAt, lane);
    if (this.arena.checked) this.arena.onRedZone = (ptr, at) => this.redZoneWritten(ptr, at);
    this.epoch = new EpochLane(shm, lane, this.arena, this.trace, this.violations, mutant, perCpuEpochs);
    this.mem = new Memory(shm, (ptr, gen, write) => this.violations.record(Rule.UseAfterFree, -1, 0, ptr, gen,
      this.arena.isBlockPointer(ptr)
        ? `${write ? 'write to' : 'read of'} block ${ptr} (generation ${gen}) after it was freed`
        : `${write ? 'write' : 'read'} through ${ptr} (generation ${gen}), a reference that is no block: it was read from freed memory`));
    this.irqlWord = laneWord(shm.layout, lane, Lane.Irql);
    this.announceWord = laneWord(shm.layout, lane, Lane.Announce);
    if (this.trace.on) this.mem.onRead = (ptr) => this.recordRead(ptr);
    this.counterBase = counterWord(shm.layout, lane, 0);
    this.checksLiveness = this.trace.on || shm.controlled || mutant !== 0;
  }

  /** "CPU n", or "the system lane" for the epoch manager's lane. */
  get label(): string {
    return this.lane === this.shm.layout.lanes - 1 ? 'the system lane (cpu -1)' : `CPU ${this.lane}`;
  }

  get irql(): number {
    return this.i32[this.irqlWord] as number;
  }

  /** KeRaiseIrql to DISPATCH; returns the previous IRQL for lowerIrql. */
  raiseIrql(): number {
    const old = this.i32[this.irqlWord] as number;
    this.i32[this.irqlWord] = Irql.Dispatch;
    return old;
  }

  lowerIrql(old: number): void {
    this.i32[this.irqlWord] = old;
  }

  setIrql(irql: number): void {
    this.i32[this.irqlWord] = irql;
  }

  /** Byte offset of one of this lane's scratch buffers (Scratch.*). */
  scratch(part: number): number {
    return scratchByte(this.shm.layout, this.lane, part);
  }

  count(counter: number, delta = 1): void {
    this.i32[this.counterBase + counter] += delta;
  }

  counter(counter: number): number {
    return this.i32[this.counterBase + counter] as number;
  }

  /** Marks progress for the watchdog and records the operation in flight. */
  heartbeat(op: number, map: number): void {
    const base = this.counterBase - Lane.CounterBase;
    this.i32[base + Lane.Heartbeat]++;
    this.i32[base + Lane.LastOp] = op;
    this.i32[base + Lane.LastMap] = map;
  }

  /** Marks progress without naming a new operation (each invocation of a long program batch). */
  beat(): void {
    this.i32[this.counterBase - Lane.CounterBase + Lane.Heartbeat]++;
  }

  /** Says which provider code runs on this lane now (Lane.InCallback: Cb number + 1, WORK_ITEM_RUNNING, 0 = none). */
  setInCallback(what: number): void {
    this.i32[this.counterBase - Lane.CounterBase + Lane.InCallback] = what;
  }

  /**
   * Records a read of a block for the age oracle (tracing only): its retire
   * stamp (0 while live), this lane's oldest active epoch (0 outside any
   * epoch), and the published epoch now.
   */
  recordRead(ptr: number): void {
    const i32 = this.i32;
    const state = i32[blockWord(ptr, BlockField.State)] as number;
    const published = this.shm.load(Ctl.PublishedEpoch);
    let stamp = state === BlockState.Retired ? i32[blockWord(ptr, BlockField.FreedEpoch)] as number : 0;
    // A retire in progress marks the block before it stamps it; its stamp
    // will be at least the published epoch now.
    if (state === BlockState.Retired && stamp === 0) stamp = published;
    this.trace.emit(Ev.Read, state, -1, 0, 0, ptr, stamp, 0, 0, i32[this.announceWord] as number, published);
  }

  /**
   * Frees a block at once, not through the epoch (ExFreePool; the
   * free-immediately mutant): any reader still holding it reads freed memory.
   */
  freeNow(ptr: number): void {
    if (!this.shm.transitionBlock(ptr, BlockState.Allocated, BlockState.Retired)) {
      this.violations.record(Rule.DoubleFree, -1, 0, ptr, 0, `immediate free of block ${ptr}, which is not allocated`);
      return;
    }
    if (this.trace.on) this.trace.emit(Ev.Free, 0, -1, 0, 0, ptr, 0, 0, 0, 0, this.i32[blockWord(ptr, BlockField.Tag)] as number);
    this.arena.release(ptr);
  }

  /** The memory checker's backstop: a freed block's red zone was written by an access the checker did not see. */
  private redZoneWritten(ptr: number, at: number): void {
    const block = describeBlock(this.shm, blockAt(this.shm, ptr));
    this.violations.record(Rule.Overflow, -1, 0, ptr, at,
      `${block} was written past its end: its red zone changed ${at - ptr - (this.i32[blockWord(ptr, BlockField.Size)] as number)} bytes past its end, found when ${this.label} freed it`);
  }

  /** Marks the lane idle (its task ended): the watchdog stops watching it. */
  idle(): void {
    this.i32[this.counterBase - Lane.CounterBase + Lane.LastOp] = -1;
    try {
      this.epoch.flushRetired(); // an aborted task may have left an epoch unexited
      this.arena.returnCache();
    } catch (err) {
      // A lock wait gives up once the run is aborted: the blocks stay where
      // they are (retired or free, never reachable), and the task ends.
      if (!(err instanceof RunAborted)) throw err;
    }
  }

  /** Tracks bucket spinlocks held by this lane (callbacks report bucketLockHeld). */
  lockHeld(delta: number): void {
    this.i32[this.counterBase - Lane.CounterBase + Lane.BucketLocksHeld] += delta;
  }

  get locksHeld(): number {
    return this.i32[this.counterBase - Lane.CounterBase + Lane.BucketLocksHeld] as number;
  }

  /** epoch_allocate_with_tag through this lane (counts allocations). */
  allocate(size: number, tag: number, aligned: boolean, kind = 0): number {
    const ptr = this.arena.allocate(size, tag, aligned, kind);
    if (ptr === 0) this.count(Counter.AllocFailed);
    else this.count(Counter.Allocated);
    return ptr;
  }
}

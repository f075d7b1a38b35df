/**
 * The Atomics gateway. Only src/shm/ calls Atomics; every other module goes
 * through a named method here, which also calls the scheduling gate first
 * (src/shm/gate.ts), so a controlled scheduler can decide who runs.
 *
 * In JavaScript every Atomics operation is sequentially consistent and plain
 * typed-array accesses are unordered. Each method's comment says which plain
 * writes it publishes, or which it makes visible, so the `// SYNC:` notes at
 * the call sites can point here.
 */
import {
  Ctl, Layout, LayoutConfig, RunState, computeLayout, laneWord,
  Lane, LAYOUT_MAGIC, LAYOUT_VERSION, LINE_BYTES, WORD_BYTES, blockWord, BlockField, Counter, counterWord,
} from './layout.js';
import { Step, StepGate, freeGate } from './gate.js';

/** Thrown inside a lane when the run was aborted (watchdog, fatal error). */
export class RunAborted extends Error {
  constructor(reason: string) {
    super(`run aborted: ${reason}`);
    this.name = 'RunAborted';
  }
}

const SPIN_BEFORE_WAIT = 256;
const LOCK_CONTENDED = 1 << 16;
/** Every Atomics.wait in epochlab is bounded; this is the spinlock's slice. */
export const LOCK_WAIT_SLICE_MS = 1;

export class Shm {
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  /** The memory checker's shadow: per arena line, the lines back to its block's start (Layout.lineMapBase). */
  readonly lineMap: Uint16Array;
  /** The lane this thread acts as (-1 for the main thread, which only observes). */
  lane = -1;
  gate: StepGate = freeGate;
  /** Controlled mode: spins yield at their scheduling points instead of waiting on the clock. */
  controlled = false;

  /** Word index of each lane's Announce field (precomputed: enter/exit are hot). */
  private readonly announceWords: Int32Array;
  /** This thread's performance.now() origin, relative to the run's start (ms); see traceTime. */
  private clockOffsetMs = 0;

  constructor(readonly sab: SharedArrayBuffer, readonly layout: Layout) {
    this.i32 = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.lineMap = new Uint16Array(sab, layout.lineMapBase, (layout.arenaEnd - layout.arenaBase) / LINE_BYTES);
    this.announceWords = new Int32Array(layout.lanes);
    for (let lane = 0; lane < layout.lanes; lane++) this.announceWords[lane] = laneWord(layout, lane, Lane.Announce);
  }

  /** Allocates and initialises a fresh buffer (main thread, before workers). */
  static create(config: LayoutConfig, hashSeed: number): Shm {
    const layout = computeLayout(config);
    const shm = new Shm(new SharedArrayBuffer(layout.totalBytes), layout);
    const w = shm.i32;
    w[Ctl.Magic] = LAYOUT_MAGIC;
    w[Ctl.Version] = LAYOUT_VERSION;
    w[Ctl.Cpus] = config.cpus;
    w[Ctl.Lanes] = layout.lanes;
    w[Ctl.MapCount] = config.mapBuckets.length;
    w[Ctl.HashSeed] = hashSeed | 0;
    w[Ctl.TraceRecords] = config.traceRecords;
    w[Ctl.ArenaBase] = layout.arenaBase;
    w[Ctl.ArenaEnd] = layout.arenaEnd;
    w[Ctl.ArenaBump] = layout.arenaBase;
    w[Ctl.PublishedEpoch] = 1; // the published epoch starts at 1
    w[Ctl.ReleasedEpoch] = 0;
    for (let lane = 0; lane < layout.lanes; lane++) {
      w[laneWord(layout, lane, Lane.ActiveHead)] = -1;
      w[laneWord(layout, lane, Lane.FreeSlots)] = 0xff; // EPOCH_STATE_SLOTS free
      w[laneWord(layout, lane, Lane.LastOp)] = -1;
      w[laneWord(layout, lane, Lane.CurrentEpoch)] = 1; // current_epoch starts at 1 (reference 2.2)
    }
    // SYNC: workers receive the buffer through postMessage after these plain
    // writes; the structured-clone handoff orders them before the first read.
    return shm;
  }

  /** Attaches to a buffer made by Shm.create (in a worker). */
  static attach(sab: SharedArrayBuffer, config: LayoutConfig, lane: number): Shm {
    const shm = new Shm(sab, computeLayout(config));
    if (shm.i32[Ctl.Magic] !== LAYOUT_MAGIC) throw new Error('shared buffer has no epochlab layout');
    shm.lane = lane;
    // SYNC: RunStartMs was written with a plain store before the main thread
    // posted this task; the task message orders that store before this read.
    shm.clockOffsetMs = performance.timeOrigin - new Float64Array(sab, Ctl.RunStartMs * WORD_BYTES, 1)[0]!;
    return shm;
  }

  /** Main thread, before any task: the run begins now (trace times count from here). */
  markRunStart(): void {
    new Float64Array(this.sab, Ctl.RunStartMs * WORD_BYTES, 1)[0] = performance.timeOrigin + performance.now();
  }

  /**
   * The time a trace record carries: the scheduling decision index in
   * controlled mode (so a controlled trace is the same on every run), else
   * nanoseconds since the run began on a clock shared by every thread
   * (each thread's performance.now() shifted by its time origin).
   */
  traceTime(): number {
    if (this.controlled) return Atomics.load(this.i32, Ctl.SchedDecisions);
    return Math.round((this.clockOffsetMs + performance.now()) * 1e6);
  }

  // ---- generic words -------------------------------------------------------

  load(word: number): number {
    return Atomics.load(this.i32, word);
  }

  store(word: number, value: number): void {
    Atomics.store(this.i32, word, value);
  }

  /** Atomic add; returns the previous value. A scheduling point. */
  add(word: number, delta: number): number {
    this.gate.point(Step.Counter);
    return Atomics.add(this.i32, word, delta);
  }

  /** Compare-exchange; returns the previous value. A scheduling point. */
  cas(word: number, expected: number, value: number): number {
    this.gate.point(Step.Counter);
    return Atomics.compareExchange(this.i32, word, expected, value);
  }

  /** Takes a word's value and leaves 0 (an atomic exchange): a lane takes a chain handed to it. */
  takeWord(word: number): number {
    return Atomics.exchange(this.i32, word, 0);
  }

  /** A bounded wait (every Atomics.wait in epochlab has a timeout). */
  waitWord(word: number, expected: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' {
    this.gate.point(Step.Wait);
    return Atomics.wait(this.i32, word, expected, timeoutMs);
  }

  /** Sleeps this thread for `ms` (a bounded wait on a word that never changes). */
  sleep(ms: number): void {
    this.gate.point(Step.Wait);
    // Controlled mode has no wall clock: a sleep is one scheduling point.
    if (ms > 0 && !this.controlled) Atomics.wait(this.i32, Ctl.Magic, LAYOUT_MAGIC, ms);
  }

  /**
   * Busy-waits `us` microseconds on this CPU (KeStallExecutionProcessor),
   * at any IRQL. Controlled mode has no clock: each microsecond is one
   * scheduling point (not a yield: the CPU keeps spinning, it waits for
   * nobody), so other lanes may run meanwhile, as on a real machine. Capped
   * at 1,000 points.
   */
  busyWait(us: number): void {
    if (this.controlled) {
      for (let i = Math.min(us, 1000); i > 0; i--) this.gate.point(Step.Stall);
      return;
    }
    const until = performance.now() + us / 1000;
    while (performance.now() < until) { /* spin */ }
  }

  /** Async bounded wait for the main thread, which must not block. */
  waitWordAsync(word: number, expected: number, timeoutMs: number): Promise<string> {
    const r = Atomics.waitAsync(this.i32, word, expected, timeoutMs);
    return r.async ? r.value : Promise.resolve(r.value);
  }

  notifyWord(word: number): void {
    Atomics.notify(this.i32, word);
  }

  // ---- run state -----------------------------------------------------------

  runState(): number {
    return Atomics.load(this.i32, Ctl.RunState);
  }

  setRunState(state: number): void {
    Atomics.store(this.i32, Ctl.RunState, state);
    Atomics.notify(this.i32, Ctl.RunState);
  }

  throwIfAborted(): void {
    if (Atomics.load(this.i32, Ctl.RunState) === RunState.Aborted) throw new RunAborted('watchdog or fatal error');
  }

  // ---- epochs --------------------------------------------------------------

  /** The global published epoch. SYNC: pairs with advancePublishedEpoch. */
  loadPublishedEpoch(): number {
    this.gate.point(Step.EpochRead);
    return Atomics.load(this.i32, Ctl.PublishedEpoch);
  }

  /**
   * The published epoch as epoch_enter needs it: a plain read, which may
   * return an older value than an atomic load would (never a newer one: the
   * word only grows). An older epoch is a conservative announcement: the
   * lane holds back more reclamation, never less. SYNC: safety rests on
   * storeAnnounce (sequentially consistent) and the manager's
   * advancePublishedEpoch / loadAnnounce, not on the value read here: a
   * block the manager frees was unlinked before its retire's atomic
   * loadPublishedEpoch, which precedes the advance, which precedes the scan
   * that missed this lane's announcement, which precedes the announcement and
   * every pointer load after it. In controlled mode the baton handoff (an
   * atomic) orders this read, so it returns exactly the latest value.
   * Retire must not use this: a stale stamp is eBPF for Windows issue 4920.
   * (An atomic load costs about 20 ns in Node 20, as much as a store.)
   */
  peekPublishedEpoch(): number {
    this.gate.point(Step.EpochRead);
    return this.i32[Ctl.PublishedEpoch] as number;
  }

  /** Advances the published epoch; returns the new value (manager only). */
  advancePublishedEpoch(): number {
    this.gate.point(Step.EpochAdvance);
    return Atomics.add(this.i32, Ctl.PublishedEpoch, 1) + 1;
  }

  /**
   * Publishes a lane's oldest active epoch (0 = not in an epoch). SYNC: the
   * manager reads it with loadAnnounce after it advanced the published epoch;
   * a reader's pointer loads come after this store, so either the manager sees
   * the reader or the reader cannot reach anything retired before the scan.
   */
  storeAnnounce(lane: number, epoch: number): void {
    this.gate.point(Step.EpochAnnounce);
    Atomics.store(this.i32, this.announceWords[lane] as number, epoch);
  }

  loadAnnounce(lane: number): number {
    this.gate.point(Step.EpochScan);
    return Atomics.load(this.i32, this.announceWords[lane] as number);
  }

  /**
   * The per-CPU model's current_epoch of `lane`, set by the PROPOSE that
   * reaches it (manager only). SYNC: the store follows the manager's
   * advancePublishedEpoch, so a lane that reads this value and then the
   * published epoch never sees the published epoch older than it.
   */
  storeCurrentEpoch(lane: number, epoch: number): void {
    Atomics.store(this.i32, laneWord(this.layout, lane, Lane.CurrentEpoch), epoch);
  }

  /** A lane's current_epoch (per-CPU model; its retire reads its own). SYNC: pairs with storeCurrentEpoch. */
  loadCurrentEpoch(lane: number): number {
    this.gate.point(Step.EpochRead);
    return Atomics.load(this.i32, laneWord(this.layout, lane, Lane.CurrentEpoch));
  }

  /** A lane's released_epoch (per-CPU model), set by the COMMIT that reaches it (manager only). */
  storeLaneReleased(lane: number, epoch: number): void {
    this.gate.point(Step.EpochAdvance);
    Atomics.store(this.i32, laneWord(this.layout, lane, Lane.ReleasedEpoch), epoch);
  }

  storeReleasedEpoch(epoch: number): void {
    Atomics.store(this.i32, Ctl.ReleasedEpoch, epoch);
  }

  loadReleasedEpoch(): number {
    return Atomics.load(this.i32, Ctl.ReleasedEpoch);
  }

  // ---- spinlocks -----------------------------------------------------------

  /**
   * Acquires a spinlock word (0 = free, lane + 1 = held). Spins, then waits in
   * bounded slices; gives up with RunAborted when the run is aborted.
   * SYNC: the successful compareExchange acquires every plain write made by
   * the previous holder before its releaseLock.
   */
  acquireLock(word: number): number {
    const me = this.lane + 1;
    let spins = 0;
    for (;;) {
      this.gate.point(spins === 0 ? Step.LockTry : Step.LockSpin);
      const seen = Atomics.compareExchange(this.i32, word, 0, me);
      if (seen === 0) return spins;
      spins++;
      if (spins > SPIN_BEFORE_WAIT && !this.controlled) this.waitForLock(word, seen);
      else if (this.controlled) this.throwIfAborted();
    }
  }

  /** One try at a spinlock word; true when this lane now holds it. SYNC: as acquireLock. */
  tryLock(word: number): boolean {
    this.gate.point(Step.LockTry);
    return Atomics.compareExchange(this.i32, word, 0, this.lane + 1) === 0;
  }

  /**
   * Acquires a bucket spinlock; the `spurious` attempts (1-based, counted over
   * the run) fail as if the compare-exchange had lost, once each.
   */
  acquireBucketLock(word: number, spurious: ReadonlySet<number> | null): number {
    if (spurious === null) return this.acquireLock(word);
    for (;;) {
      const attempt = Atomics.add(this.i32, Ctl.LockAttempts, 1) + 1;
      if (!spurious.has(attempt)) return this.acquireLock(word);
      this.gate.point(Step.LockSpin); // the failed try: yield as a spin would
      this.i32[counterWord(this.layout, this.lane, Counter.SpuriousLockFailures)]++;
    }
  }

  private waitForLock(word: number, seen: number): void {
    this.throwIfAborted();
    const flagged = seen | LOCK_CONTENDED;
    if (seen !== flagged && Atomics.compareExchange(this.i32, word, seen, flagged) !== seen) return;
    Atomics.wait(this.i32, word, flagged, LOCK_WAIT_SLICE_MS);
  }

  /** Releases a spinlock. SYNC: publishes the holder's plain writes. */
  releaseLock(word: number): void {
    this.gate.point(Step.LockRelease);
    const old = Atomics.exchange(this.i32, word, 0);
    if ((old & LOCK_CONTENDED) !== 0) Atomics.notify(this.i32, word);
  }

  lockHolder(word: number): number {
    return (Atomics.load(this.i32, word) & (LOCK_CONTENDED - 1)) - 1;
  }

  // ---- buckets -------------------------------------------------------------

  /**
   * Reads a bucket pointer from its head word (slotWord(..., SlotField.Head),
   * which MapInfo caches). SYNC: acquires the entries published below.
   */
  loadBucketHead(headWord: number): number {
    this.gate.point(Step.BucketRead);
    return Atomics.load(this.i32, headWord);
  }

  /**
   * Publishes a new immutable bucket with one atomic store. SYNC: the plain
   * writes that filled the bucket's entries happen before this store, so a
   * reader that loads the pointer sees a complete bucket.
   */
  publishBucketHead(headWord: number, ptr: number): void {
    this.gate.point(Step.BucketPublish);
    Atomics.store(this.i32, headWord, ptr);
  }

  // ---- blocks --------------------------------------------------------------

  /** A scheduling point before a plain read or write of a block's bytes. */
  touch(write: boolean): void {
    this.gate.point(write ? Step.BlockWrite : Step.BlockRead);
  }

  /** Sets a block's state. SYNC: publishes the header fields written before it. */
  setBlockState(ptr: number, state: number): void {
    this.gate.point(Step.BlockState);
    Atomics.store(this.i32, blockWord(ptr, BlockField.State), state);
  }

  loadBlockState(ptr: number): number {
    return Atomics.load(this.i32, blockWord(ptr, BlockField.State));
  }

  /** Atomically moves a block from one state to another; false if it was not in `from`. */
  transitionBlock(ptr: number, from: number, to: number): boolean {
    this.gate.point(Step.BlockState);
    return Atomics.compareExchange(this.i32, blockWord(ptr, BlockField.State), from, to) === from;
  }

  /**
   * Marks the arena line at byte offset `start` as a block start, and each of
   * the block's `bytes / 64` lines with its distance to that start (set
   * once, when the block is carved from the bump pointer; blocks never split).
   * SYNC: the Atomics.or publishes the mark and the line map's plain stores
   * before it; isBlockStart reads it atomically. The memory checker reads the
   * line map plainly, for a pointer already published to it by the Atomics
   * store that made its block reachable (setBlockState at allocation).
   */
  markBlockStart(start: number, bytes: number): void {
    const line = (start - this.layout.arenaBase) / LINE_BYTES;
    const lines = bytes / LINE_BYTES;
    for (let i = 0; i < lines; i++) this.lineMap[line + i] = i;
    Atomics.or(this.i32, this.layout.blockMapBase + (line >>> 5), 1 << (line & 31));
  }

  isBlockStart(start: number): boolean {
    const line = (start - this.layout.arenaBase) / LINE_BYTES;
    return (Atomics.load(this.i32, this.layout.blockMapBase + (line >>> 5)) & (1 << (line & 31))) !== 0;
  }

  /** Trace-ring cursor store (see src/shm/trace-ring.ts). */
  storeCursor(word: number, value: number): void {
    Atomics.store(this.i32, word, value);
  }
}

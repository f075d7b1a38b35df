/**
 * The one place that defines where everything lives in the SharedArrayBuffer.
 *
 * Units: a *word* is one Int32 slot; a *line* is 16 words (64 bytes), the
 * cache-line size we pad hot fields to so that two CPUs writing their own
 * fields never share a line. Pointers into the arena are *byte* offsets from
 * the start of the buffer (0 = NULL), like kernel virtual addresses.
 *
 * Regions, in order:
 *   control block | lane records | map headers | bucket slot arrays |
 *   trace rings   | trace text rings | lane scratch | block-start map |
 *   block line map | arena
 *
 * A *lane* is an execution context that owns a per-CPU record: lanes
 * 0..cpus-1 are the simulated CPUs; lane `cpus` is the system lane, used by
 * the epoch manager thread (it runs deferred work items, like the kernel's
 * system worker threads). Nothing outside this file computes an offset.
 */

export const WORD_BYTES = 4;
export const LINE_WORDS = 16;
export const LINE_BYTES = LINE_WORDS * WORD_BYTES;
export const LAYOUT_MAGIC = 0x45504c42; // "EPLB"
export const LAYOUT_VERSION = 3;

/** Control block words. Hot words sit alone on their own line. */
export const Ctl = {
  // line 0: written once by the main thread before any worker starts.
  Magic: 0,
  Version: 1,
  Cpus: 2, ///< number of simulated CPUs (lanes 0..cpus-1)
  Lanes: 3, ///< cpus + 1 (the system lane)
  TraceOn: 4, ///< 1 when events go to the trace rings
  MapCount: 5,
  HashSeed: 6,
  TraceRecords: 7, ///< records per lane ring
  ProfileId: 8,
  ArenaBase: 9, ///< byte offset of the arena
  ArenaEnd: 10, ///< byte offset one past the arena
  /**
   * When the run began (words 12-13, a float64: milliseconds on the shared
   * clock performance.timeOrigin + performance.now()). Written by the main
   * thread before any task starts (the task message publishes it); read by
   * every lane once, to stamp its trace records with time since the run began.
   */
  RunStartMs: 12,
  // line 1: the global published epoch. Written only by the epoch manager
  // (Atomics.add); read by every epochEnter and every retire (Atomics.load).
  PublishedEpoch: 16,
  // line 2: epoch manager outputs, written by the manager only.
  ReleasedEpoch: 32, ///< every block stamped <= this may be (or was) freed
  EpochAdvances: 33,
  ManagerHeartbeat: 34,
  /**
   * The per-CPU epoch computation (profile perCpuEpochs, reference 2.5): the
   * message on its way around the ring (EpochMessage.*), the CPU it is at,
   * the epoch CPU 0 published for it and the proposed epoch so far. Written
   * by the epoch manager only (it plays each CPU's messenger), plain words.
   */
  RingMessage: 35,
  RingCpu: 36,
  RingEpoch: 37,
  RingProposed: 38,
  // line 3: the global trace sequence counter (Atomics.add per event).
  TraceSeq: 48,
  // line 4: run state, written by the main thread / watchdog, polled by all.
  RunState: 64, ///< RunState.*
  ManagerCommand: 65, ///< ManagerCommand.*; the manager waits on this word
  ViolationCount: 66, ///< Atomics.add by whoever records a violation
  // line 5: arena bump pointer (Atomics.add by allocating lanes) and the
  // global allocation sequence (counted only when allocation faults are set).
  ArenaBump: 80,
  AllocSeq: 81,
  AllocFaultsOn: 82,
  LockAttempts: 83, ///< bucket-lock compare-exchanges (counted only when spurious failures are injected)
  // Controlled mode (src/sched/): the baton and the shared strategy state.
  // Written only by the lane holding the baton (or the main thread between
  // phases), with Atomics; unused in free-running mode.
  SchedMode: 84, ///< 0 free-running, 1 controlled
  SchedBaton: 85, ///< the lane allowed to run, -1 = nobody
  SchedJoined: 86, ///< lanes that joined the current phase
  SchedExpected: 87, ///< lanes the current phase waits for before the first decision
  SchedRng: 88, ///< the strategy's PRNG state
  SchedSteps: 89, ///< scheduling points passed
  SchedDecisions: 90, ///< decisions recorded in the schedule log
  SchedStrategy: 91, ///< Strategy id
  SchedPreemptions: 92, ///< decisions that switched lanes while the current one could go on
  SchedForced: 93, ///< length of a forced prefix (replay) in the schedule log
  SchedPctDepth: 94, ///< PCT: depth d (d - 1 priority change points)
  SchedPctSteps: 95, ///< PCT: the step count k the change points were drawn from
  // lines 6..: one line per size class and alignment: [lock, freeHead, freeCount].
  SizeClassBase: 96,
} as const;

/** Number of arena size classes: block sizes 64 B .. 1 MiB (powers of two). */
export const SIZE_CLASS_COUNT = 15;
export const SIZE_CLASS_MIN_BYTES = 64;
/**
 * FreeTail is kept only when the memory checker is on (its free lists are FIFO: a freed block waits longest before reuse).
 * LaneCache + lane (lanes below LANE_CACHE_LANES): the head of a chain of freed blocks of this class the epoch manager
 * handed to that lane (free-running with the checker off; see src/shm/lane-cache.ts). Pushed by the manager with a
 * compare-exchange, taken whole by the lane with an exchange.
 */
export const SizeClassField = { Lock: 0, FreeHead: 1, FreeCount: 2, FreeTail: 3, LaneCache: 4 } as const;
/** Lanes that get a cache of freed blocks: as many as a size class's line has words left. */
export const LANE_CACHE_LANES = LINE_WORDS - SizeClassField.LaneCache;
/** Free lists are kept per (class, aligned) so a block's header never moves. */
export const FREE_LIST_COUNT = SIZE_CLASS_COUNT * 2;
/** PCT's change points (decision indexes), one line after the size classes. */
export const SCHED_CHANGE_BASE = Ctl.SizeClassBase + FREE_LIST_COUNT * LINE_WORDS;
export const MAX_PCT_DEPTH = LINE_WORDS + 1;
export const CONTROL_WORDS = SCHED_CHANGE_BASE + LINE_WORDS;

export const RunState = { Running: 0, Stopping: 1, Aborted: 2 } as const;
/** A lane's part in controlled mode. */
export const SchedState = { Absent: 0, Runnable: 1, Done: 2 } as const;
/**
 * The main thread's word to the manager: None while the CPUs run; Drain once
 * the CPU phase is over (teardown runs; the manager ticks on, but counts its
 * frees apart from the workload's); Exit: final drain, then end.
 */
export const ManagerCommand = { None: 0, Drain: 1, Exit: 2 } as const;
/** Ctl.RingMessage: no computation in progress, or the kind of message on its way round the CPUs (reference 2.5). */
export const EpochMessage = { None: 0, Propose: 1, Commit: 2 } as const;

/**
 * Per-lane record. Line 0 is written by the owning lane only and read by the
 * epoch manager and the watchdog; line 1 belongs to the retire (free) list,
 * shared with the manager under its lock; lines 2..5 hold the epoch_state_t
 * slots; lines 6.. hold counters written only by the owner with plain stores
 * and read by the main thread after the lane's task has ended.
 */
export const Lane = {
  // line 0: owner-written status.
  Irql: 0, ///< current IRQL (Irql.*); plain store by owner, read by anyone
  Announce: 1, ///< oldest active epoch of this lane, 0 = none (Atomics.store)
  ActiveCount: 2, ///< number of active epoch states (owner only)
  ActiveHead: 3, ///< first active epoch_state slot index, -1 = none (owner only)
  FreeSlots: 4, ///< bitmap of free epoch_state slots (owner only)
  LocalEpoch: 5, ///< published epoch seen at the last enter (owner only)
  Heartbeat: 6, ///< bumped per operation; the watchdog reads it
  LastOp: 7, ///< OpCode of the operation in progress, -1 = idle
  LastMap: 8,
  BucketLocksHeld: 9, ///< count of bucket spinlocks held (owner only)
  OpSeq: 10, ///< number of operations started by this lane
  AllocCount: 11, ///< epoch allocations made by this lane (fault injection)
  SchedState: 12, ///< controlled mode: SchedState.* (Atomics; written by this lane or the baton holder)
  SchedPriority: 13, ///< controlled mode, PCT: this lane's priority (higher runs first)
  InCallback: 14, ///< provider code running on this lane: Cb number + 1, WORK_ITEM_RUNNING, 0 = none (owner; the watchdog reads it)
  // line 1: the lane's free list (FIFO of retired blocks), guarded by FreeLock.
  FreeLock: 16,
  FreeHead: 17, ///< first retired block (payload byte offset), 0 = empty
  FreeTail: 18,
  FreeLength: 19,
  /**
   * Per-CPU epoch model (profile perCpuEpochs, reference 2.2): this CPU's
   * current_epoch (a copy of the published epoch that may lag; set when the
   * PROPOSE reaches this CPU; starts at 1) and released_epoch (set by the
   * COMMIT; starts at 0). Written by the epoch manager as this CPU's
   * messenger with Atomics.store; CurrentEpoch is read by the lane's retire.
   */
  CurrentEpoch: 20,
  ReleasedEpoch: 21,
  // lines 2..5: epoch_state_t slots (see EpochStateWord).
  StateBase: 32,
  // lines 6..9: counters (owner-written; see Counter).
  CounterBase: 96,
  // line 10: trace ring cursors. Head is written by the consumer (main
  // thread), Tail by the owning lane; both with Atomics.store.
  TraceHead: 160,
  TraceTail: 161,
  TextTail: 162, ///< bytes written to this lane's text ring (owner)
  TraceDropped: 163,
  /**
   * 1 while the owner waits for room in its full trace ring (it sets it with
   * Atomics.store before re-reading Head and waiting, and clears it after);
   * the consumer notifies Head only when it reads 1 here after storing Head,
   * and clears it then (one notify per wait).
   */
  TraceWaiting: 164,
} as const;

/** Lane.InCallback while a provider's deferred work item runs. */
export const WORK_ITEM_RUNNING = 100;

export const LANE_WORDS = 176; // 11 lines
export const EPOCH_STATE_SLOTS = 8;

/**
 * epoch_state_t is `uint64_t[4]` in the seed. We keep that shape: eight Int32
 * words, i.e. four 64-bit words stored low half first. As in the runtime:
 * word0 = next link, word1 = prev link, word2 = epoch, word3 = cpu id (low
 * 32 bits) and irql_at_enter. Epochs fit in 31 bits for any run we support
 * (2^31 ticks of 1 ms is 24 days); the high halves stay 0.
 */
export const EpochStateWord = {
  NextLo: 0,
  NextHi: 1,
  PrevLo: 2,
  PrevHi: 3,
  EpochLo: 4,
  EpochHi: 5,
  Cpu: 6,
  IrqlAtEnter: 7,
} as const;
export const EPOCH_STATE_WORDS = 8;

/** Per-lane counters, written by the owning lane with plain stores. */
export const Counter = {
  Ops: 0,
  OpsFailed: 1,
  CbPreprocessMapCreate: 2,
  CbPostprocessMapDelete: 3,
  CbPostprocessMapFindElement: 4,
  CbPreprocessMapUpdateElement: 5,
  CbPreprocessMapDeleteElement: 6,
  CbPostprocessMapDeleteElement: 7,
  CbPreprocessMapAssociateProgramType: 8,
  EpochEnters: 9,
  Retired: 10,
  Freed: 11,
  Allocated: 12,
  AllocFailed: 13,
  StallWarnings: 14,
  Violations: 15,
  PeakGarbage: 16, ///< manager lane only: most retired-but-unfreed blocks seen
  BytesFreed: 17,
  WorkItemsRun: 18,
  Invocations: 19,
  /** Operation results by ebpf_result_t code: ResultBase + code (codes 0..35, every ebpf_result_t). */
  ResultBase: 20,
  /** Injected faults (scenario `faults`), after the 36 result counters. */
  SpuriousLockFailures: 56,
  DroppedTicks: 57,
  StallFaults: 58,
  DelayedTicks: 59, ///< manager lane only: epoch manager ticks that started late (faults.delayTicks)
} as const;
export const RESULT_CODES = 36;
export const COUNTER_COUNT = Counter.DelayedTicks + 1;

/**
 * Map header: one per map, 3 lines. Line 0 is immutable after creation
 * (written by the creating lane before the map is published with an
 * Atomics.store of State). Line 1 holds the entry count (Atomics.add by
 * inserting/deleting lanes); line 2 holds the reference count and state.
 */
export const MapField = {
  KeySize: 0,
  ValueSize: 1, ///< user-facing value size
  ActualValueSize: 2, ///< provider's stored value size
  StoredValueSize: 3, ///< max(actual, value): the hash table's value size
  MaxEntries: 4, ///< 0 = unbounded
  BucketCount: 5, ///< power of two
  BucketMask: 6,
  SlotBase: 7, ///< word index of this map's bucket slots
  MapContext: 8, ///< provider map context (arena pointer or provider-chosen int)
  Flags: 9, ///< MapFlag.*
  HashSeed: 10,
  MapType: 11,
  ProviderIndex: 12,
  // line 1
  EntryCount: 16,
  // line 2
  RefCount: 32, ///< creator handle + programs + in-flight IOCTLs
  HandleClosed: 33, ///< 1 once the user handle was closed (delete_map)
  State: 34, ///< MapState.*
  CleanupItem: 35, ///< the work item that will clean the map up
  MapLock: 36, ///< the custom-map spinlock (as-built cleanup holds it)
} as const;
export const MAP_HEADER_WORDS = 48;
export const MapFlag = { UpdatesOriginalValue: 1, PreFreeMode: 2 } as const;
export const MapState = { Unused: 0, Creating: 1, Live: 2, Deleting: 3, Deleted: 4, Failed: 5 } as const;

/**
 * A bucket slot: a spinlock word and a bucket pointer, SLOT_WORDS per bucket.
 * A map's slot region keeps the two apart: its first half holds every
 * bucket's pointer (heads, read by lock-free lookups), its second half every
 * bucket's lock word (written by writers), so a lookup never shares a cache
 * line with lock traffic and the heads a lookup touches are packed twice as
 * densely. The region's size (buckets * SLOT_WORDS) is what it always was.
 */
export const SLOT_WORDS = 2;
export const SlotField = { Lock: 0, Head: 1 } as const;
/** A bucket: arena block [count, entry...]; an entry: [value, generation, backup bucket (room for its position's index), key...]. */
export const BucketEntry = { Value: 0, Generation: 1, Backup: 2, Key: 3 } as const;

/**
 * A trace record: fixed width, 32 words. Keys up to MAX_KEY_BYTES are stored
 * inline, so the consumer can print them after the lane has moved on.
 */
export const TraceWord = {
  Seq: 0,
  Event: 1,
  Irql: 2,
  Map: 3,
  Code: 4, ///< op code, callback id, or rule id, depending on Event
  Flags: 5,
  Result: 6,
  A: 7,
  B: 8,
  C: 9,
  D: 10,
  KeyLen: 11,
  Key: 12, ///< 16 words of key bytes
  /**
   * When the event happened (low and high 32 bits of an unsigned count):
   * nanoseconds since the run began when free-running, the scheduling
   * decision index in controlled mode.
   */
  TimeLo: 28,
  TimeHi: 29,
  /** Callback records: how long the callback ran, in the same unit (clamped to int32). */
  Duration: 30,
  H: 31,
} as const;
export const TRACE_RECORD_WORDS = 32;
export const MAX_KEY_BYTES = 64;
export const MAX_VALUE_BYTES = 4096;
export const TEXT_RING_BYTES = 16384;

/**
 * Per-lane scratch memory: the buffers a caller passes by pointer (the key,
 * the input value, the output value, the runtime's temporary value buffer).
 * Owned by the lane; never visible to another lane.
 */
export const Scratch = {
  Key: 0,
  Key2: MAX_KEY_BYTES,
  ValueIn: 2 * MAX_KEY_BYTES,
  ValueOut: 2 * MAX_KEY_BYTES + MAX_VALUE_BYTES,
  Temp: 2 * MAX_KEY_BYTES + 2 * MAX_VALUE_BYTES,
} as const;
export const SCRATCH_BYTES = 16384;

/**
 * Arena block header: 8 words immediately before the payload. Blocks start
 * on 64-byte boundaries; a cache-aligned block's payload starts one full
 * line after the block start, so its payload is 64-byte aligned too.
 */
export const BlockField = {
  Tag: 0,
  Size: 1, ///< requested payload bytes
  State: 2, ///< BlockState.*; transitions use Atomics.store
  FreedEpoch: 3, ///< stamp given at retire (0 while allocated)
  Generation: 4, ///< bumped on every free; a reference remembers it
  Next: 5, ///< link in a lane free list or a size-class free list
  Info: 6, ///< class index | aligned bit << 8 | kind << 9
  Owner: 7, ///< see OWNER_FREER_SHIFT
} as const;
export const BLOCK_HEADER_BYTES = 32;
export const BlockState = { Free: 0, Allocated: 1, Retired: 2 } as const;
export const BlockKind = { Memory: 0, WorkItem: 1 } as const;
export const INFO_ALIGNED_BIT = 1 << 8;
export const INFO_KIND_SHIFT = 9;
/** Owner word: the lane that allocated (low 16 bits), the lane that retired or freed it plus one (bits 16..30; 0 = none yet). */
export const OWNER_FREER_SHIFT = 16;
/** Owner word bit 31: the block was freed at once (poolFree), not through the epoch. */
export const OWNER_FREED_AT_ONCE = 1 << 31;
/** A block of the largest class spans 16,384 lines: its distance to its start fits a u16. */
export const LINE_MAP_ENTRY_BYTES = 2;
/**
 * With the memory checker on, every block keeps at least this many bytes
 * after its requested size (its red zone), filled with RED_ZONE_BYTE at
 * allocation and checked when it is freed.
 */
export const RED_ZONE_BYTES = 16;
export const RED_ZONE_BYTE = 0xfa;

export interface LayoutConfig {
  cpus: number;
  /** Bucket count (a power of two) of each map, in creation order. */
  mapBuckets: number[];
  arenaBytes: number;
  traceRecords: number;
  /** Words of schedule log (controlled mode: one decision per word); 0 when free-running. */
  scheduleWords?: number;
}

export interface Layout {
  readonly config: LayoutConfig;
  readonly lanes: number;
  readonly totalBytes: number;
  readonly laneBase: number; ///< word index
  readonly mapBase: number; ///< word index
  readonly traceBase: number; ///< word index
  readonly textBase: number; ///< byte offset
  readonly scratchBase: number; ///< byte offset
  readonly blockMapBase: number; ///< word index: one bit per arena line, set where a block starts
  /** Byte offset: one u16 per arena line, the number of lines back to the start of its block (the memory checker's shadow). */
  readonly lineMapBase: number;
  readonly scheduleBase: number; ///< word index of the schedule log
  readonly arenaBase: number; ///< byte offset
  readonly arenaEnd: number; ///< byte offset
  readonly slotBases: number[]; ///< word index per map
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Computes every region's base for a configuration. Pure. */
export function computeLayout(config: LayoutConfig): Layout {
  const lanes = config.cpus + 1;
  const laneBase = alignUp(CONTROL_WORDS, LINE_WORDS);
  const mapBase = laneBase + lanes * LANE_WORDS;
  let w = mapBase + config.mapBuckets.length * MAP_HEADER_WORDS;
  const slotBases: number[] = [];
  for (const buckets of config.mapBuckets) {
    w = alignUp(w, LINE_WORDS);
    slotBases.push(w);
    w += buckets * SLOT_WORDS;
  }
  const traceBase = alignUp(w, LINE_WORDS);
  w = traceBase + lanes * config.traceRecords * TRACE_RECORD_WORDS;
  const textBase = alignUp(w * WORD_BYTES, LINE_BYTES);
  const scratchBase = alignUp(textBase + lanes * TEXT_RING_BYTES, LINE_BYTES);
  const arenaLines = alignUp(config.arenaBytes, LINE_BYTES) / LINE_BYTES;
  const blockMapBase = alignUp(scratchBase + lanes * SCRATCH_BYTES, LINE_BYTES) / WORD_BYTES;
  const lineMapBase = alignUp((blockMapBase + Math.ceil(arenaLines / 32)) * WORD_BYTES, LINE_BYTES);
  const scheduleBase = alignUp(lineMapBase + arenaLines * LINE_MAP_ENTRY_BYTES, LINE_BYTES) / WORD_BYTES;
  const arenaBase = alignUp((scheduleBase + (config.scheduleWords ?? 0)) * WORD_BYTES, LINE_BYTES);
  const arenaEnd = arenaBase + arenaLines * LINE_BYTES;
  return {
    config, lanes, totalBytes: arenaEnd, laneBase, mapBase, traceBase, textBase, scratchBase,
    blockMapBase, lineMapBase, scheduleBase, arenaBase, arenaEnd, slotBases,
  };
}

/** Word index of a field of a lane record. */
export const laneWord = (l: Layout, lane: number, field: number): number =>
  l.laneBase + lane * LANE_WORDS + field;

/** Word index of epoch_state slot `slot` of a lane. */
export const stateWord = (l: Layout, lane: number, slot: number): number =>
  l.laneBase + lane * LANE_WORDS + Lane.StateBase + slot * EPOCH_STATE_WORDS;

export const counterWord = (l: Layout, lane: number, counter: number): number =>
  l.laneBase + lane * LANE_WORDS + Lane.CounterBase + counter;

export const mapWord = (l: Layout, map: number, field: number): number =>
  l.mapBase + map * MAP_HEADER_WORDS + field;

export const slotWord = (l: Layout, map: number, bucket: number, field: number): number =>
  (l.slotBases[map] as number) + (field === SlotField.Lock ? (l.config.mapBuckets[map] as number) : 0) + bucket;

export const sizeClassWord = (cls: number, aligned: boolean, field: number): number =>
  Ctl.SizeClassBase + (cls * 2 + (aligned ? 1 : 0)) * LINE_WORDS + field;

export const traceRecordWord = (l: Layout, lane: number, index: number): number =>
  l.traceBase + (lane * l.config.traceRecords + index) * TRACE_RECORD_WORDS;

/** Byte offset of a lane's scratch buffer `part` (a Scratch.* offset). */
export const scratchByte = (l: Layout, lane: number, part: number): number => l.scratchBase + lane * SCRATCH_BYTES + part;

export const textRingByte = (l: Layout, lane: number): number => l.textBase + lane * TEXT_RING_BYTES;

/** Word index of a block header field, given the block's payload pointer. */
export const blockWord = (ptr: number, field: number): number => (ptr - BLOCK_HEADER_BYTES) / WORD_BYTES + field;

/** Checks that no two regions overlap and that alignment rules hold. */
export function validateLayout(l: Layout): string[] {
  const problems: string[] = [];
  if (l.laneBase * WORD_BYTES % LINE_BYTES !== 0) problems.push('lane records not line aligned');
  if ((LANE_WORDS % LINE_WORDS) !== 0) problems.push('lane record not a whole number of lines');
  if (Lane.StateBase + EPOCH_STATE_SLOTS * EPOCH_STATE_WORDS > Lane.CounterBase) problems.push('epoch states overlap counters');
  if (Lane.CounterBase + COUNTER_COUNT > Lane.TraceHead) problems.push('counters overlap trace cursors');
  if (l.mapBase < l.laneBase + l.lanes * LANE_WORDS) problems.push('maps overlap lanes');
  for (let i = 0; i < l.slotBases.length; i++) {
    const b = l.config.mapBuckets[i] as number;
    if ((b & (b - 1)) !== 0 || b < 1) problems.push(`map ${i}: bucket count ${b} not a power of two`);
  }
  if (l.traceBase * WORD_BYTES > l.textBase) problems.push('trace overlaps text');
  if (l.textBase + l.lanes * TEXT_RING_BYTES > l.scratchBase) problems.push('text overlaps scratch');
  if (Scratch.Temp + MAX_VALUE_BYTES > SCRATCH_BYTES) problems.push('scratch parts overflow');
  if (l.scratchBase + l.lanes * SCRATCH_BYTES > l.blockMapBase * WORD_BYTES) problems.push('scratch overlaps block map');
  const arenaLines = (l.arenaEnd - l.arenaBase) / LINE_BYTES;
  if ((l.blockMapBase + Math.ceil(arenaLines / 32)) * WORD_BYTES > l.lineMapBase) problems.push('block map overlaps line map');
  if (l.lineMapBase + arenaLines * LINE_MAP_ENTRY_BYTES > l.scheduleBase * WORD_BYTES) problems.push('line map overlaps schedule log');
  if ((l.scheduleBase + (l.config.scheduleWords ?? 0)) * WORD_BYTES > l.arenaBase) problems.push('schedule log overlaps arena');
  if (l.arenaBase % LINE_BYTES !== 0) problems.push('arena not line aligned');
  if (l.arenaEnd <= l.arenaBase) problems.push('arena empty');
  return problems;
}

/**
 * A validated, compiled scenario: what the main thread hands to every worker.
 * Everything here survives structured clone (plain objects, numbers, strings,
 * Uint8Array). Produced by src/scenario/scenario.ts from a scenario file.
 */

import type { IrqlName } from '../contract/irql.js';

export interface MapPlan {
  /** The scenario's name for the map. */
  name: string;
  /** Creation order; also the map's index in shared memory. */
  index: number;
  /** A built-in provider name, or an absolute path (file URL string) to a provider module. */
  provider: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Provider options (the binding context), as given in the scenario. */
  options: Record<string, unknown>;
  /** Hash-table buckets: the next power of two >= maxEntries (64 when unbounded). */
  buckets: number;
  /** The map type create asks for (the scenario's mapType; CUSTOM_MAP_TYPE by default). */
  mapType: number;
}

export type OpPlan =
  | { op: 'update'; map: number; key: Uint8Array; value: Uint8Array; option: number }
  | { op: 'find'; map: number; key: Uint8Array; add: number }
  | { op: 'delete'; map: number; key: Uint8Array }
  | { op: 'find_and_delete'; map: number; key: Uint8Array }
  | { op: 'delete_map'; map: number }
  | { op: 'batch'; count: number; ops: OpPlan[] }
  | { op: 'stall'; ms: number }
  /** User-mode get_next_key; `key` null asks for the first key. */
  | { op: 'next_key'; map: number; key: Uint8Array | null }
  | { op: 'iterate'; map: number; limit: number }
  | { op: 'push'; map: number; value: Uint8Array }
  | { op: 'pop'; map: number }
  | { op: 'peek'; map: number }
  /** An extension helper calling find_element_function; map -1 is a BPF_MAP_TYPE_ARRAY map (no custom context). */
  | { op: 'find_element'; map: number; key: Uint8Array; add: number }
  | { op: 'update_batch'; map: number; entries: Array<{ key: Uint8Array; value: Uint8Array }>; option: number }
  | { op: 'delete_batch'; map: number; keys: Uint8Array[] }
  /** An operation custom maps do not support (reference scenarios 27, 28); `key` for update_with_handle only. */
  | { op: 'unsupported'; what: UnsupportedOp; map: number; key: Uint8Array | null }
  | { op: 'synchronize'; inEpoch: boolean }
  | { op: 'deregister_provider'; map: number }
  /** Inside a batch only: the thread moves to CPU `cpu` for the rest of the batch (reference 2.4). */
  | { op: 'migrate'; cpu: number };

export type UnsupportedOp = 'lookup_batch' | 'lookup_and_delete_batch' | 'update_with_handle' | 'write_data' | 'set_wait_handle';

export interface ThreadPlan {
  cpu: number;
  irql: IrqlName;
  ops: OpPlan[];
  /** The op list runs this many times (free mode). */
  repeat: number;
  /** ... and this many times in controlled mode, where short runs suit the strategies (default: repeat). */
  controlledRepeat: number;
  /** The program type its program is loaded as (associate). */
  programType: string;
}

/** A generated, seeded random op mix (scenario field `workload`). */
export interface WorkloadPlan {
  findPct: number;
  /**
   * Updates with BPF_NOEXIST, drawn after finds and before updates. With 0
   * the op draw is the same as without the field (same PRNG stream).
   */
  insertPct: number;
  updatePct: number;
  /** The UpdateOption of the updatePct share (ANY unless the scenario says EXIST). */
  updateOption: number;
  deletePct: number;
  /** Keys are drawn uniformly from 0..keyRange-1 (little-endian in the map's key size). */
  keyRange: number;
  /** Operations per CPU; with durationMs, an upper bound. */
  opsPerCpu: number;
  /** Helper calls per program batch on DISPATCH CPUs. */
  batchSize: number;
  /** Stop generating after this long (0 = run all opsPerCpu); free mode only. */
  durationMs: number;
  /**
   * Controlled mode has no wall clock: a CPU runs at most this many
   * operations (durationMs is ignored). Many short controlled runs find more
   * than one long one: PCT's bound is in terms of the run's length.
   */
  controlledOpsPerCpu: number;
  /** Which IRQL each CPU runs at: 'mixed' alternates PASSIVE (even CPUs) and DISPATCH (odd). */
  irql: 'mixed' | IrqlName;
  /** Map indexes the workload touches (default: all). */
  maps: number[];
  /** Keys to insert before the timed phase (0 = none). */
  prefill: number;
  /** CPUs with a thread also run the workload, after their op list, at their thread's IRQL. */
  afterThreads: boolean;
}

export interface FaultPlan {
  /** The n-th epoch allocation of the run (1-based, counted over all CPUs) fails. */
  allocFailAt: number[];
  /** CPU `cpu` stalls inside the epoch of its `atOp`-th operation for `steps` (ms free-running, scheduling points controlled). */
  stall: Array<{ cpu: number; atOp: number; steps: number }>;
  /** The n-th epoch manager tick (1-based) is dropped: no advance, no reclamation. */
  dropTicks: number[];
  /**
   * The `tick`-th epoch manager tick (1-based, counted like dropTicks) starts
   * `steps` late (ms free-running, scheduling points controlled), then
   * happens. Ticks are distinct (the scenario compiler checks).
   */
  delayTicks: Array<{ tick: number; steps: number }>;
  /** The n-th bucket-lock compare-exchange of the run (1-based) fails spuriously. */
  spuriousLockFailAt: number[];
  /** On CPU `cpu`, the `at`-th update (1-based) of a map that updates the original value finds no memory for its temporary out-value buffer. */
  tempBufferFailAt: Array<{ cpu: number; at: number }>;
  /** Indexes of maps whose name allocation fails after the custom map was made (reference 1.2 step 7). */
  nameAllocFail: number[];
}

export interface RunPlan {
  name: string;
  /** Where the scenario came from: a file path, or `builtin:NAME`. */
  source: string;
  cpus: number;
  seed: number;
  epochTickMs: number;
  /** Stall warning threshold, in epoch advances behind the published epoch. */
  stallEpochs: number;
  /** A CPU with no progress for this long ends the run (watchdog). */
  watchdogMs: number;
  arenaBytes: number;
  traceRecords: number;
  profile: 'documented' | 'ebpf-for-windows';
  /** free: threads race for real; controlled: a seeded strategy decides who runs at every point. */
  mode: 'free' | 'controlled';
  strategy: 'random' | 'round-robin' | 'pct' | 'sequential';
  /** PCT: depth d and the step count k its change points are drawn from. */
  pctDepth: number;
  pctSteps: number;
  /** Random strategy: the running lane keeps going with probability 1 - 1/switchEvery (1: a fresh pick at every point). */
  switchEvery: number;
  /** Controlled mode: decisions to force first (a replay); empty otherwise. */
  schedule: number[];
  /** A known bug switched into the runtime (src/contract/mutants.ts), or null. */
  mutant: string | null;
  maps: MapPlan[];
  threads: ThreadPlan[];
  workload: WorkloadPlan | null;
  faults: FaultPlan;
  /** Record events into the trace rings (off for pure throughput runs). */
  trace: boolean;
  /** Put the manager's per-tick garbage series into the report (RunReport.reclamation.series; off: null, the JSON stays small). */
  reclamationSeries?: boolean;
}

/** How a scenario is run, as opposed to what it runs: set by the command line, kept in failure files. */
export type RunSettings = Pick<RunPlan, 'profile' | 'mode' | 'strategy' | 'pctDepth' | 'pctSteps' | 'switchEvery' | 'mutant'>;

/** Copies run settings onto a compiled plan; returns the plan. */
export function applySettings(plan: RunPlan, s: RunSettings): RunPlan {
  plan.profile = s.profile;
  plan.mode = s.mode;
  plan.strategy = s.strategy;
  plan.pctDepth = s.pctDepth;
  plan.pctSteps = s.pctSteps;
  plan.switchEvery = s.switchEvery;
  plan.mutant = s.mutant;
  return plan;
}

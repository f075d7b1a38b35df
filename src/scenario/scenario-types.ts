/**
 * A scenario as a user writes it: the content of a .json file, or the object
 * a script hands to run() or stress(). These are plain types for the
 * library's declarations; schema.ts validates the same shapes with zod and
 * proves at compile time that these types are its input types. The README's
 * "Scenarios" section explains each field.
 *
 * Object shapes are type aliases, not interfaces, so that a ScenarioFile is
 * assignable to the API's `Record<string, unknown>` scenario argument.
 */

/** A key or a value: an integer (stored little-endian in the map's size) or a "hex:..." string; checked when compiled. */
export type ScenarioBytes = unknown;

export type ScenarioUpdateOp = {
  op: 'update'; map: string; key: ScenarioBytes; value: ScenarioBytes;
  /** Default 'ANY'. */
  option?: 'ANY' | 'NOEXIST' | 'EXIST';
};
/** With `add`, a helper find increments the stored value in place. */
export type ScenarioFindOp = { op: 'find'; map: string; key: ScenarioBytes; add?: number };
export type ScenarioDeleteOp = { op: 'delete'; map: string; key: ScenarioBytes };
export type ScenarioFindAndDeleteOp = { op: 'find_and_delete'; map: string; key: ScenarioBytes };
/** Closes the map's handle; cleanup is deferred through the epoch. */
export type ScenarioDeleteMapOp = { op: 'delete_map'; map: string };
/** Holds an epoch for `ms` milliseconds. */
export type ScenarioStallOp = { op: 'stall'; ms: number };
/** Inside a batch only: the thread moves to CPU `cpu` for the rest of the batch, so its epoch exit runs there (reference 2.4). */
export type ScenarioMigrateOp = { op: 'migrate'; cpu: number };
/** What one program invocation of a batch may run. */
export type ScenarioBatchedOp = ScenarioUpdateOp | ScenarioFindOp | ScenarioDeleteOp | ScenarioFindAndDeleteOp | ScenarioStallOp | ScenarioMigrateOp;
/** `count` (default 1) invocations of a program running `ops`, all in one epoch. */
export type ScenarioBatchOp = { op: 'batch'; count?: number; ops: ScenarioBatchedOp[] };
export type ScenarioOpInput = Exclude<ScenarioBatchedOp, ScenarioMigrateOp> | ScenarioDeleteMapOp | ScenarioBatchOp;

export type ScenarioMapInput = {
  /** A built-in provider name, or a path to a compiled provider module (.js). */
  provider: string;
  keySize: number;
  valueSize: number;
  /** 0 means unbounded. */
  maxEntries: number;
  /** Handed to createProvider(options). */
  options?: Record<string, unknown>;
};

export type ScenarioThreadInput = {
  cpu: number;
  irql: 'PASSIVE' | 'DISPATCH';
  ops: ScenarioOpInput[];
  repeat?: number;
  controlledRepeat?: number;
};

export type ScenarioWorkloadInput = {
  findPct: number;
  updatePct: number;
  deletePct: number;
  /** Share of updates with BPF_NOEXIST (an insert), drawn between finds and updates (default 0: no draw changes). */
  insertPct?: number;
  /** The flag of the updatePct share: ANY (default) or EXIST (update only a present key, like bustle's update). */
  updateOption?: 'ANY' | 'EXIST';
  keyRange: number;
  opsPerCpu: number;
  batchSize: number;
  durationMs?: number;
  controlledOpsPerCpu?: number;
  irql?: 'mixed' | 'PASSIVE' | 'DISPATCH';
  maps?: string[];
  prefill?: number;
  /** Also run the workload on CPUs that have a thread, after its op list (default false: only CPUs without one). */
  afterThreads?: boolean;
};

export type ScenarioFaultsInput = {
  allocFailAt?: number[];
  stall?: Array<{ cpu: number; atOp: number; steps: number }>;
  dropTicks?: number[];
  delayTicks?: Array<{ tick: number; steps: number }>;
  spuriousLockFailAt?: number[];
};

export type ScenarioFile = {
  name?: string;
  cpus?: number;
  seed?: number;
  epochTickMs?: number;
  maps: Record<string, ScenarioMapInput>;
  threads?: ScenarioThreadInput[];
  workload?: ScenarioWorkloadInput;
  faults?: ScenarioFaultsInput;
  stallEpochs?: number;
  watchdogMs?: number;
  arenaMB?: number;
  traceRecords?: number;
};

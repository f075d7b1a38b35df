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
  /** Default 'ANY'. A number is the raw option: one other than 0, 1, 2 is a bad option (INVALID_ARGUMENT). */
  option?: 'ANY' | 'NOEXIST' | 'EXIST' | number;
};
/** With `add`, a helper find increments the stored value in place. */
export type ScenarioFindOp = { op: 'find'; map: string; key: ScenarioBytes; add?: number };
export type ScenarioDeleteOp = { op: 'delete'; map: string; key: ScenarioBytes };
export type ScenarioFindAndDeleteOp = { op: 'find_and_delete'; map: string; key: ScenarioBytes };
/** Closes the map's handle; cleanup is deferred through the epoch. */
export type ScenarioDeleteMapOp = { op: 'delete_map'; map: string };
/** Holds an epoch for `ms` milliseconds. */
export type ScenarioStallOp = { op: 'stall'; ms: number };
/** User-mode get_next_key after `key` (the first key without one); a vanished previous key restarts from the first. */
export type ScenarioNextKeyOp = { op: 'next_key'; map: string; key?: ScenarioBytes };
/** get_next_key calls from the first key until EBPF_NO_MORE_KEYS, at most `limit` (default 1000) calls. */
export type ScenarioIterateOp = { op: 'iterate'; map: string; limit?: number };
/** bpf_map_push_elem, bpf_map_pop_elem, bpf_map_peek_elem (no key: a custom hash map refuses them). */
export type ScenarioPushOp = { op: 'push'; map: string; value: ScenarioBytes };
export type ScenarioPopOp = { op: 'pop'; map: string };
export type ScenarioPeekOp = { op: 'peek'; map: string };
/**
 * An extension helper calling find_element_function on `map`, or with
 * `arrayMap: true` on a BPF_MAP_TYPE_ARRAY map (no custom context); `add`
 * increments the stored value's first u32 in place.
 */
export type ScenarioFindElementOp = { op: 'find_element'; map?: string; arrayMap?: true; key: ScenarioBytes; add?: number };
/** One update_batch IOCTL: a per-key update of each entry, stopping at the first error. */
export type ScenarioUpdateBatchOp = {
  op: 'update_batch'; map: string; entries: Array<{ key: ScenarioBytes; value: ScenarioBytes }>;
  option?: 'ANY' | 'NOEXIST' | 'EXIST';
};
/** One delete_batch IOCTL: a per-key delete of each key, stopping at the first error. */
export type ScenarioDeleteBatchOp = { op: 'delete_batch'; map: string; keys: ScenarioBytes[] };
/** Operations a custom map does not support (reference scenarios 27, 28). */
export type ScenarioLookupBatchOp = { op: 'lookup_batch'; map: string };
export type ScenarioLookupAndDeleteBatchOp = { op: 'lookup_and_delete_batch'; map: string };
export type ScenarioUpdateWithHandleOp = { op: 'update_with_handle'; map: string; key: ScenarioBytes };
export type ScenarioWriteDataOp = { op: 'write_data'; map: string };
export type ScenarioSetWaitHandleOp = { op: 'set_wait_handle'; map: string };
/** Inside a batch only: the thread moves to CPU `cpu` for the rest of the batch, so its epoch exit runs there (reference 2.4). */
export type ScenarioMigrateOp = { op: 'migrate'; cpu: number };
/** What one program invocation of a batch may run. */
export type ScenarioBatchedOp = ScenarioUpdateOp | ScenarioFindOp | ScenarioDeleteOp | ScenarioFindAndDeleteOp | ScenarioStallOp
  | ScenarioPushOp | ScenarioPopOp | ScenarioPeekOp | ScenarioFindElementOp | ScenarioMigrateOp;
/** `count` (default 1) invocations of a program running `ops`, all in one epoch. */
export type ScenarioBatchOp = { op: 'batch'; count?: number; ops: ScenarioBatchedOp[] };
/** ebpf_epoch_synchronize (PASSIVE threads): waits one full epoch cycle; inEpoch (default false) calls it inside an epoch, where it never returns. */
export type ScenarioSynchronizeOp = { op: 'synchronize'; inEpoch?: boolean };
/** The provider of `map` deregisters: returns only after every map bound to it has been deleted (PASSIVE threads). */
export type ScenarioDeregisterProviderOp = { op: 'deregister_provider'; map: string };
export type ScenarioOpInput = Exclude<ScenarioBatchedOp, ScenarioMigrateOp> | ScenarioDeleteMapOp | ScenarioBatchOp
  | ScenarioNextKeyOp | ScenarioIterateOp | ScenarioUpdateBatchOp | ScenarioDeleteBatchOp | ScenarioLookupBatchOp
  | ScenarioLookupAndDeleteBatchOp | ScenarioUpdateWithHandleOp | ScenarioWriteDataOp | ScenarioSetWaitHandleOp
  | ScenarioSynchronizeOp | ScenarioDeregisterProviderOp;

export type ScenarioMapInput = {
  /** A built-in provider name, or a path to a compiled provider module (.js). */
  provider: string;
  keySize: number;
  valueSize: number;
  /** 0 means unbounded. */
  maxEntries: number;
  /** Handed to createProvider(options). */
  options?: Record<string, unknown>;
  /**
   * The map type create asks for: 15 (default) is the type the provider
   * registers; 16 is a custom type no provider registered
   * (EXTENSION_FAILED_TO_LOAD); 17 (BPF_MAP_TYPE_MAX) or more is an unknown
   * type (INVALID_ARGUMENT, before any provider lookup). Below 15: eBPF's
   * built-in maps, which epochlab does not simulate (bad input).
   */
  mapType?: number;
};

export type ScenarioThreadInput = {
  cpu: number;
  irql: 'PASSIVE' | 'DISPATCH';
  ops: ScenarioOpInput[];
  repeat?: number;
  controlledRepeat?: number;
  /** The program type the thread's program is loaded as (default "sample"). */
  programType?: string;
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
  /** On CPU `cpu`, the `at`-th update of a map that updates the original value cannot allocate its temporary out-value buffer. */
  tempBufferFailAt?: Array<{ cpu: number; at: number }>;
  /** Maps whose name allocation fails after the provider made the custom map (create then fails with NO_MEMORY). */
  nameAllocFail?: string[];
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

/**
 * The trace's own vocabulary: event kinds, operation codes, callback
 * numbers, modes and core outcomes, shared by the lanes that record events
 * and the readers that decode them. Numbers are what travel through shared
 * memory; names are what a person reads in the JSON Lines trace. (IRQL,
 * callback flags and update options are the contract's: src/contract/.)
 */

/** Kinds of trace event. */
export const Ev = {
  OpBegin: 1,
  OpEnd: 2,
  Callback: 3,
  EpochEnter: 4,
  EpochExit: 5,
  EpochAdvance: 6,
  Retire: 7,
  Free: 8,
  BucketLock: 9,
  BucketUnlock: 10,
  StallWarning: 11,
  Violation: 12,
  // 13 is unused (kept so that the numbers of recorded events never change).
  Read: 14, ///< a reader read a block (Code = its state, A = block, B = its retire stamp, C = reader's epoch, D = published)
  /** Per-CPU epochs (reference 2.5): the PROPOSE reached a CPU (A = that CPU, B = the epoch it carries, C = proposed after it). */
  EpochPropose: 15,
  /** Per-CPU epochs: the COMMIT reached a CPU (A = that CPU, B = its new released_epoch); its frees follow. */
  EpochCommit: 16,
  /** Per-CPU epochs (reference 2.4): a PASSIVE epoch exit on CPU A was forwarded to the enter CPU B (Code = the state). */
  EpochExitForwarded: 17,
} as const;

export const EVENT_NAMES: Record<number, string> = {
  [Ev.OpBegin]: 'op_begin',
  [Ev.OpEnd]: 'op_end',
  [Ev.EpochEnter]: 'epoch_enter',
  [Ev.EpochExit]: 'epoch_exit',
  [Ev.EpochAdvance]: 'epoch_advance',
  [Ev.Retire]: 'retire',
  [Ev.Free]: 'free',
  [Ev.BucketLock]: 'bucket_lock',
  [Ev.BucketUnlock]: 'bucket_unlock',
  [Ev.StallWarning]: 'stall_warning',
  [Ev.Violation]: 'violation',
  [Ev.Read]: 'read',
  [Ev.EpochPropose]: 'epoch_propose',
  [Ev.EpochCommit]: 'epoch_commit',
  [Ev.EpochExitForwarded]: 'epoch_exit_forwarded',
};

/** Map operations, as they appear in scenarios and traces. */
export const OpCode = {
  Create: 0,
  Find: 1,
  Update: 2,
  Delete: 3,
  FindAndDelete: 4,
  AssociateProgramType: 5,
  DeleteMap: 6,
  Batch: 7,
  Stall: 8,
  Invoke: 9,
  MapCleanup: 10, ///< the deferred work item of a map delete
  NextKey: 11, ///< user-mode get_next_key (one IOCTL; restarts from the first key when the previous one is gone)
  Push: 12, ///< bpf_map_push_elem
  Pop: 13, ///< bpf_map_pop_elem
  Peek: 14, ///< bpf_map_peek_elem
  FindElement: 15, ///< an extension helper calling find_element_function
  UpdateBatch: 16, ///< user-mode update_batch: one IOCTL, per-key updates inside
  DeleteBatch: 17, ///< user-mode delete_batch: one IOCTL, per-key deletes inside
  LookupBatch: 18,
  LookupAndDeleteBatch: 19,
  UpdateWithHandle: 20,
  WriteData: 21,
  SetWaitHandle: 22,
  Synchronize: 23, ///< ebpf_epoch_synchronize (op_end: C = the epoch it waited past, D = the released epoch it saw)
  DeregisterProvider: 24, ///< the provider of a map deregisters (NMR detach waits for the map's delete)
} as const;

export const OP_NAMES = [
  'create', 'find', 'update', 'delete', 'find_and_delete', 'associate_program_type',
  'delete_map', 'batch', 'stall', 'invoke', 'map_cleanup',
  'next_key', 'push', 'pop', 'peek', 'find_element', 'update_batch', 'delete_batch', 'lookup_batch',
  'lookup_and_delete_batch', 'update_with_handle', 'write_data', 'set_wait_handle',
  'synchronize', 'deregister_provider',
] as const;

/** Provider callbacks, numbered; trace names are exactly the seed's. */
export const Cb = {
  PreprocessMapCreate: 0,
  PostprocessMapDelete: 1,
  PostprocessMapFindElement: 2,
  PreprocessMapUpdateElement: 3,
  PreprocessMapDeleteElement: 4,
  PostprocessMapDeleteElement: 5,
  PreprocessMapAssociateProgramType: 6,
} as const;

export const CALLBACK_NAMES = [
  'preprocess_map_create',
  'postprocess_map_delete',
  'postprocess_map_find_element',
  'preprocess_map_update_element',
  'preprocess_map_delete_element',
  'postprocess_map_delete_element',
  'preprocess_map_associate_program_type',
] as const;

/** The camelCase property names of the dispatch table, by Cb number. */
export const CALLBACK_PROPS = [
  'preprocessMapCreate',
  'postprocessMapDelete',
  'postprocessMapFindElement',
  'preprocessMapUpdateElement',
  'preprocessMapDeleteElement',
  'postprocessMapDeleteElement',
  'preprocessMapAssociateProgramType',
] as const;

/** Mode of an operation: a user-mode call (IOCTL) or a helper call from a program. */
export const Mode = { User: 0, Helper: 1, System: 2 } as const;
export const MODE_NAMES = ['user', 'helper', 'system'] as const;

/** Flag bits carried in a callback record's B word. */
export const CbState = { InEpoch: 1, BucketLockHeld: 2 } as const;

/** What a core operation did under the bucket lock (recorded on bucket_unlock). */
export const CoreOutcome = { None: 0, Insert: 1, Replace: 2, Remove: 3 } as const;
export const CORE_OUTCOME_NAMES = ['none', 'insert', 'replace', 'remove'] as const;

/**
 * The rule catalog: one entry per rule, with a stable id, one sentence and
 * its source (the seed's text or a section of the reference). The first
 * entries are detected by the runtime itself as it runs (their index travels
 * through shared memory, so the order of existing entries never changes);
 * the rest are checked by the contract checker on the merged trace
 * (src/check/rules/*). `epochlab rules` prints this table.
 */
export interface RuleInfo {
  readonly id: string;
  readonly sentence: string;
  readonly source: string;
}

/** The family of a rule is the part of its id before the first dot. */
export const familyOf = (id: string): string => id.slice(0, id.indexOf('.'));

export const RULES: readonly RuleInfo[] = [
  { id: 'memory.double-free', sentence: 'A block is freed (epoch_free) at most once.', source: 'reference 2.5, 2.7 (freed_epoch != 0 fails fast)' },
  { id: 'memory.use-after-free', sentence: 'No read or write of a block after it was freed.', source: 'seed: epoch memory API; reference 2.5 safety invariant' },
  { id: 'irql.wait-at-dispatch', sentence: 'No wait or sleep at DISPATCH_LEVEL.', source: 'seed: IRQL paragraphs; reference 1.12' },
  { id: 'irql.handle-lookup-at-dispatch', sentence: 'No handle-table lookup at DISPATCH_LEVEL.', source: 'seed: postprocess_map_delete_element flags; reference 1.12' },
  { id: 'irql.handle-table-with-helper', sentence: 'No use of the caller\'s handle table when EBPF_MAP_OPERATION_HELPER is set.', source: 'seed: EBPF_MAP_OPERATION_HELPER' },
  { id: 'provider.callback-threw', sentence: 'A provider callback returns; it never throws.', source: 'seed: dispatch table (C callbacks cannot throw)' },
  { id: 'epoch.exit-irql', sentence: 'epoch_exit runs at the IRQL of its epoch_enter.', source: 'reference 2.4 (assert)' },
  { id: 'epoch.unpaired', sentence: 'epoch_enter and epoch_exit are called in pairs with distinct states.', source: 'seed: epoch_enter/epoch_exit notes' },
  { id: 'memory.leak', sentence: 'At the end of a run every allocated block has been freed.', source: 'reference 2.6 terminate (free lists empty)' },
  { id: 'memory.free-mismatch', sentence: 'Cache-aligned memory is freed with epoch_free_cache_aligned, other memory with epoch_free.', source: 'seed: epoch memory API' },
  { id: 'memory.wild-pointer', sentence: 'Pointers passed to the epoch memory API point at arena blocks.', source: 'seed: epoch memory API' },
  { id: 'provider.invariant', sentence: 'A provider\'s own end-of-run invariant holds.', source: 'provider-declared' },
  { id: 'epoch.outside', sentence: 'Epoch memory functions and find_element_function run inside an epoch.', source: 'seed: "MUST be called within an epoch-protected region"' },
  { id: 'run.watchdog', sentence: 'A run keeps moving: a lane with work in flight (a CPU, the system lane, the epoch manager) is never stuck for a whole watchdog period while no CPU and not the system lane makes progress.', source: 'epochlab' },
  { id: 'provider.crashed', sentence: 'A provider never ends its thread or the process: no process.exit, no error thrown outside a callback, no damage to the shared buffer\'s own records.', source: 'seed: providers are kernel extensions (a crash takes the machine down)' },
  { id: 'provider.bad-result', sentence: 'A callback that returns a result returns one of the ebpf_result_t codes.', source: 'seed: dispatch table (ebpf_result_t return values)' },
  { id: 'memory.out-of-bounds', sentence: 'A provider reads and writes only inside live blocks: never in memory that was never allocated, between blocks, or past a block\'s end.', source: 'seed: epoch memory API (as AddressSanitizer and KASAN check it)' },
  { id: 'memory.overflow', sentence: 'A write never runs past the end of its block: not into the red zone that follows it, nor into the next block\'s header.', source: 'seed: epoch memory API (as AddressSanitizer and KASAN check it)' },
  { id: 'update.out-value-written', sentence: 'When preprocess_map_update_element succeeds for a provider that updates the original value, it writes the out-value that the map stores.', source: 'seed: preprocess_map_update_element out_value' },
  // ---- checked on the trace by the contract checker ----
  { id: 'lifecycle.create-first', sentence: 'preprocess_map_create is the first callback for a map, and is called once.', source: 'seed: map_context "will eventually pass it to ebpf_postprocess_map_delete_t"; reference 1.2' },
  { id: 'lifecycle.delete-last', sentence: 'postprocess_map_delete is called once, last: no callback for a map follows it.', source: 'seed: ebpf_postprocess_map_delete_t; reference 1.3' },
  { id: 'find.after-hit', sentence: 'postprocess_map_find_element runs only after a successful core lookup, once per lookup.', source: 'seed: "called after the core lookup"; reference 1.5' },
  { id: 'find.helper-flag', sentence: 'postprocess_map_find_element has EBPF_MAP_OPERATION_HELPER exactly when called from a program.', source: 'seed: flags parameter; reference 1.5' },
  { id: 'update.preprocess-first', sentence: 'preprocess_map_update_element runs before the core update (before the bucket lock is taken).', source: 'seed: "called before the core update"; reference 1.6' },
  { id: 'update.no-update-flag', sentence: 'EBPF_MAP_OPERATION_UPDATE is never passed to preprocess_map_update_element.', source: 'seed: update flags ("Supported values: EBPF_MAP_OPERATION_HELPER"); reference 6.4' },
  { id: 'update.replace-once', sentence: 'On a replace, exactly one delete callback with UPDATE names the old value, after the core update succeeded and its bucket lock was released.', source: 'seed: preprocess_map_update_element note on replace; reference 1.6' },
  { id: 'update.undo-once', sentence: 'When the core update fails after a successful preprocess, exactly one delete callback with UPDATE names the new value; without a successful preprocess there is none.', source: 'seed: preprocess_map_update_element note; reference 1.6, 6.3' },
  { id: 'delete.pre-under-lock', sentence: 'preprocess_map_delete_element runs before the entry is removed, with the bucket lock held.', source: 'seed/reference 1.7: the deprecated callback runs before removal under the per-bucket lock' },
  { id: 'delete.post-after-unlock', sentence: 'postprocess_map_delete_element runs after the entry is removed and after the bucket lock is released.', source: 'seed: "invoked after the entry has been removed ... and after the per-bucket lock has been released"' },
  { id: 'delete.exactly-one-registered', sentence: 'A provider registers exactly one of preprocess_map_delete_element and postprocess_map_delete_element; a map whose provider registers both or neither is not created.', source: 'seed: "must register exactly one ... not both"; ebpf_extension.h "both or neither is an error"' },
  { id: 'delete.must-not-fail', sentence: 'With UPDATE or MAP_CLEANUP set, the delete callback does not fail (the runtime ignores the result).', source: 'seed: flags of postprocess_map_delete_element; reference 1.7 "Provider must not fail" cases' },
  { id: 'cleanup.flags', sentence: 'Map cleanup gives each remaining entry one delete callback with MAP_CLEANUP alone, then postprocess_map_delete.', source: 'seed: MAP_CLEANUP; reference 1.8' },
  { id: 'delete.exactly-once', sentence: 'Every displaced or removed value gets exactly one delete callback, across all CPUs; a value never published gets none.', source: 'CustomMaps.md "Concurrency"; reference 1.7' },
  { id: 'blocking.helper-crud', sentence: 'With updates_original_value, a CRUD call from a program runs no provider callback and returns EBPF_OPERATION_NOT_SUPPORTED.', source: 'seed: updates_original_value note; reference 1.10' },
  { id: 'irql.user-passive', sentence: 'Callbacks of a user-mode call (HELPER not set), and map cleanup, run at PASSIVE_LEVEL.', source: 'seed: IRQL paragraphs; CustomMaps.md IRQL table' },
  { id: 'irql.helper-max-dispatch', sentence: 'Callbacks of a helper call run at most at DISPATCH_LEVEL.', source: 'seed: IRQL paragraphs' },
  { id: 'epoch.callback-inside', sentence: 'Provider callbacks run inside an epoch.', source: 'seed: "Provider dispatch function invocations ... already are epoch-protected"' },
  { id: 'epoch.paired', sentence: 'Every epoch_enter is matched by an epoch_exit on the same CPU before the operation ends.', source: 'seed: "re-entrant, but should always be called in pairs"' },
  { id: 'memory.reclaim-bound', sentence: 'A retired block is freed within a bound of epoch advances once no CPU holds an epoch at or before its stamp.', source: 'reference 2.5 (reclaim on the next commit)' },
  { id: 'age.window', sentence: 'A reader never sees a value retired before its own epoch began (age oracle, as rcutorture\'s pipeline).', source: 'reference 2.5 safety invariant; 6.14' },
  { id: 'update.bad-option-first', sentence: 'An update whose option is none of ANY, NOEXIST and EXIST fails with EBPF_INVALID_ARGUMENT before any provider callback.', source: 'seed: silent on the order; reference 0 (map option: the user-mode library rejects it before the IOCTL), 1.6' },
  { id: 'ops.no-callback', sentence: 'get_next_key, push, pop, peek, find_element_function, the lookup batches, update-with-handle, write_data and set_wait_handle run no provider callback.', source: 'reference 1.9, 1.10, 3; scenarios 27, 28, 34, 35, 40' },
  { id: 'ops.helper-stack-blocked', sentence: 'With updates_original_value, a helper push, pop or peek is blocked: it returns EBPF_OPERATION_NOT_SUPPORTED.', source: 'reference 1.10 (blocking matrix [DOC]); scenario 34' },
  { id: 'ops.find-element-codes', sentence: 'find_element_function returns EBPF_SUCCESS, EBPF_KEY_NOT_FOUND (no such key) or EBPF_INVALID_OBJECT (not a custom map).', source: 'ebpf_extension.h @retval of ebpf_map_find_element_t; reference 1.9, 6.6; scenario 35' },
  { id: 'epoch.synchronize-in-epoch', sentence: 'ebpf_epoch_synchronize is never called inside an epoch (there it never returns).', source: 'reference 2.6 (inference), 4 scenario 50' },
  // ---- detected by the runtime, appended (indexes above never change) ----
  { id: 'epoch.migrate-dispatch', sentence: 'An epoch entered at DISPATCH is exited on the CPU that entered it (a thread at DISPATCH never migrates).', source: 'reference 2.4, 2.7 (fail fast on a CPU migration at DISPATCH)' },
];

export const RuleId: Record<string, number> = Object.fromEntries(RULES.map((r, i) => [r.id, i]));

export const Rule = {
  DoubleFree: 0,
  UseAfterFree: 1,
  WaitAtDispatch: 2,
  HandleLookupAtDispatch: 3,
  HandleTableWithHelper: 4,
  CallbackThrew: 5,
  ExitIrql: 6,
  Unpaired: 7,
  Leak: 8,
  FreeMismatch: 9,
  WildPointer: 10,
  ProviderInvariant: 11,
  OutsideEpoch: 12,
  Watchdog: 13,
  ProviderCrashed: 14,
  BadResult: 15,
  OutOfBounds: 16,
  Overflow: 17,
  OutValueUnwritten: 18,
  /** Appended after the checker's rules (index 45). */
  MigrateDispatch: 45,
} as const;

/**
 * Violation rules the runtime can detect as it runs. Each has a stable id (it
 * travels through shared memory as its index) and one sentence. The contract
 * checker extends this catalog; ids never change meaning once published.
 */
export interface RuleInfo {
  readonly id: string;
  readonly sentence: string;
  readonly source: string;
}

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
  { id: 'run.watchdog', sentence: 'Every CPU makes progress within the watchdog period.', source: 'epochlab' },
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
} as const;

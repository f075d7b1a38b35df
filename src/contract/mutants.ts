/**
 * Mutants: known bugs switched into the runtime, each in exactly one place
 * (grep for `Mutant.` to find it). They prove that the checker and the
 * scheduler find real bugs: `epochlab mutants` plants each one and hunts it.
 * With no mutant (the default) every switch is off.
 */
export const Mutant = {
  None: 0,
  /** A replaced value is freed at once instead of retired through the epoch. */
  FreeImmediately: 1,
  /** released = oldest active epoch, instead of one less. */
  ReleaseOffByOne: 2,
  /** A retire is stamped with the CPU's own (lagging) epoch: eBPF for Windows issue 4920. */
  LocalEpochStamp: 3,
  /** The epoch manager ignores CPU 0's active epoch. */
  SkipCpu: 4,
  /** postprocess delete is called while the bucket lock is still held. */
  CallbackUnderLock: 5,
  /** No undo delete callback after a failed core update. */
  MissingUndo: 6,
  /** A replace calls the delete callback for the old value twice. */
  DoubleDeleteCallback: 7,
  /** A writer replaces a bucket without taking its lock. */
  UnlockedWriter: 8,
  /** Helper CRUD on an updates_original_value map is not blocked. */
  HelperNotBlocked: 9,
  /** MAP_CLEANUP is combined with UPDATE. */
  CleanupFlags: 10,
  /** A program's epoch is exited at PASSIVE after entering at DISPATCH. */
  ExitOtherIrql: 11,
  /**
   * The per-CPU epoch model (profile perCpuEpochs) stamps a retire with the
   * CPU's lagging current_epoch instead of max(published, current_epoch):
   * eBPF for Windows issue 4920 before PR 4924. No effect without that model.
   */
  PercpuLocalStamp: 12,
} as const;

export const MUTANT_NAMES = [
  'free-immediately', 'release-off-by-one', 'local-epoch-stamp', 'skip-cpu', 'callback-under-lock', 'missing-undo',
  'double-delete-callback', 'unlocked-writer', 'helper-not-blocked', 'cleanup-flags', 'exit-other-irql',
  'percpu-local-stamp',
] as const;
export type MutantName = (typeof MUTANT_NAMES)[number];

/** The switch number of a mutant name (0 for none). */
export function mutantId(name: string | null): number {
  if (name === null) return Mutant.None;
  const i = MUTANT_NAMES.indexOf(name as MutantName);
  return i < 0 ? Mutant.None : i + 1;
}

/**
 * Runtime profiles: where the simulated runtime has a choice, the profile
 * decides. `documented` follows the seed and the [DOC] statements of the
 * reference. Every switch names the reference section it comes from, so a
 * second profile (the runtime as built) only changes values here.
 */

export interface Profile {
  readonly name: string;
  /**
   * Which registered callback puts a map in PRE_FREE mode (the delete
   * callback runs under the bucket lock, before unlink, and may veto).
   * documented: the deprecated preprocessMapDeleteElement (seed, its doc).
   */
  readonly preFreeWhen: 'preprocessMapDeleteElement' | 'preprocessMapUpdateElement';
  /** Call the undo delete callback even when no preprocess update ran (reference 6.3). */
  readonly undoWithoutPreprocess: boolean;
  /** Accept a provider that registers neither delete callback (reference 1.1, 6.5). */
  readonly acceptNeitherDeleteCallback: boolean;
  /** MAP_CLEANUP delete callbacks run at DISPATCH under the map's spinlock (reference 1.8, 6.2). */
  readonly cleanupAtDispatch: boolean;
  /** MAP_CLEANUP callbacks run inside an epoch (reference 1.8). */
  readonly cleanupInEpoch: boolean;
  /** postprocess_map_delete runs inside an epoch (reference 1.3). */
  readonly mapDeleteInEpoch: boolean;
  /**
   * A helper update whose option is none of ANY, NOEXIST, EXIST fails with
   * INVALID_ARGUMENT before any callback (reference 0 "Map option", 1.6).
   * documented: yes (the seed is silent on the order; rejecting bad input
   * first is what the user-mode library does). User mode rejects it first in
   * both profiles: the library checks before the IOCTL.
   */
  readonly badOptionFirst: boolean;
  /**
   * bpf_map_pop_elem reaches the custom map's find without the HELPER flag,
   * so a map that updates the original value does not block it and the NULL
   * key fails it instead (reference 1.10, scenario 34). documented: pop is a
   * helper call like peek, blocked with EBPF_OPERATION_NOT_SUPPORTED.
   */
  readonly popDropsHelperFlag: boolean;
  /**
   * The codes find_element_function returns for a map with no custom context
   * and for a missing key (reference 1.9, 6.6). documented: the header's
   * @retval list (ebpf_extension.h): EBPF_INVALID_OBJECT, EBPF_KEY_NOT_FOUND.
   */
  readonly findElementCodes: 'header' | 'implementation';
  /**
   * The order of map cleanup (reference 1.8, 4 scenario 41). The seed states
   * none; documented keeps epochlab's own: per bucket, every entry's
   * callback, then the bucket is unlinked at once.
   */
  readonly cleanupOrder: 'per-bucket' | 'next-before-delete';
  /**
   * The released epoch is computed as ebpf_epoch.c does it (reference 2.2-2.5):
   * per-CPU current and released epochs, a PROPOSE and then a COMMIT walked
   * around the CPUs, each CPU draining its own free list; an epoch exit on
   * another CPU is forwarded (PASSIVE) or fails fast (DISPATCH, 2.4, 2.7).
   * documented: one global computation per tick (src/epoch/manager.ts).
   */
  readonly perCpuEpochs: boolean;
}

export const DOCUMENTED: Profile = {
  name: 'documented',
  preFreeWhen: 'preprocessMapDeleteElement',
  undoWithoutPreprocess: false,
  acceptNeitherDeleteCallback: false,
  cleanupAtDispatch: false,
  cleanupInEpoch: true,
  mapDeleteInEpoch: true,
  badOptionFirst: true,
  popDropsHelperFlag: false,
  findElementCodes: 'header',
  cleanupOrder: 'per-bucket',
  perCpuEpochs: false,
};

/**
 * eBPF for Windows as built, at the snapshot of the reference
 * (0be2d1c3f36cf85146faa21df3550b6a92712545). Each value is a documented
 * departure; the comment names the reference section it comes from.
 */
export const EBPF_FOR_WINDOWS: Profile = {
  name: 'ebpf-for-windows',
  // 1.2, 1.7, 6.1: PRE_FREE mode is keyed on preprocess_map_update_element
  // (#5224), so postprocess delete runs under the bucket lock, before unlink,
  // and a deprecated preprocess delete without an update callback runs after
  // unlink with its veto ignored (FREE mode).
  preFreeWhen: 'preprocessMapUpdateElement',
  // 1.6, 6.3: the undo delete callback fires on any core failure when a
  // delete callback exists, even if no preprocess update ran.
  undoWithoutPreprocess: true,
  // 1.1, 6.5: attach rejects "both" delete callbacks, never "neither".
  acceptNeitherDeleteCallback: true,
  // 1.8, 6.2: MAP_CLEANUP callbacks run at DISPATCH under the custom-map
  // spinlock, inside the deferred work item, outside any epoch.
  cleanupAtDispatch: true,
  cleanupInEpoch: false,
  // 1.3, 6.2: postprocess_map_delete runs on the PASSIVE worker, outside any epoch.
  mapDeleteInEpoch: false,
  // 0 (map option), 1.6, 6.3: the BPF helper path does not check the option;
  // preprocess update runs, the custom-map glue then fails INVALID_ARGUMENT
  // (_update_hash_map_entry_operation_context) and the undo fires.
  badOptionFirst: false,
  // 1.10, scenario 34: ebpf_map_pop_entry calls the custom find with only
  // FIND_DELETE, dropping HELPER: the block is bypassed, the NULL key gives -6.
  popDropsHelperFlag: true,
  // 1.9, 6.6: _ebpf_custom_map_find_element returns EBPF_INVALID_ARGUMENT
  // for a NULL custom context and EBPF_OBJECT_NOT_FOUND for a missing key.
  findElementCodes: 'implementation',
  // 1.8, 4 scenario 41: cleanup walks the keys in table order and deletes the
  // previous entry after the next one's callback: cb(k2) before del(k1).
  cleanupOrder: 'next-before-delete',
  // 2.2-2.5, 2.7: per-CPU epochs and the propose/commit ring; exit on another
  // CPU forwarded at PASSIVE, fail fast at DISPATCH.
  perCpuEpochs: true,
};

export const PROFILES: Readonly<Record<string, Profile>> = {
  documented: DOCUMENTED,
  'ebpf-for-windows': EBPF_FOR_WINDOWS,
};
export type ProfileName = 'documented' | 'ebpf-for-windows';
export const PROFILE_NAMES = ['documented', 'ebpf-for-windows'] as const satisfies readonly ProfileName[];

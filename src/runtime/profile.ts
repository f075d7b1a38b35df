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
  /** IRQL of MAP_CLEANUP delete callbacks (reference 1.8, 6.2). */
  readonly cleanupAtDispatch: boolean;
  /** MAP_CLEANUP callbacks run inside an epoch (reference 1.8). */
  readonly cleanupInEpoch: boolean;
  /** postprocess_map_delete runs inside an epoch (reference 1.3). */
  readonly mapDeleteInEpoch: boolean;
}

export const DOCUMENTED: Profile = {
  name: 'documented',
  preFreeWhen: 'preprocessMapDeleteElement',
  undoWithoutPreprocess: false,
  acceptNeitherDeleteCallback: false,
  cleanupAtDispatch: false,
  cleanupInEpoch: true,
  mapDeleteInEpoch: true,
};

export const PROFILES: Readonly<Record<string, Profile>> = { documented: DOCUMENTED };

/**
 * The passthrough provider: a non-object map (updates_original_value false)
 * that registers every element callback but changes nothing. The map stores the
 * user's value unchanged, so BPF helpers may look up, update and delete in
 * place. Because it registers preprocess_map_update_element, the hash table
 * runs in PRE_FREE mode: the explicit-delete callback runs under the bucket
 * lock, before unlink (reference §1.7).
 *
 * Options:
 * - `failUpdateValue` (number): preprocess update returns INVALID_ARGUMENT when
 *   the user's value, read as a little-endian u32, equals it. Models a provider
 *   whose preprocess update fails, so no core update and no undo follow.
 * - `noUpdateCallback` (boolean): register no preprocess_map_update_element.
 *   The map then runs in FREE mode under either profile, and a failed core
 *   update had no preprocess to undo: the documented runtime calls no delete
 *   callback for it, the as-built one still calls the undo (reference 6.3).
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { createPlainMap, deletePlainMap } from './minimal.js';
import { PASSTHROUGH_MAP_CONTEXT_TAG } from './tags.js';
import type { CreateOut, MapProvider, ProviderContext, ProviderDispatchTable } from './provider.js';

/** Reads `failUpdateValue` as a u32, or undefined when absent. Throws on a malformed option. */
function parseFailUpdateValue(options: Record<string, unknown>): number | undefined {
  const v = options['failUpdateValue'];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
    throw new TypeError('passthrough provider: failUpdateValue must be a 32-bit integer');
  }
  return v >>> 0;
}

/** Reads `noUpdateCallback`; throws on a malformed option. */
function parseNoUpdateCallback(options: Record<string, unknown>): boolean {
  const v = options['noUpdateCallback'];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError('passthrough provider: noUpdateCallback must be true or false');
  return v;
}

/**
 * Called when a map of this type is created (PASSIVE, in the IOCTL epoch).
 * Rejects zero key or value sizes; stores values unchanged.
 */
function preprocessMapCreate(ctx: ProviderContext, _mapType: number, keySize: number, valueSize: number,
  _maxEntries: number, out: CreateOut): EbpfResultCode {
  return createPlainMap(ctx, keySize, valueSize, out, PASSTHROUGH_MAP_CONTEXT_TAG);
}

/**
 * Called once when the map is gone: after map cleanup and hash-table destroy
 * (PASSIVE worker, not in an epoch), or on a failed create (in the IOCTL epoch).
 */
function postprocessMapDelete(ctx: ProviderContext, mapContext: number): void {
  deletePlainMap(ctx, mapContext);
}

/** Called for each map a program uses while the program loads (PASSIVE, in the IOCTL epoch). */
function preprocessMapAssociateProgramType(): EbpfResultCode {
  return EbpfResult.Success;
}

/**
 * Called after a successful core lookup, before the value is copied out (user
 * mode) or its pointer handed to the program (helper, up to DISPATCH). out_value
 * is NULL for a non-object map. Touches nothing.
 */
function postprocessMapFindElement(): EbpfResultCode {
  return EbpfResult.Success;
}

/**
 * Called after a delete callback's entry is gone: for an explicit delete or
 * lookup-and-delete (flags 0 or HELPER; in PRE_FREE mode under the bucket
 * lock), a replaced value (UPDATE), the undo of a failed core update (UPDATE),
 * and map cleanup (MAP_CLEANUP). Nothing to release.
 */
function postprocessMapDeleteElement(): void {
  // The stored value is the user's own bytes: there is nothing to release.
}

/** Builds the update callback; `failValue` (a u32) makes it fail with INVALID_ARGUMENT. */
function makePreprocessUpdate(failValue: number | undefined): NonNullable<ProviderDispatchTable['preprocessMapUpdateElement']> {
  /**
   * Called before every core update, with no lock held (user mode: PASSIVE;
   * helper: up to DISPATCH). UPDATE is never set here, even for a replace. A
   * failure is returned to the caller with no core update and no undo callback.
   */
  return function preprocessMapUpdateElement(ctx, _mapContext, _keySize, _key, inValueSize, inValue): EbpfResultCode {
    if (failValue === undefined || inValue === 0 || inValueSize < 4) return EbpfResult.Success;
    return ctx.mem.readU32(inValue) === failValue ? EbpfResult.InvalidArgument : EbpfResult.Success;
  };
}

export function createProvider(options: Record<string, unknown>): MapProvider {
  const failValue = parseFailUpdateValue(options);
  const dispatch: ProviderDispatchTable = {
    preprocessMapCreate,
    postprocessMapDelete,
    preprocessMapAssociateProgramType,
    postprocessMapFindElement,
    postprocessMapDeleteElement,
  };
  if (!parseNoUpdateCallback(options)) dispatch.preprocessMapUpdateElement = makePreprocessUpdate(failValue);
  return Object.freeze({
    name: 'passthrough',
    properties: Object.freeze({ updatesOriginalValue: false }),
    dispatch: Object.freeze(dispatch),
  });
}

/**
 * The legacy provider: a non-object map that registers only the deprecated
 * preprocess_map_delete_element (an old SIZE_0 dispatch table), which may veto
 * an explicit delete of chosen keys, as the test provider's deprecated
 * callback does under fault injection (helpers.h
 * `_test_sample_hash_map_preprocess_delete_entry`).
 *
 * It registers no preprocess_map_update_element, so the runtime fixes the map
 * in FREE mode: the delete callback runs after unlink and its veto is ignored
 * (reference §1.7, §4 scenario 20). The veto only takes effect in a runtime
 * that runs the callback before unlink.
 *
 * Options:
 * - `vetoKeys` (array of non-negative integers or "hex:..." strings): keys
 *   whose explicit delete returns OPERATION_NOT_SUPPORTED. An integer matches
 *   the key holding its little-endian encoding in key_size bytes; a hex string
 *   matches the key holding those bytes, zero-padded on the right. A key the
 *   encoding does not fit in never matches. Never vetoed under UPDATE or
 *   MAP_CLEANUP, where the provider must not fail.
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { createPlainMap, deletePlainMap } from './minimal.js';
import { LEGACY_MAP_CONTEXT_TAG } from './tags.js';
import { VetoTable, parseVetoKeys, vetoResult } from './veto-keys.js';
import type { CreateOut, MapProvider, ProviderContext, ProviderDispatchTable } from './provider.js';

/** Called when a map of this type is created (PASSIVE, in the IOCTL epoch). Stores values unchanged. */
function preprocessMapCreate(ctx: ProviderContext, _mapType: number, keySize: number, valueSize: number,
  _maxEntries: number, out: CreateOut): EbpfResultCode {
  return createPlainMap(ctx, keySize, valueSize, out, LEGACY_MAP_CONTEXT_TAG);
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

/** Builds the deprecated delete callback over the veto table. */
function makePreprocessDelete(table: VetoTable): NonNullable<ProviderDispatchTable['preprocessMapDeleteElement']> {
  /**
   * Called for each value leaving the map: an explicit delete or
   * lookup-and-delete (flags 0 or HELPER), a replace or failed-update undo
   * (UPDATE), and map cleanup (MAP_CLEANUP, at DISPATCH, not in an epoch). In
   * PRE_FREE mode an explicit delete calls it under the bucket lock before
   * unlink and a non-SUCCESS result keeps the entry; in FREE mode (this
   * provider's, with no update callback) it runs after unlink and the result
   * is ignored. Vetoes listed keys, never under UPDATE or MAP_CLEANUP.
   */
  return function preprocessMapDeleteElement(ctx, _mapContext, keySize, key, _valueSize, _value, flags): EbpfResultCode {
    return vetoResult(ctx, table, keySize, key, flags);
  };
}

export function createProvider(options: Record<string, unknown>): MapProvider {
  const dispatch: ProviderDispatchTable = {
    preprocessMapCreate,
    postprocessMapDelete,
    preprocessMapAssociateProgramType,
    preprocessMapDeleteElement: makePreprocessDelete(new VetoTable(parseVetoKeys(options, 'legacy'))),
  };
  return Object.freeze({
    name: 'legacy',
    properties: Object.freeze({ updatesOriginalValue: false }),
    dispatch: Object.freeze(dispatch),
  });
}

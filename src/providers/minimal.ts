/**
 * The minimal provider: only the three callbacks every provider must register
 * (create, map delete, associate) and no element callbacks at all. It models
 * the reference's "non-object map with neither delete callback" (§4 scenario 7):
 * the map stores the user's value unchanged and every update, replace, delete
 * and cleanup runs with zero provider CRUD callbacks. With no
 * preprocess_map_update_element the hash table runs in FREE mode.
 *
 * Also exports the create and map-delete bodies that the passthrough and
 * legacy providers share: a 64-byte cache-aligned context block and a value
 * stored as given.
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { MINIMAL_MAP_CONTEXT_TAG } from './tags.js';
import type { CreateOut, MapProvider, ProviderContext } from './provider.js';

/** Bytes of the per-map context block (one cache line; the providers keep no state in it). */
export const PLAIN_MAP_CONTEXT_BYTES = 64;

/**
 * preprocess_map_create for a provider that stores values unchanged: rejects a
 * zero key or value size (custom maps skip the runtime's own checks, so the
 * provider must validate), reports actual_value_size = value_size and
 * allocates a zeroed, cache-aligned context block tagged `tag`.
 */
export function createPlainMap(ctx: ProviderContext, keySize: number, valueSize: number, out: CreateOut,
  tag: number): EbpfResultCode {
  if (keySize === 0 || valueSize === 0) return EbpfResult.InvalidArgument;
  const mapContext = ctx.epoch.allocateCacheAlignedWithTag(PLAIN_MAP_CONTEXT_BYTES, tag);
  if (mapContext === 0) return EbpfResult.NoMemory;
  ctx.mem.fill(mapContext, 0, PLAIN_MAP_CONTEXT_BYTES);
  out.actualValueSize = valueSize;
  out.mapContext = mapContext;
  return EbpfResult.Success;
}

/** postprocess_map_delete for createPlainMap's context: frees the block (NULL is a no-op). */
export function deletePlainMap(ctx: ProviderContext, mapContext: number): void {
  if (mapContext !== 0) ctx.epoch.freeCacheAligned(mapContext);
}

/**
 * Called by the runtime when a map of this provider's type is created (PASSIVE,
 * in the IOCTL epoch). Any non-SUCCESS result becomes EXTENSION_FAILED_TO_LOAD.
 */
function preprocessMapCreate(ctx: ProviderContext, _mapType: number, keySize: number, valueSize: number,
  _maxEntries: number, out: CreateOut): EbpfResultCode {
  return createPlainMap(ctx, keySize, valueSize, out, MINIMAL_MAP_CONTEXT_TAG);
}

/**
 * Called once when the map is gone: from the deferred free work item after map
 * cleanup and hash-table destroy (PASSIVE, not in an epoch), or on a failed
 * create (in the IOCTL epoch).
 */
function postprocessMapDelete(ctx: ProviderContext, mapContext: number): void {
  deletePlainMap(ctx, mapContext);
}

/** Called for each map a program uses while the program loads (PASSIVE, in the IOCTL epoch). Accepts every type. */
function preprocessMapAssociateProgramType(): EbpfResultCode {
  return EbpfResult.Success;
}

export function createProvider(_options: Record<string, unknown>): MapProvider {
  return Object.freeze({
    name: 'minimal',
    properties: Object.freeze({ updatesOriginalValue: false }),
    dispatch: Object.freeze({ preprocessMapCreate, postprocessMapDelete, preprocessMapAssociateProgramType }),
  });
}

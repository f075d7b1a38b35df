/**
 * The object provider: the real test provider's "object map" (helpers.h with
 * object_map=true), i.e. updates_original_value true with every CRUD callback.
 *
 * The user's 4-byte value never reaches the hash table. Preprocess update
 * turns it into a reference-counted object in epoch memory and the map stores
 * an 8-byte reference to it; find reads the user value back through that
 * reference; the delete callback drops the map's reference and frees the
 * object when the count reaches zero. Because the map holds exactly one
 * reference per stored value and the runtime calls the delete callback exactly
 * once per displaced, removed, undone or cleaned-up value, `liveObjects` is 0
 * when the map is deleted; postprocess map delete reports it otherwise.
 *
 * All mutable state lives in epoch memory (one provider instance exists per
 * map per thread): the counters in the map context, the counts in the objects.
 * Hot-path callbacks only read and write through ctx.mem; they allocate no JS
 * objects.
 *
 * Options:
 * - `rejectProgramTypes` (string[]): associate returns OPERATION_NOT_SUPPORTED
 *   for these program types, as the test provider does for non-SAMPLE types.
 * - `deleteSpinUs` (number, default 0): a slow provider. After its explicit-
 *   delete callback (flags without UPDATE or MAP_CLEANUP) released an object
 *   with epoch_free, it busy-waits this many microseconds (services.stallExecution: a scheduling
 *   point per microsecond in controlled mode) before returning.
 *   Legal at DISPATCH (it waits on nothing); in PRE_FREE mode (as built) the
 *   callback runs under the bucket lock before unlink, so this widens the
 *   window in which a retired object is still reachable (reference 6.14).
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { MapOperationFlag } from '../contract/map-operation.js';
import { OBJECT_MAP_CONTEXT_TAG, OBJECT_TAG } from './tags.js';
import type { CreateOut, MapProvider, ProviderContext, ProviderDispatchTable } from './provider.js';

/** The user-facing value: one u32. */
export const USER_VALUE_BYTES = 4;
/** The stored value: a reference to an object. */
export const REFERENCE_BYTES = 8;
/** Byte offsets in a stored reference. The generation lets a stale reference be detected. */
export const ReferenceField = { Object: 0, Generation: 4 } as const;

/** Payload bytes of an object block (8 used; 16 keeps room for a tag or a second count). */
export const OBJECT_BYTES = 16;
/** Byte offsets in an object. */
export const ObjectField = { RefCount: 0, UserValue: 4 } as const;

/** Payload bytes of the map context: one cache line, so its counters share no line with other data. */
export const MAP_CONTEXT_BYTES = 64;
/** Byte offsets of the map context's u32 counters (updated only with atomic adds). */
export const MapContextField = { LiveObjects: 0, CreatedObjects: 4, ReleasedObjects: 8 } as const;

/** Reads `rejectProgramTypes`; throws on a malformed option (the factory runs before any callback). */
function parseRejectProgramTypes(options: Record<string, unknown>): ReadonlySet<string> {
  const v = options['rejectProgramTypes'];
  if (v === undefined) return new Set();
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) {
    throw new TypeError('object provider: rejectProgramTypes must be an array of strings');
  }
  return new Set(v as string[]);
}

/** Reads `deleteSpinUs`; throws on a malformed option. */
function parseDeleteSpinUs(options: Record<string, unknown>): number {
  const v = options['deleteSpinUs'];
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1_000_000) {
    throw new TypeError('object provider: deleteSpinUs must be a number of microseconds from 0 to 1000000');
  }
  return v;
}

/** Busy-waits `us` microseconds (no wait on any object: legal at DISPATCH). */
/**
 * Called when a map of this type is created (PASSIVE, in the IOCTL epoch).
 * Requires a nonzero key and a 4-byte value; stores an 8-byte reference
 * instead. Any non-SUCCESS result becomes EXTENSION_FAILED_TO_LOAD.
 */
function preprocessMapCreate(ctx: ProviderContext, _mapType: number, keySize: number, valueSize: number,
  _maxEntries: number, out: CreateOut): EbpfResultCode {
  return createObjectMap(ctx, keySize, valueSize, out, OBJECT_MAP_CONTEXT_TAG);
}

/** preprocess_map_create of an object map, its context block tagged `tag` (shared with the preprocess provider). */
export function createObjectMap(ctx: ProviderContext, keySize: number, valueSize: number, out: CreateOut,
  tag: number): EbpfResultCode {
  if (keySize === 0 || valueSize !== USER_VALUE_BYTES) return EbpfResult.InvalidArgument;
  const mapContext = ctx.epoch.allocateCacheAlignedWithTag(MAP_CONTEXT_BYTES, tag);
  if (mapContext === 0) return EbpfResult.NoMemory;
  ctx.mem.fill(mapContext, 0, MAP_CONTEXT_BYTES);
  out.actualValueSize = REFERENCE_BYTES;
  out.mapContext = mapContext;
  return EbpfResult.Success;
}

/**
 * Called once when the map is gone: after map cleanup (which released every
 * stored object) and hash-table destroy, on the PASSIVE worker and not in an
 * epoch; or on a failed create, in the IOCTL epoch. Checks that no object
 * outlived the map, then frees the context.
 */
export function postprocessMapDelete(ctx: ProviderContext, mapContext: number): void {
  if (mapContext === 0) return;
  const live = ctx.mem.readU32(mapContext + MapContextField.LiveObjects);
  if (live !== 0) {
    const created = ctx.mem.readU32(mapContext + MapContextField.CreatedObjects);
    const released = ctx.mem.readU32(mapContext + MapContextField.ReleasedObjects);
    ctx.reportInvariant(
      `object map: ${live} objects still referenced at map delete (created ${created}, released ${released})`);
  }
  ctx.epoch.freeCacheAligned(mapContext);
}

/**
 * Called after a successful user-mode lookup (helper lookups are blocked
 * before any callback for an object map), including lookup-and-delete before
 * its delete. in_value is the stored reference; writes the user value to
 * out_value, which the runtime does not fill itself for an object map.
 */
export function postprocessMapFindElement(ctx: ProviderContext, _mapContext: number, _keySize: number, _key: number,
  inValueSize: number, inValue: number, outValueSize: number, outValue: number): EbpfResultCode {
  if (inValue === 0 || inValueSize < REFERENCE_BYTES) return EbpfResult.InvalidArgument;
  const obj = ctx.mem.readU32(inValue + ReferenceField.Object);
  const generation = ctx.mem.readU32(inValue + ReferenceField.Generation) | 0;
  // Through the reference: a read of a released object is recorded as a use after free.
  const userValue = ctx.mem.readU32Ref(obj, generation, ObjectField.UserValue);
  if (outValue === 0) return EbpfResult.Success;
  if (outValueSize < USER_VALUE_BYTES) return EbpfResult.InvalidArgument;
  ctx.mem.writeU32(outValue, userValue);
  return EbpfResult.Success;
}

/**
 * Called before every core update, with no lock held, at PASSIVE (helper
 * updates are blocked for an object map). UPDATE is never set here. Creates
 * the object holding the user value and writes the map's reference to it into
 * out_value (the runtime's temporary buffer). If the core update then fails,
 * the runtime undoes this through postprocessMapDeleteElement (flags UPDATE).
 */
export function preprocessMapUpdateElement(ctx: ProviderContext, mapContext: number, _keySize: number, _key: number,
  inValueSize: number, inValue: number, outValueSize: number, outValue: number): EbpfResultCode {
  if (inValue === 0 || inValueSize < USER_VALUE_BYTES || outValue === 0 || outValueSize < REFERENCE_BYTES) {
    return EbpfResult.InvalidArgument;
  }
  const obj = ctx.epoch.allocateWithTag(OBJECT_BYTES, OBJECT_TAG);
  if (obj === 0) return EbpfResult.NoMemory;
  ctx.mem.writeU32(obj + ObjectField.RefCount, 1); // the map's reference
  ctx.mem.writeU32(obj + ObjectField.UserValue, ctx.mem.readU32(inValue));
  ctx.mem.writeU32(outValue + ReferenceField.Object, obj);
  ctx.mem.writeU32(outValue + ReferenceField.Generation, ctx.mem.generationOf(obj));
  ctx.mem.atomicAddU32(mapContext + MapContextField.LiveObjects, 1);
  ctx.mem.atomicAddU32(mapContext + MapContextField.CreatedObjects, 1);
  return EbpfResult.Success;
}

/** Flags under which the delete callback is not an explicit delete. */
const NOT_EXPLICIT = MapOperationFlag.Update | MapOperationFlag.MapCleanup;

/** Builds the delete callback; `spinUs` > 0 makes explicit deletes slow (see deleteSpinUs). */
function makePostprocessDelete(spinUs: number): NonNullable<ProviderDispatchTable['postprocessMapDeleteElement']> {
  /**
   * Called exactly once for each value that leaves the map: an explicit delete or
   * lookup-and-delete (flags 0; in PRE_FREE mode under the bucket lock, before
   * unlink), the value displaced by a replace (UPDATE, after the bucket unlock),
   * the undo of a failed core update (UPDATE; value is the new reference from
   * preprocess update), and map cleanup (MAP_CLEANUP, at DISPATCH, not in an
   * epoch). Drops the map's reference; the last reference frees the object.
   */
  return function postprocessMapDeleteElement(ctx, mapContext, _keySize, _key, valueSize, value, flags): void {
    if (!releaseReference(ctx, mapContext, valueSize, value)) return;
    if (spinUs > 0 && (flags & NOT_EXPLICIT) === 0) ctx.services.stallExecution(spinUs);
  };
}

/**
 * Drops the map's reference held in the stored value `value` (valueSize
 * bytes); the last reference frees the object with epoch_free. True when an
 * object was freed. Shared with the preprocess provider's deprecated delete.
 */
export function releaseReference(ctx: ProviderContext, mapContext: number, valueSize: number, value: number): boolean {
  if (value === 0 || valueSize < REFERENCE_BYTES) return false;
  const obj = ctx.mem.readU32(value + ReferenceField.Object);
  if (obj === 0) return false; // never populated by preprocess update: nothing to release
  const generation = ctx.mem.readU32(value + ReferenceField.Generation) | 0;
  // -1 means the object was already gone; the memory layer recorded the use after free.
  const refCount = ctx.mem.atomicAddU32Ref(obj, generation, ObjectField.RefCount, -1);
  if (refCount !== 0) return false;
  ctx.epoch.free(obj);
  ctx.mem.atomicAddU32(mapContext + MapContextField.LiveObjects, -1);
  ctx.mem.atomicAddU32(mapContext + MapContextField.ReleasedObjects, 1);
  return true;
}

/** Builds the associate callback over the rejected program types. */
function makeAssociate(rejected: ReadonlySet<string>): NonNullable<ProviderDispatchTable['preprocessMapAssociateProgramType']> {
  /**
   * Called for each map a program uses while the program loads (PASSIVE, in
   * the IOCTL epoch). A non-SUCCESS result fails the program load.
   */
  return function preprocessMapAssociateProgramType(_ctx, _mapContext, programType): EbpfResultCode {
    return rejected.has(programType) ? EbpfResult.OperationNotSupported : EbpfResult.Success;
  };
}

export function createProvider(options: Record<string, unknown>): MapProvider {
  const dispatch: ProviderDispatchTable = {
    preprocessMapCreate,
    postprocessMapDelete,
    preprocessMapAssociateProgramType: makeAssociate(parseRejectProgramTypes(options)),
    postprocessMapFindElement,
    preprocessMapUpdateElement,
    postprocessMapDeleteElement: makePostprocessDelete(parseDeleteSpinUs(options)),
  };
  return Object.freeze({
    name: 'object',
    properties: Object.freeze({ updatesOriginalValue: true }),
    dispatch: Object.freeze(dispatch),
  });
}

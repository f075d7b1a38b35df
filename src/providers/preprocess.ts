/**
 * The preprocess provider: the real test provider's "preprocess" setup
 * (helpers.h `initialize(..., use_postprocess_delete = false)`, used by the
 * `custom_maps_*_preprocess` tests). It registers preprocess_map_update_element
 * together with the deprecated preprocess_map_delete_element (an old SIZE_0
 * dispatch table), and no postprocess delete.
 *
 * Because it registers both, the map is in PRE_FREE mode under either
 * profile: documented, PRE_FREE is keyed on the deprecated delete callback
 * (the seed); as built, on the update callback (reference 1.2, 1.7, #5224).
 * An explicit delete then calls the deprecated callback under the bucket lock,
 * before unlink, and a non-SUCCESS result keeps the entry: the veto is
 * honoured (reference 4 scenario 19). Replace, undo and cleanup calls carry
 * UPDATE or MAP_CLEANUP and are never vetoed.
 *
 * By default it is an object map (updates_original_value true), as in the
 * real concurrency tests: the value lives in a reference-counted object and
 * the map stores an 8-byte reference (the object provider's layout, whose
 * create, find, update and release it shares). The deprecated callback
 * releases the reference unless it vetoes.
 *
 * Options:
 * - `objectMap` (boolean, default true): false stores the user's value as
 *   given (updates_original_value false); the callbacks then touch nothing.
 * - `vetoKeys` (array of non-negative integers or "hex:..." strings): keys
 *   whose explicit delete returns OPERATION_NOT_SUPPORTED (see veto-keys.ts).
 * - `registerCrudApis` (boolean, default true): false registers no find, no
 *   update and no delete callback, as helpers.h's register_crud_apis=false
 *   (reference 4 scenario 4 for an object map).
 * - `noUpdateCallback` (boolean, default false): no preprocess update. As
 *   built the map is then in FREE mode and the veto is ignored (scenario 20);
 *   an object map without it is not created (INVALID_ARGUMENT).
 * - `deleteSpinUs` (number, default 0): after an explicit delete released an
 *   object (object map), busy-wait this many microseconds before returning,
 *   still under the bucket lock (PRE_FREE): it widens the window of
 *   reference 6.14, in which the retired object is still reachable.
 * - `validValues` (array of [min, max] u32 pairs): the values this map
 *   holds, as inclusive ranges. Preprocess update refuses any other value
 *   (INVALID_ARGUMENT: no core update, no undo), and every value a find
 *   returns must lie in one of them, as the real concurrency test requires;
 *   a find of any other value is a provider.invariant violation (the map
 *   returned a value no update put there).
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { createPlainMap, deletePlainMap } from './minimal.js';
import {
  createObjectMap, postprocessMapDelete as deleteObjectMap, postprocessMapFindElement as findObject,
  preprocessMapUpdateElement as updateObject, releaseReference,
} from './object.js';
import { PREPROCESS_MAP_CONTEXT_TAG } from './tags.js';
import { MUST_NOT_FAIL, VetoTable, parseVetoKeys, vetoResult } from './veto-keys.js';
import type { CreateOut, MapProvider, ProviderContext, ProviderDispatchTable } from './provider.js';

const NAME = 'preprocess';

/** Reads a boolean option; throws on a malformed one. */
function parseFlag(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${NAME} provider: ${name} must be true or false`);
  return v;
}

/** Reads `validValues` as a flat [min0, max0, min1, max1, ...] array, or null when absent. */
function parseValidValues(options: Record<string, unknown>): Uint32Array | null {
  const v = options['validValues'];
  if (v === undefined) return null;
  const u32 = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  const pair = (p: unknown): boolean => Array.isArray(p) && p.length === 2 && u32(p[0]) && u32(p[1]) && (p[0] as number) <= (p[1] as number);
  if (!Array.isArray(v) || v.length === 0 || !v.every(pair)) {
    throw new TypeError(`${NAME} provider: validValues must be a non-empty array of [min, max] pairs of u32 values, min <= max`);
  }
  return Uint32Array.from((v as number[][]).flat());
}

/** True when `value` lies in one of the ranges. */
function inRanges(ranges: Uint32Array, value: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (value >= (ranges[i] as number) && value <= (ranges[i + 1] as number)) return true;
  }
  return false;
}

/** The shape chosen by the options. */
interface Shape {
  readonly objectMap: boolean;
  readonly crud: boolean;
  readonly update: boolean;
  readonly ranges: Uint32Array | null;
  readonly veto: VetoTable;
  readonly spinUs: number;
}

/** Builds preprocess_map_create: an object map's context, or a plain map's (values stored as given). */
function makeCreate(objectMap: boolean): NonNullable<ProviderDispatchTable['preprocessMapCreate']> {
  /** Called when a map of this type is created (PASSIVE, in the IOCTL epoch). */
  return function preprocessMapCreate(ctx, _mapType, keySize, valueSize, _maxEntries, out: CreateOut): EbpfResultCode {
    return objectMap ? createObjectMap(ctx, keySize, valueSize, out, PREPROCESS_MAP_CONTEXT_TAG)
      : createPlainMap(ctx, keySize, valueSize, out, PREPROCESS_MAP_CONTEXT_TAG);
  };
}

/**
 * Called once when the map is gone (after cleanup: PASSIVE worker, not in an
 * epoch; or on a failed create, in the IOCTL epoch). An object map checks that
 * no object outlived it.
 */
function makeMapDelete(objectMap: boolean): NonNullable<ProviderDispatchTable['postprocessMapDelete']> {
  return function postprocessMapDelete(ctx: ProviderContext, mapContext: number): void {
    if (objectMap) deleteObjectMap(ctx, mapContext);
    else deletePlainMap(ctx, mapContext);
  };
}

/** Builds postprocess_map_find_element, with the validValues check. */
function makeFind(shape: Shape): NonNullable<ProviderDispatchTable['postprocessMapFindElement']> {
  /**
   * Called after a successful core lookup. An object map writes the user
   * value to out_value (user mode; helper finds are blocked); a plain map
   * touches nothing. Then the value must lie in validValues.
   */
  return function postprocessMapFindElement(ctx, mapContext, keySize, key, inSize, inValue, outSize, outValue): EbpfResultCode {
    if (shape.objectMap) {
      const r = findObject(ctx, mapContext, keySize, key, inSize, inValue, outSize, outValue);
      if (r !== EbpfResult.Success || outValue === 0) return r;
    }
    const ranges = shape.ranges;
    if (ranges === null) return EbpfResult.Success;
    const at = shape.objectMap ? outValue : inValue;
    if (at === 0 || (shape.objectMap ? outSize : inSize) < 4) return EbpfResult.Success;
    const value = ctx.mem.readU32(at);
    if (!inRanges(ranges, value)) ctx.reportInvariant(`${NAME} map: a find returned ${value}, which is in none of validValues`);
    return EbpfResult.Success;
  };
}

/** Builds preprocess_map_update_element: an object map makes the object; a plain map accepts the value. */
function makeUpdate(shape: Shape): NonNullable<ProviderDispatchTable['preprocessMapUpdateElement']> {
  /**
   * Called before every core update, with no lock held; UPDATE is never set
   * here. Refuses a value outside validValues before it makes anything.
   */
  return function preprocessMapUpdateElement(ctx, mapContext, keySize, key, inSize, inValue, outSize, outValue): EbpfResultCode {
    const ranges = shape.ranges;
    if (ranges !== null && (inValue === 0 || inSize < 4 || !inRanges(ranges, ctx.mem.readU32(inValue)))) return EbpfResult.InvalidArgument;
    return shape.objectMap ? updateObject(ctx, mapContext, keySize, key, inSize, inValue, outSize, outValue) : EbpfResult.Success;
  };
}

/** Builds the deprecated delete callback over the veto table. */
function makePreprocessDelete(shape: Shape): NonNullable<ProviderDispatchTable['preprocessMapDeleteElement']> {
  /**
   * Called for each value leaving the map: an explicit delete or
   * lookup-and-delete (flags 0; PRE_FREE: under the bucket lock, before
   * unlink), a replace or failed-update undo (UPDATE) and map cleanup
   * (MAP_CLEANUP). Vetoes listed keys of an explicit delete, keeping the
   * object; otherwise releases the map's reference (object map).
   */
  return function preprocessMapDeleteElement(ctx, mapContext, keySize, key, valueSize, value, flags): EbpfResultCode {
    const r = vetoResult(ctx, shape.veto, keySize, key, flags);
    if (r !== EbpfResult.Success) return r;
    const freed = shape.objectMap && releaseReference(ctx, mapContext, valueSize, value);
    if (freed && shape.spinUs > 0 && (flags & MUST_NOT_FAIL) === 0) ctx.services.stallExecution(shape.spinUs);
    return EbpfResult.Success;
  };
}

/** Reads `deleteSpinUs`; throws on a malformed option. */
function parseSpin(options: Record<string, unknown>): number {
  const v = options['deleteSpinUs'];
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1_000_000) {
    throw new TypeError(`${NAME} provider: deleteSpinUs must be a number of microseconds from 0 to 1000000`);
  }
  return v;
}

function parseShape(options: Record<string, unknown>): Shape {
  const crud = parseFlag(options, 'registerCrudApis', true);
  return {
    objectMap: parseFlag(options, 'objectMap', true),
    crud,
    update: crud && !parseFlag(options, 'noUpdateCallback', false),
    ranges: parseValidValues(options),
    veto: new VetoTable(parseVetoKeys(options, NAME)),
    spinUs: parseSpin(options),
  };
}

export function createProvider(options: Record<string, unknown>): MapProvider {
  const shape = parseShape(options);
  const dispatch: ProviderDispatchTable = {
    preprocessMapCreate: makeCreate(shape.objectMap),
    postprocessMapDelete: makeMapDelete(shape.objectMap),
    preprocessMapAssociateProgramType: () => EbpfResult.Success,
  };
  if (shape.crud) {
    dispatch.postprocessMapFindElement = makeFind(shape);
    dispatch.preprocessMapDeleteElement = makePreprocessDelete(shape);
  }
  if (shape.update) dispatch.preprocessMapUpdateElement = makeUpdate(shape);
  return Object.freeze({
    name: NAME,
    properties: Object.freeze({ updatesOriginalValue: shape.objectMap }),
    dispatch: Object.freeze(dispatch),
  });
}

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
import { MapOperationFlag } from '../contract/map-operation.js';
import { createPlainMap, deletePlainMap } from './minimal.js';
import { LEGACY_MAP_CONTEXT_TAG } from './tags.js';
import type { CreateOut, MapProvider, ProviderContext, ProviderDispatchTable } from './provider.js';

/** A veto key as configured: an integer, or raw bytes from a hex string. */
type VetoKey = number | Uint8Array;

/** Flags under which the runtime ignores the result and the provider must not fail. */
const MUST_NOT_FAIL = MapOperationFlag.Update | MapOperationFlag.MapCleanup;

/** Parses one "hex:..." string into bytes; throws on malformed input. */
function parseHex(s: string): Uint8Array {
  const digits = s.slice(4);
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(digits)) {
    throw new TypeError(`legacy provider: vetoKeys entry "${s}" is not "hex:" and an even number of hex digits`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Reads `vetoKeys`; throws on a malformed option (the factory runs before any callback). */
function parseVetoKeys(options: Record<string, unknown>): readonly VetoKey[] {
  const v = options['vetoKeys'];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError('legacy provider: vetoKeys must be an array');
  return v.map((k: unknown): VetoKey => {
    if (typeof k === 'number' && Number.isSafeInteger(k) && k >= 0) return k;
    if (typeof k === 'string' && k.startsWith('hex:')) return parseHex(k);
    throw new TypeError(`legacy provider: vetoKeys entry ${JSON.stringify(k)} is not a non-negative integer or "hex:..."`);
  });
}

/** Writes `key` as `keySize` bytes at `dst`; false when it does not fit. */
function encodeKey(key: VetoKey, keySize: number, dst: Uint8Array, at: number): boolean {
  if (typeof key !== 'number') {
    if (key.length > keySize) return false;
    dst.set(key, at); // the rest is already zero: right padding
    return true;
  }
  let rest = key;
  for (let i = 0; i < keySize; i++) {
    dst[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return rest === 0;
}

/** The veto keys encoded for one key size: `count` keys of `keySize` bytes, back to back. */
interface EncodedKeys {
  readonly keySize: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

function encodeKeys(keys: readonly VetoKey[], keySize: number): EncodedKeys {
  const bytes = new Uint8Array(keys.length * keySize);
  let count = 0;
  for (const key of keys) {
    if (encodeKey(key, keySize, bytes, count * keySize)) count++;
    else bytes.fill(0, count * keySize, (count + 1) * keySize); // undo a partial write
  }
  return { keySize, count, bytes };
}

/** True when the `keySize` bytes at `key` equal one of the encoded keys. */
function matchesAny(ctx: ProviderContext, key: number, enc: EncodedKeys): boolean {
  const { keySize, count, bytes } = enc;
  for (let k = 0, base = 0; k < count; k++, base += keySize) {
    let i = 0;
    while (i < keySize && ctx.mem.readU8(key + i) === bytes[base + i]) i++;
    if (i === keySize) return true;
  }
  return false;
}

/**
 * Encoded veto keys per key size, built on first use. The cache is derived only
 * from the options, so keeping it in this thread's provider instance (not in
 * epoch memory) is safe. The last key size is kept in front: a map's key size
 * never changes, so after the first call a lookup allocates nothing.
 */
class VetoTable {
  private last: EncodedKeys | undefined;
  private readonly bySize = new Map<number, EncodedKeys>();

  constructor(private readonly keys: readonly VetoKey[]) {}

  forKeySize(keySize: number): EncodedKeys {
    const last = this.last;
    if (last !== undefined && last.keySize === keySize) return last;
    let enc = this.bySize.get(keySize);
    if (enc === undefined) {
      enc = encodeKeys(this.keys, keySize);
      this.bySize.set(keySize, enc);
    }
    this.last = enc;
    return enc;
  }

  get empty(): boolean {
    return this.keys.length === 0;
  }
}

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
    if ((flags & MUST_NOT_FAIL) !== 0 || table.empty || key === 0 || keySize <= 0) return EbpfResult.Success;
    return matchesAny(ctx, key, table.forKeySize(keySize)) ? EbpfResult.OperationNotSupported : EbpfResult.Success;
  };
}

export function createProvider(options: Record<string, unknown>): MapProvider {
  const dispatch: ProviderDispatchTable = {
    preprocessMapCreate,
    postprocessMapDelete,
    preprocessMapAssociateProgramType,
    preprocessMapDeleteElement: makePreprocessDelete(new VetoTable(parseVetoKeys(options))),
  };
  return Object.freeze({
    name: 'legacy',
    properties: Object.freeze({ updatesOriginalValue: false }),
    dispatch: Object.freeze(dispatch),
  });
}

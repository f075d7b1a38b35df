/**
 * Veto keys for a deprecated preprocess_map_delete_element: the keys whose
 * explicit delete a provider refuses with OPERATION_NOT_SUPPORTED, as the
 * real test provider's deprecated callback does under fault injection
 * (helpers.h `_test_sample_hash_map_preprocess_delete_entry`). Shared by the
 * legacy and preprocess providers.
 *
 * `vetoKeys` is an array of non-negative integers or "hex:..." strings. An
 * integer matches the key holding its little-endian encoding in key_size
 * bytes; a hex string matches the key holding those bytes, zero-padded on the
 * right. A key the encoding does not fit in never matches. A veto never
 * applies under UPDATE or MAP_CLEANUP, where the provider must not fail.
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { MapOperationFlag } from '../contract/map-operation.js';
import type { ProviderContext } from './provider.js';

/** A veto key as configured: an integer, or raw bytes from a hex string. */
export type VetoKey = number | Uint8Array;

/** Flags under which the runtime ignores the result and the provider must not fail. */
export const MUST_NOT_FAIL = MapOperationFlag.Update | MapOperationFlag.MapCleanup;

/** Parses one "hex:..." string into bytes; throws on malformed input. */
function parseHex(s: string, who: string): Uint8Array {
  const digits = s.slice(4);
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(digits)) {
    throw new TypeError(`${who} provider: vetoKeys entry "${s}" is not "hex:" and an even number of hex digits`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Reads `vetoKeys`; throws on a malformed option naming provider `who` (the factory runs before any callback). */
export function parseVetoKeys(options: Record<string, unknown>, who: string): readonly VetoKey[] {
  const v = options['vetoKeys'];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`${who} provider: vetoKeys must be an array`);
  return v.map((k: unknown): VetoKey => {
    if (typeof k === 'number' && Number.isSafeInteger(k) && k >= 0) return k;
    if (typeof k === 'string' && k.startsWith('hex:')) return parseHex(k, who);
    throw new TypeError(`${who} provider: vetoKeys entry ${JSON.stringify(k)} is not a non-negative integer or "hex:..."`);
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
export function matchesAny(ctx: ProviderContext, key: number, enc: EncodedKeys): boolean {
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
export class VetoTable {
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

/**
 * The deprecated delete callback's answer for one key: OPERATION_NOT_SUPPORTED
 * for a listed key of an explicit delete (neither UPDATE nor MAP_CLEANUP set),
 * SUCCESS otherwise. Allocates nothing once the table knows the key size.
 */
export function vetoResult(ctx: ProviderContext, table: VetoTable, keySize: number, key: number, flags: number): EbpfResultCode {
  if ((flags & MUST_NOT_FAIL) !== 0 || table.empty || key === 0 || keySize <= 0) return EbpfResult.Success;
  return matchesAny(ctx, key, table.forKeySize(keySize)) ? EbpfResult.OperationNotSupported : EbpfResult.Success;
}

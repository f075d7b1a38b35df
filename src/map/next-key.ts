/**
 * get_next_key on the hash table, as ebpf_hash_table_next_key_pointer_and_value
 * walks it (reference 3, "Readers"): lock-free, in bucket order then entry
 * order. Without a previous key the answer is the first entry of the first
 * non-empty bucket. With one, the walk starts at the previous key's bucket:
 * the entry after it, else the first entry of a later non-empty bucket. A
 * previous key that is no longer in its bucket gives EBPF_KEY_NOT_FOUND (the
 * IOCTL layer then asks again from the first key); past the last entry,
 * EBPF_NO_MORE_KEYS. The caller is inside an epoch, so every bucket it loads
 * stays readable until it leaves.
 */
import { EbpfResult } from '../contract/ebpf-result.js';
import type { Shm } from '../shm/shm.js';
import { BucketEntry } from '../shm/layout.js';
import type { MapInfo } from './map-info.js';

/**
 * Writes the next key (its zero-padded words) to `outPtr`. `prevKeyPtr` is a
 * word-aligned, zero-padded key, or 0 for the first key.
 */
export function nextKey(shm: Shm, info: MapInfo, prevKeyPtr: number, outPtr: number): number {
  const i32 = shm.i32;
  const start = prevKeyPtr === 0 ? 0 : info.bucketOf(i32, prevKeyPtr >> 2);
  let found = false;
  for (let bucket = start; bucket <= info.bucketMask; bucket++) {
    const head = shm.loadBucketHead(info.headWord(bucket));
    if (head === 0) continue;
    const count = i32[head >> 2] as number;
    for (let i = 0; i < count; i++) {
      const e = (head >> 2) + 1 + i * info.entryWords;
      if (prevKeyPtr === 0 || found) {
        i32.copyWithin(outPtr >> 2, e + BucketEntry.Key, e + BucketEntry.Key + info.keyWords);
        return EbpfResult.Success;
      }
      if (sameKey(i32, e + BucketEntry.Key, prevKeyPtr >> 2, info.keyWords)) found = true;
    }
  }
  return prevKeyPtr !== 0 && !found ? EbpfResult.KeyNotFound : EbpfResult.NoMoreKeys;
}

function sameKey(i32: Int32Array, a: number, b: number, words: number): boolean {
  for (let j = 0; j < words; j++) if (i32[a + j] !== i32[b + j]) return false;
  return true;
}

/**
 * A lane's cached, read-only view of a map's header (line 0 of MapField is
 * immutable once the map is Live), plus the seeded key hash.
 */
import { BucketEntry, MapField, MapFlag, mapWord, slotWord, SlotField } from '../shm/layout.js';
import { Shm } from '../shm/shm.js';

export class MapInfo {
  readonly keySize: number;
  readonly keyWords: number;
  readonly valueSize: number;
  readonly actualValueSize: number;
  readonly storedValueSize: number;
  readonly maxEntries: number;
  readonly bucketMask: number;
  readonly entryWords: number;
  readonly flags: number;
  readonly hashSeed: number;
  /** Word index of bucket 0's head and of bucket 0's lock (SlotField: heads and locks apart). */
  readonly headBase: number;
  readonly lockBase: number;
  readonly entryCountWord: number;

  constructor(shm: Shm, readonly index: number) {
    const r = (f: number): number => shm.i32[mapWord(shm.layout, index, f)] as number;
    this.keySize = r(MapField.KeySize);
    this.keyWords = (this.keySize + 3) >> 2;
    this.valueSize = r(MapField.ValueSize);
    this.actualValueSize = r(MapField.ActualValueSize);
    this.storedValueSize = r(MapField.StoredValueSize);
    this.maxEntries = r(MapField.MaxEntries);
    this.bucketMask = r(MapField.BucketMask);
    this.entryWords = BucketEntry.Key + this.keyWords;
    this.flags = r(MapField.Flags);
    this.hashSeed = r(MapField.HashSeed);
    this.headBase = slotWord(shm.layout, index, 0, SlotField.Head);
    this.lockBase = slotWord(shm.layout, index, 0, SlotField.Lock);
    this.entryCountWord = mapWord(shm.layout, index, MapField.EntryCount);
  }

  get updatesOriginalValue(): boolean {
    return (this.flags & MapFlag.UpdatesOriginalValue) !== 0;
  }

  get preFreeMode(): boolean {
    return (this.flags & MapFlag.PreFreeMode) !== 0;
  }

  headWord(bucket: number): number {
    return this.headBase + bucket;
  }

  lockWord(bucket: number): number {
    return this.lockBase + bucket;
  }

  /** Seeded murmur3-style hash of a word-aligned, zero-padded key. */
  bucketOf(i32: Int32Array, keyWord: number): number {
    let h = this.hashSeed ^ this.keySize;
    for (let i = 0; i < this.keyWords; i++) {
      let k = Math.imul(i32[keyWord + i] as number, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.bucketMask;
  }
}

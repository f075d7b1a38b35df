/**
 * Byte and word access to arena memory for the runtime and for providers
 * (it satisfies src/providers/provider.ts's ProviderMemory structurally; the
 * shared-memory layer knows no provider). Plain accesses are fine here: a block's
 * bytes are published by the Atomics store that made the block reachable
 * (an allocation's setBlockState, a bucket's publishBucketHead). Accesses
 * through a reference (pointer + generation) check the block first and report
 * a use after free instead of touching poisoned memory.
 */
import { BlockField, BlockState, blockWord } from './layout.js';
import { Shm } from './shm.js';

/** Called when an access through a reference finds its block gone. */
export type StaleAccessHandler = (ptr: number, generation: number, write: boolean) => void;

export class Memory {
  /** Called on every read through a reference (set when tracing, for the age oracle). */
  onRead: ((ptr: number) => void) | null = null;
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly dv: DataView;

  constructor(private readonly shm: Shm, private readonly onStale: StaleAccessHandler) {
    this.u8 = shm.u8;
    this.i32 = shm.i32;
    this.dv = new DataView(shm.sab);
  }

  readU8(ptr: number): number {
    return this.u8[ptr] as number;
  }

  writeU8(ptr: number, value: number): void {
    this.u8[ptr] = value;
  }

  readU32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }

  writeU32(ptr: number, value: number): void {
    this.dv.setUint32(ptr, value >>> 0, true);
  }

  copy(dst: number, src: number, length: number): void {
    this.u8.copyWithin(dst, src, src + length);
  }

  fill(ptr: number, value: number, length: number): void {
    this.u8.fill(value, ptr, ptr + length);
  }

  atomicAddU32(ptr: number, delta: number): number {
    if ((ptr & 3) !== 0) throw new Error(`atomicAddU32: pointer ${ptr} is not 4-byte aligned`);
    return (this.shm.add(ptr >> 2, delta) + delta) >>> 0;
  }

  readBytes(ptr: number, length: number): Uint8Array {
    return this.u8.slice(ptr, ptr + length);
  }

  isLive(ptr: number, generation: number): boolean {
    if (ptr <= 0 || ptr >= this.u8.length) return false;
    const h = blockWord(ptr, 0);
    // SYNC: State is written with Atomics.store by allocate/free; this plain
    // read may lag in free-running mode, never in controlled mode, where the
    // baton handoff orders it.
    // A retired block is still valid memory (its epoch has not passed); only
    // a free bumps the generation and poisons it.
    return this.i32[h + BlockField.State] !== BlockState.Free && this.i32[h + BlockField.Generation] === generation;
  }

  generationOf(ptr: number): number {
    return this.i32[blockWord(ptr, BlockField.Generation)] as number;
  }

  readU32Ref(ptr: number, generation: number, offset: number): number {
    this.shm.touch(false);
    if (this.onRead !== null) this.onRead(ptr);
    // A reference read from freed (poisoned) memory can point anywhere: such
    // a read yields 0 instead of faulting, and is reported below.
    const at = ptr + offset;
    const value = at > 0 && at + 4 <= this.u8.length ? this.dv.getUint32(at, true) : 0;
    if (!this.isLive(ptr, generation)) {
      this.onStale(ptr, generation, false);
    }
    return value;
  }

  writeU32Ref(ptr: number, generation: number, offset: number, value: number): void {
    this.shm.touch(true);
    if (!this.isLive(ptr, generation)) {
      this.onStale(ptr, generation, true);
      return;
    }
    this.dv.setUint32(ptr + offset, value >>> 0, true);
  }

  atomicAddU32Ref(ptr: number, generation: number, offset: number, delta: number): number {
    if (!this.isLive(ptr, generation)) {
      this.onStale(ptr, generation, true);
      return -1;
    }
    return this.atomicAddU32(ptr + offset, delta);
  }
}

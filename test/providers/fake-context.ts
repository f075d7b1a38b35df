/**
 * A single-threaded fake ProviderContext for provider unit tests: memory is a
 * plain Uint8Array with a bump allocator, epoch frees take effect at once (the
 * block's generation is bumped, so a later access through an old reference is
 * recorded as stale), and every allocation, free, invariant and stale access is
 * recorded for the test to inspect. Nothing here is shared between threads.
 */
import type {
  CreateOut, EpochApi, IrqlValue, KernelServices, ProviderContext, ProviderMemory,
} from '../../src/providers/provider.js';
import { EbpfResult, type EbpfResultCode } from '../../src/contract/ebpf-result.js';

/** One block handed out by the fake allocator. */
export interface FakeBlock {
  readonly ptr: number;
  readonly size: number;
  readonly tag: number;
  readonly aligned: boolean;
  /** 'scratch' blocks are test buffers, not epoch memory. */
  readonly kind: 'epoch' | 'scratch';
  generation: number;
  live: boolean;
}

export interface FreeRecord {
  readonly ptr: number;
  readonly aligned: boolean;
}

export interface StaleAccess {
  readonly ptr: number;
  readonly generation: number;
  readonly write: boolean;
}

/** Lowest pointer handed out, so 0 is always NULL. */
const FIRST_PTR = 64;
const CACHE_LINE = 64;
const WORD = 8;

export class FakeMemory implements ProviderMemory {
  readonly u8: Uint8Array;
  private readonly dv: DataView;
  private next = FIRST_PTR;
  private nextGeneration = 1;
  readonly blocks = new Map<number, FakeBlock>();
  readonly stale: StaleAccess[] = [];

  constructor(bytes = 1 << 16) {
    this.u8 = new Uint8Array(bytes);
    this.dv = new DataView(this.u8.buffer);
  }

  /** Bump-allocates a zeroed block; 0 when the buffer is exhausted. */
  allocate(size: number, tag: number, aligned: boolean, kind: FakeBlock['kind']): number {
    const align = aligned ? CACHE_LINE : WORD;
    const ptr = Math.ceil(this.next / align) * align;
    if (ptr + size > this.u8.length) return 0;
    this.next = ptr + Math.max(size, 1);
    this.u8.fill(0, ptr, ptr + size);
    this.blocks.set(ptr, { ptr, size, tag, aligned, kind, generation: this.nextGeneration++, live: true });
    return ptr;
  }

  /** Marks a block gone and bumps its generation; false if it was not a live block. */
  release(ptr: number): boolean {
    const block = this.blocks.get(ptr);
    if (block === undefined || !block.live) return false;
    block.live = false;
    block.generation++;
    this.u8.fill(0xef, ptr, ptr + block.size); // poison, like the arena
    return true;
  }

  /** A zeroed test buffer (a key, a user value, the runtime's temporary out buffer). */
  scratch(size: number): number {
    return this.allocate(size, 0, false, 'scratch');
  }

  writeBytes(ptr: number, bytes: ArrayLike<number>): void {
    this.u8.set(bytes, ptr);
  }

  liveEpochBlocks(): FakeBlock[] {
    return [...this.blocks.values()].filter((b) => b.kind === 'epoch' && b.live);
  }

  readU8(ptr: number): number {
    return this.u8[ptr] as number;
  }

  readU32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }

  writeU32(ptr: number, value: number): void {
    this.dv.setUint32(ptr, value >>> 0, true);
  }

  writeU8(ptr: number, value: number): void {
    this.u8[ptr] = value;
  }

  copy(dst: number, src: number, length: number): void {
    this.u8.copyWithin(dst, src, src + length);
  }

  fill(ptr: number, value: number, length: number): void {
    this.u8.fill(value, ptr, ptr + length);
  }

  atomicAddU32(ptr: number, delta: number): number {
    if ((ptr & 3) !== 0) throw new Error(`atomicAddU32: pointer ${ptr} is not 4-byte aligned`);
    const value = (this.readU32(ptr) + delta) >>> 0;
    this.writeU32(ptr, value);
    return value;
  }

  readBytes(ptr: number, length: number): Uint8Array {
    return this.u8.slice(ptr, ptr + length);
  }

  isLive(ptr: number, generation: number): boolean {
    const block = this.blocks.get(ptr);
    return block !== undefined && block.live && block.generation === generation;
  }

  generationOf(ptr: number): number {
    return this.blocks.get(ptr)?.generation ?? 0;
  }

  readU32Ref(ptr: number, generation: number, offset: number): number {
    const value = this.readU32(ptr + offset);
    if (!this.isLive(ptr, generation)) this.stale.push({ ptr, generation, write: false });
    return value;
  }

  writeU32Ref(ptr: number, generation: number, offset: number, value: number): void {
    if (!this.isLive(ptr, generation)) {
      this.stale.push({ ptr, generation, write: true });
      return;
    }
    this.writeU32(ptr + offset, value);
  }

  atomicAddU32Ref(ptr: number, generation: number, offset: number, delta: number): number {
    if (!this.isLive(ptr, generation)) {
      this.stale.push({ ptr, generation, write: true });
      return -1;
    }
    return this.atomicAddU32(ptr + offset, delta);
  }
}

/** Epoch API over FakeMemory; frees are immediate and recorded, misuse is recorded as an error. */
export class FakeEpoch implements EpochApi {
  readonly frees: FreeRecord[] = [];
  readonly errors: string[] = [];
  allocations = 0;
  /** Allocations left before every further one fails (Infinity: never fail). */
  allocationsLeft = Infinity;
  private states = 0;

  constructor(private readonly mem: FakeMemory) {}

  newState(): number {
    return this.states++;
  }

  releaseState(): void {}
  enter(): void {}
  exit(): void {}

  allocateWithTag(size: number, tag: number): number {
    return this.allocate(size, tag, false);
  }

  allocateCacheAlignedWithTag(size: number, tag: number): number {
    return this.allocate(size, tag, true);
  }

  free(ptr: number): void {
    this.release(ptr, false);
  }

  freeCacheAligned(ptr: number): void {
    this.release(ptr, true);
  }

  private allocate(size: number, tag: number, aligned: boolean): number {
    if (this.allocationsLeft <= 0) return 0;
    this.allocationsLeft--;
    this.allocations++;
    return this.mem.allocate(size, tag, aligned, 'epoch');
  }

  private release(ptr: number, aligned: boolean): void {
    if (ptr === 0) return;
    this.frees.push({ ptr, aligned });
    const block = this.mem.blocks.get(ptr);
    if (block === undefined || block.kind !== 'epoch') {
      this.errors.push(`free of ${ptr}, which is not an epoch block`);
      return;
    }
    if (block.aligned !== aligned) this.errors.push(`free of ${ptr} with the wrong alignment`);
    if (!this.mem.release(ptr)) this.errors.push(`double free of ${ptr}`);
  }
}

const noServices: KernelServices = {
  sleep: () => {},
  wait: () => {},
  stallExecution: () => {},
  lookupHandle: () => 0,
  poolFree: () => {},
  queueWorkItem: () => {},
};

export class FakeContext implements ProviderContext {
  readonly cpu = 0;
  irql: IrqlValue = 0;
  flags = 0;
  readonly mem: FakeMemory;
  readonly epoch: FakeEpoch;
  readonly services = noServices;
  readonly invariants: string[] = [];

  constructor(bytes?: number) {
    this.mem = new FakeMemory(bytes);
    this.epoch = new FakeEpoch(this.mem);
  }

  findElement(_map: number, _keyPtr: number, _out: { ptr: number }): EbpfResultCode {
    return EbpfResult.ObjectNotFound;
  }

  reportInvariant(message: string): void {
    this.invariants.push(message);
  }

  /** A scratch buffer holding `value` as a little-endian u32. */
  u32Buffer(value: number): number {
    const ptr = this.mem.scratch(4);
    this.mem.writeU32(ptr, value);
    return ptr;
  }
}

/** A fresh CreateOut with sentinel values, so a test sees what create wrote. */
export function createOut(): CreateOut {
  return { actualValueSize: -1, mapContext: -1 };
}

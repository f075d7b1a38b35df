/**
 * The custom map provider interface: the seed's ebpf_base_map_provider_dispatch_table_t
 * and ebpf_base_map_provider_properties_t, in TypeScript.
 *
 * Pointers are numbers: byte offsets into the shared buffer (0 = NULL), read
 * and written through `ctx.mem`. A provider instance exists once per map in
 * every thread that runs callbacks, so all mutable provider state must live in
 * epoch memory (ctx.epoch.allocate...), reachable from the map context. Like C
 * callbacks, these must not throw: a throw is recorded as a violation
 * (provider.callback-threw) and ends the run.
 */
import type { EbpfResultCode } from '../contract/ebpf-result.js';

/** The IRQL a callback runs at (Irql.Passive = 0, Irql.Dispatch = 2). */
export type IrqlValue = 0 | 2;

/**
 * Memory access for providers. Reads through a stale reference are always
 * detected; while the checker is on, every access with a pointer is checked
 * against the block it falls in (memory.use-after-free, memory.out-of-bounds,
 * memory.overflow), and a write that fails the check is not made.
 */
export interface ProviderMemory {
  readU8(ptr: number): number;
  readU32(ptr: number): number;
  writeU32(ptr: number, value: number): void;
  writeU8(ptr: number, value: number): void;
  copy(dst: number, src: number, length: number): void;
  fill(ptr: number, value: number, length: number): void;
  /** Atomically adds `delta` to the 32-bit word at `ptr`; returns the new value. */
  atomicAddU32(ptr: number, delta: number): number;
  /** Copies bytes out (allocates; for tests and cold paths). */
  readBytes(ptr: number, length: number): Uint8Array;
  /** True when (ptr, generation) still names a live block. */
  isLive(ptr: number, generation: number): boolean;
  /** The current generation of the block whose payload starts at `ptr`. */
  generationOf(ptr: number): number;
  /** Reads a word of a block through a reference; records memory.use-after-free if the block is gone. */
  readU32Ref(ptr: number, generation: number, offset: number): number;
  /** Writes through a reference; records memory.use-after-free and skips the write if the block is gone. */
  writeU32Ref(ptr: number, generation: number, offset: number, value: number): void;
  /** Atomic add through a reference; returns the new value (or -1 after a use-after-free). */
  atomicAddU32Ref(ptr: number, generation: number, offset: number, delta: number): number;
}

/** The epoch API the runtime gives providers (the seed's client dispatch table). */
export interface EpochApi {
  /** A fresh epoch_state_t (think: a local variable); -1 if none is left. */
  newState(): number;
  releaseState(state: number): void;
  enter(state: number): void;
  exit(state: number): void;
  allocateWithTag(size: number, tag: number): number;
  allocateCacheAlignedWithTag(size: number, tag: number): number;
  free(ptr: number): void;
  freeCacheAligned(ptr: number): void;
}

/** A few kernel services with IRQL rules. Misuse is a violation and is not performed. */
export interface KernelServices {
  /** KeDelayExecutionThread-like sleep: PASSIVE only. */
  sleep(ms: number): void;
  /** KeWaitForSingleObject-like wait: PASSIVE only. */
  wait(ms: number): void;
  /**
   * KeStallExecutionProcessor-like busy wait of `us` microseconds: any
   * IRQL. Wall-clock time free-running; in controlled mode one scheduling
   * point per microsecond (at most 1,000), where other CPUs may run.
   */
  stallExecution(us: number): void;
  /** ObReferenceObjectByHandle-like lookup in the caller's handle table: PASSIVE, HELPER not set. Returns a nonzero object id, or 0. */
  lookupHandle(handle: number): number;
  /**
   * ExFreePool-like: frees a block at once, NOT through the epoch. Correct
   * only for memory no reader can reach; a concurrent reader that still holds
   * the pointer then reads freed memory (memory.use-after-free).
   */
  poolFree(ptr: number): void;
  /**
   * IoQueueWorkItem-like: runs `work` later on this CPU at PASSIVE, after the
   * current operation, outside any epoch (as a driver's own work item would).
   */
  queueWorkItem(work: (ctx: ProviderContext) => void): void;
}

export interface ProviderContext {
  /** The CPU (lane) running the callback. */
  readonly cpu: number;
  /** The IRQL at the callback (read live from the CPU's record). */
  readonly irql: IrqlValue;
  /** EBPF_MAP_OPERATION_* flags of the current call. */
  readonly flags: number;
  readonly mem: ProviderMemory;
  readonly epoch: EpochApi;
  readonly services: KernelServices;
  /** find_element_function: a raw lookup; writes the stored value pointer to out.ptr. */
  findElement(map: number, keyPtr: number, out: { ptr: number }): EbpfResultCode;
  /** Records a provider.invariant violation (a provider's own end-of-run check). */
  reportInvariant(message: string): void;
}

export interface CreateOut {
  actualValueSize: number;
  mapContext: number;
}

export interface ProviderDispatchTable {
  preprocessMapCreate?(ctx: ProviderContext, mapType: number, keySize: number, valueSize: number,
    maxEntries: number, out: CreateOut): EbpfResultCode;
  postprocessMapDelete?(ctx: ProviderContext, mapContext: number): void;
  postprocessMapFindElement?(ctx: ProviderContext, mapContext: number, keySize: number, key: number,
    inValueSize: number, inValue: number, outValueSize: number, outValue: number, flags: number): EbpfResultCode;
  preprocessMapUpdateElement?(ctx: ProviderContext, mapContext: number, keySize: number, key: number,
    inValueSize: number, inValue: number, outValueSize: number, outValue: number, flags: number): EbpfResultCode;
  /** Deprecated: runs before removal, under the bucket lock; may veto. */
  preprocessMapDeleteElement?(ctx: ProviderContext, mapContext: number, keySize: number, key: number,
    valueSize: number, value: number, flags: number): EbpfResultCode;
  /** Preferred: runs after removal and after the bucket lock is released. */
  postprocessMapDeleteElement?(ctx: ProviderContext, mapContext: number, keySize: number, key: number,
    valueSize: number, value: number, flags: number): void;
  preprocessMapAssociateProgramType?(ctx: ProviderContext, mapContext: number, programType: string): EbpfResultCode;
}

export interface ProviderProperties {
  /** The provider replaces the stored value (object maps); helper CRUD is then blocked. */
  updatesOriginalValue: boolean;
}

export interface MapProvider {
  readonly name: string;
  readonly properties: ProviderProperties;
  readonly dispatch: ProviderDispatchTable;
}

/** What a provider module exports: `export function createProvider(options) { ... }`. */
export type ProviderFactory = (options: Record<string, unknown>) => MapProvider;

/**
 * A provider module, as a scenario's `provider` path loads it:
 *
 *     export const createProvider: ProviderFactory = (options) => ({ name, properties, dispatch });
 */
export interface ProviderModule {
  createProvider: ProviderFactory;
}

/** Callbacks every provider must register. */
export const REQUIRED_CALLBACKS = ['preprocessMapCreate', 'postprocessMapDelete', 'preprocessMapAssociateProgramType'] as const;

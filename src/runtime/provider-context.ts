/**
 * The context a lane hands to provider callbacks: its CPU, live IRQL, the
 * current flags, memory access, the epoch API, find_element_function, and a
 * few kernel services with IRQL rules. One object per lane, reused for every
 * callback (no allocation per call); the runtime sets `flags` and `callback`
 * before a call. While the checker is on, `mem` is the memory checker
 * (src/shm/checked-memory.ts), whose reports name the callback in flight.
 */
import type {
  EpochApi, IrqlValue, KernelServices, ProviderContext, ProviderMemory,
} from '../providers/provider.js';
import type { EbpfResultCode } from '../contract/ebpf-result.js';
import { LaneContext } from './lane-context.js';
import { MapOperationFlag } from '../contract/map-operation.js';
import { Irql } from '../contract/irql.js';
import { Rule } from '../contract/rules.js';
import { MAX_KEY_BYTES, Scratch } from '../shm/layout.js';
import { CheckedMemory } from '../shm/checked-memory.js';
import { CALLBACK_NAMES } from '../trace/events.js';

/** A raw lookup used by find_element_function (no callbacks, no blocking). */
export interface RawFinder {
  rawFind(map: number, keyPtr: number, out: { ptr: number }): EbpfResultCode;
}

class LaneEpochApi implements EpochApi {
  constructor(private readonly lane: LaneContext) {}

  newState(): number {
    return this.lane.epoch.allocateState();
  }

  releaseState(state: number): void {
    this.lane.epoch.releaseState(state);
  }

  enter(state: number): void {
    this.lane.epoch.enter(state);
  }

  exit(state: number): void {
    this.lane.epoch.exit(state);
  }

  allocateWithTag(size: number, tag: number): number {
    this.requireEpoch('epoch_allocate_with_tag');
    return this.lane.allocate(size, tag, false);
  }

  allocateCacheAlignedWithTag(size: number, tag: number): number {
    this.requireEpoch('epoch_allocate_cache_aligned_with_tag');
    return this.lane.allocate(size, tag, true);
  }

  free(ptr: number): void {
    this.requireEpoch('epoch_free');
    this.lane.epoch.retire(ptr, false);
  }

  freeCacheAligned(ptr: number): void {
    this.requireEpoch('epoch_free_cache_aligned');
    this.lane.epoch.retire(ptr, true);
  }

  /** The runtime does not enforce this (reference 2.6); it records it. */
  private requireEpoch(what: string): void {
    if (!this.lane.epoch.inEpoch()) {
      this.lane.violations.record(Rule.OutsideEpoch, -1, 0, 0, 0, `${what} called outside an epoch on ${this.lane.label}`);
    }
  }
}

class LaneKernelServices implements KernelServices {
  constructor(private readonly lane: LaneContext, private readonly owner: LaneProviderContext) {}

  sleep(ms: number): void {
    this.blockingWait('sleep', ms);
  }

  wait(ms: number): void {
    this.blockingWait('wait', ms);
  }

  stallExecution(us: number): void {
    this.lane.shm.busyWait(Math.max(0, Math.min(us, 1_000_000)));
  }

  lookupHandle(handle: number): number {
    if (this.lane.irql >= Irql.Dispatch) {
      this.lane.violations.record(Rule.HandleLookupAtDispatch, -1, 0, handle, 0,
        `handle lookup (ObReferenceObjectByHandle) at DISPATCH on ${this.lane.label}; not performed`);
      return 0;
    }
    if ((this.owner.flags & MapOperationFlag.Helper) !== 0) {
      this.lane.violations.record(Rule.HandleTableWithHelper, -1, 0, handle, 0,
        'handle lookup with EBPF_MAP_OPERATION_HELPER set: not in the caller\'s process context; not performed');
      return 0;
    }
    return handle > 0 ? handle : 0;
  }

  poolFree(ptr: number): void {
    const lane = this.lane;
    if (!lane.arena.isBlockPointer(ptr)) {
      lane.violations.record(Rule.WildPointer, -1, 0, ptr, 0, `pool free of ${ptr}, which is not an arena block`);
      return;
    }
    lane.freeNow(ptr); // immediately: no epoch protects its readers
  }

  queueWorkItem(work: (ctx: ProviderContext) => void): void {
    this.owner.deferred.push(work);
  }

  private blockingWait(what: string, ms: number): void {
    if (this.lane.irql >= Irql.Dispatch) {
      this.lane.violations.record(Rule.WaitAtDispatch, -1, 0, ms, 0,
        `${what}(${ms} ms) at DISPATCH on ${this.lane.label}; not performed`);
      return;
    }
    this.lane.shm.sleep(Math.max(0, Math.min(ms, 10_000)));
  }
}

export class LaneProviderContext implements ProviderContext {
  flags = 0;
  /** The callback in flight (Cb.*), -1 between callbacks (set by Callbacks). */
  callback = -1;
  /** The memory checker when it is on (the same object as `mem`), else null. */
  readonly checked: CheckedMemory | null;
  /** Work queued by providers (queueWorkItem), run after the current operation. */
  readonly deferred: Array<(ctx: ProviderContext) => void> = [];
  readonly cpu: number;
  readonly mem: ProviderMemory;
  readonly epoch: EpochApi;
  readonly services: KernelServices;

  constructor(private readonly lane: LaneContext, private readonly finder: RawFinder) {
    this.cpu = lane.lane;
    this.checked = lane.arena.checked
      ? new CheckedMemory(lane.shm, lane.arena, lane.mem, lane.lane, (rule, block, message) => this.memoryFault(rule, block, message))
      : null;
    this.mem = this.checked ?? lane.mem;
    this.epoch = new LaneEpochApi(lane);
    this.services = new LaneKernelServices(lane, this);
  }

  get irql(): IrqlValue {
    return this.lane.irql >= Irql.Dispatch ? 2 : 0;
  }

  findElement(map: number, keyPtr: number, out: { ptr: number }): EbpfResultCode {
    if (!this.lane.epoch.inEpoch()) {
      this.lane.violations.record(Rule.OutsideEpoch, map, 0, 0, 0, 'find_element_function called outside an epoch');
    }
    // Keys are compared as words: copy into aligned, zero-padded scratch.
    const k = this.lane.scratch(Scratch.Key2);
    this.lane.mem.fill(k, 0, MAX_KEY_BYTES);
    this.mem.copy(k, keyPtr, this.keySizeOf(map)); // the provider's key: checked when the checker is on
    return this.finder.rawFind(map, k, out);
  }

  /** Where a provider's memory access happened, for the checker's reports. */
  get where(): string {
    const cb = CALLBACK_NAMES[this.callback];
    return cb === undefined ? `outside any callback on ${this.lane.label}` : `in ${cb} on ${this.lane.label}`;
  }

  private memoryFault(rule: number, block: number, message: string): void {
    this.lane.violations.record(rule, -1, 0, block, this.callback, `${message}, ${this.where}`);
  }

  reportInvariant(message: string): void {
    this.lane.violations.record(Rule.ProviderInvariant, -1, 0, 0, 0, message);
  }

  /** Set by the runtime: key size per map index, for findElement's copy. */
  keySizes: number[] = [];

  private keySizeOf(map: number): number {
    return this.keySizes[map] ?? MAX_KEY_BYTES;
  }
}

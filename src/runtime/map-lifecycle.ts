/**
 * A map's life: creation (provider validation, preprocess_map_create, the
 * actual_value_size rules), references (the user handle, programs, in-flight
 * IOCTLs), and deletion: when the last reference drops, a cleanup work item
 * is retired through the epoch; when the epoch manager finds it eligible it
 * runs here, on the system lane: one delete callback with MAP_CLEANUP per
 * remaining entry, then postprocess_map_delete, once.
 *
 * Map header words written here: line 0 by the creating lane before State
 * becomes Live (an atomic store); RefCount/HandleClosed/State atomically.
 */
import { EbpfResult } from '../contract/ebpf-result.js';
import { LaneContext } from './lane-context.js';
import { CustomMaps } from './custom-map.js';
import { MapRt } from './callbacks.js';
import { MapInfo } from '../map/map-info.js';
import { TAG_WORK_ITEM } from '../contract/tags.js';
import { BlockKind, Ctl, MapField, MapFlag, MapState, mapWord } from '../shm/layout.js';
import { Ev, OpCode, Mode } from '../trace/events.js';
import { MapOperationFlag } from '../contract/map-operation.js';
import { Irql } from '../contract/irql.js';
import type { CreateOut } from '../providers/provider.js';
import type { MapPlan } from './plan.js';
import { Mutant } from '../contract/mutants.js';

/** eBPF's first custom map type number (BPF_MAP_TYPE_MAX is 17 at the snapshot): the type every provider registers. */
export const CUSTOM_MAP_TYPE = 15;
/** BPF_MAP_TYPE_MAX at the snapshot: create rejects a type at or above it before any provider lookup (reference 4 scenario 2). */
export const BPF_MAP_TYPE_MAX = 17;

export class MapLifecycle {
  constructor(private readonly lane: LaneContext, private readonly maps: CustomMaps) {}

  private word(map: number, field: number): number {
    return mapWord(this.lane.shm.layout, map, field);
  }

  /**
   * Validates the provider and creates the map (user mode, PASSIVE, inside
   * the caller's epoch). `nameFails` (faults.nameAllocFail): the name
   * allocation after the custom map was made fails (reference 1.2 step 7).
   */
  create(m: MapRt, plan: MapPlan, nameFails = false): number {
    const shm = this.lane.shm;
    shm.store(this.word(m.index, MapField.State), MapState.Creating);
    const r = this.validateAndCreate(m, plan);
    if (r !== EbpfResult.Success) {
      shm.store(this.word(m.index, MapField.State), MapState.Failed);
      return r;
    }
    if (nameFails) {
      // The empty table's cleanup has no entry to call back for; then
      // postprocess_map_delete, synchronously, in the caller's epoch (reference 4 scenario 44).
      this.maps.callbacks.mapDelete(m);
      m.mapContext = 0;
      shm.store(this.word(m.index, MapField.State), MapState.Failed);
      return EbpfResult.NoMemory;
    }
    if (!this.preallocateCleanup(m)) {
      shm.store(this.word(m.index, MapField.State), MapState.Failed);
      return EbpfResult.NoMemory;
    }
    this.writeHeader(m, plan);
    m.info = new MapInfo(shm, m.index);
    shm.store(this.word(m.index, MapField.RefCount), 1); // the creator's handle
    // SYNC: publishes the header words written above; lanes read State first.
    shm.store(this.word(m.index, MapField.State), MapState.Live);
    return EbpfResult.Success;
  }

  private validateAndCreate(m: MapRt, plan: MapPlan): number {
    if (plan.mapType >= BPF_MAP_TYPE_MAX) return EbpfResult.InvalidArgument; // an unknown type: no provider lookup
    if (plan.mapType !== CUSTOM_MAP_TYPE) return EbpfResult.ExtensionFailedToLoad; // NMR finds no provider for the type
    const d = m.dispatch;
    const both = d.preprocessMapDeleteElement !== undefined && d.postprocessMapDeleteElement !== undefined;
    const neither = !this.maps.hasDeleteCallback(m);
    const required = d.preprocessMapCreate && d.postprocessMapDelete && d.preprocessMapAssociateProgramType;
    if (!required || both || (neither && !this.maps.profile.acceptNeitherDeleteCallback)) {
      return EbpfResult.ExtensionFailedToLoad; // attach fails: no callback runs
    }
    const out: CreateOut = { actualValueSize: 0, mapContext: 0 };
    const created = this.maps.callbacks.create(m, CUSTOM_MAP_TYPE, plan.keySize, plan.valueSize, plan.maxEntries, out);
    m.mapContext = out.mapContext;
    let r: number = created === EbpfResult.Success ? this.checkSizes(m, plan, out.actualValueSize) : EbpfResult.ExtensionFailedToLoad;
    if (r === EbpfResult.Success) {
      this.lane.shm.i32[this.word(m.index, MapField.ActualValueSize)] = out.actualValueSize;
      return r;
    }
    if (out.mapContext !== 0) this.maps.callbacks.mapDelete(m);
    m.mapContext = 0;
    return r;
  }

  /** The actual_value_size rules (reference 1.2, steps 2-4). */
  private checkSizes(m: MapRt, plan: MapPlan, actual: number): number {
    const d = m.dispatch;
    const uov = m.provider.properties.updatesOriginalValue;
    if (actual === 0) return EbpfResult.InvalidArgument;
    if (!uov && actual !== plan.valueSize) return EbpfResult.InvalidArgument;
    if (uov && (!d.postprocessMapFindElement || !d.preprocessMapUpdateElement || !this.maps.hasDeleteCallback(m))) {
      return EbpfResult.InvalidArgument;
    }
    return EbpfResult.Success;
  }

  private writeHeader(m: MapRt, plan: MapPlan): void {
    const i32 = this.lane.shm.i32;
    const w = (f: number, v: number): void => { i32[this.word(m.index, f)] = v; };
    const actual = i32[this.word(m.index, MapField.ActualValueSize)] as number;
    const preFree = m.dispatch[this.maps.profile.preFreeWhen] !== undefined;
    w(MapField.KeySize, plan.keySize);
    w(MapField.ValueSize, plan.valueSize);
    w(MapField.StoredValueSize, Math.max(actual, plan.valueSize));
    w(MapField.MaxEntries, plan.maxEntries);
    w(MapField.BucketCount, plan.buckets);
    w(MapField.BucketMask, plan.buckets - 1);
    w(MapField.MapContext, m.mapContext);
    w(MapField.Flags, (m.provider.properties.updatesOriginalValue ? MapFlag.UpdatesOriginalValue : 0) | (preFree ? MapFlag.PreFreeMode : 0));
    w(MapField.HashSeed, (i32[Ctl.HashSeed] as number) ^ Math.imul(m.index + 1, 0x9e3779b1));
    w(MapField.MapType, CUSTOM_MAP_TYPE);
  }

  /** Reads a map that another lane created (after State became Live). */
  attach(m: MapRt): boolean {
    const state = this.lane.shm.load(this.word(m.index, MapField.State));
    if (state !== MapState.Live && state !== MapState.Deleting) return false;
    m.info = new MapInfo(this.lane.shm, m.index);
    m.mapContext = this.lane.shm.i32[this.word(m.index, MapField.MapContext)] as number;
    return true;
  }

  /** Takes a reference for an IOCTL or a program; false when the map is gone. */
  acquire(m: MapRt): boolean {
    const w = this.word(m.index, MapField.RefCount);
    for (;;) {
      const refs = this.lane.shm.load(w);
      if (refs <= 0) return false;
      if (this.lane.shm.cas(w, refs, refs + 1) === refs) return true;
    }
  }

  /** Drops a reference; the last one schedules the deferred cleanup. */
  release(m: MapRt): void {
    if (this.lane.shm.add(this.word(m.index, MapField.RefCount), -1) === 1) this.scheduleCleanup(m);
  }

  /** delete_map: closes the user handle (drops the creator's reference). */
  closeHandle(m: MapRt): number {
    if (m.info === null || this.lane.shm.cas(this.word(m.index, MapField.HandleClosed), 0, 1) !== 0) {
      return EbpfResult.InvalidObject;
    }
    this.release(m);
    return EbpfResult.Success;
  }

  /** True when the user handle is still open (user-mode calls may use the map). */
  handleOpen(m: MapRt): boolean {
    return this.lane.shm.load(this.word(m.index, MapField.HandleClosed)) === 0;
  }

  /**
   * Allocates the map's cleanup work item at creation, as the runtime
   * allocates an object's epoch work item when it initializes the object
   * (reference 2.6: ebpf_epoch_allocate_work_item pre-allocates, and can fail), so that the
   * last reference's release cannot fail. When it cannot be allocated, the
   * map made by the provider is deleted again and creation fails.
   */
  private preallocateCleanup(m: MapRt): boolean {
    const item = this.lane.allocate(8, TAG_WORK_ITEM, false, BlockKind.WorkItem);
    if (item === 0) {
      this.maps.callbacks.mapDelete(m);
      m.mapContext = 0;
      return false;
    }
    this.lane.shm.i32[item >> 2] = m.index;
    // SYNC: published with the map header by the State store that makes the map Live.
    this.lane.shm.i32[this.word(m.index, MapField.CleanupItem)] = item;
    return true;
  }

  private scheduleCleanup(m: MapRt): void {
    const item = this.lane.shm.i32[this.word(m.index, MapField.CleanupItem)] as number;
    this.lane.shm.store(this.word(m.index, MapField.State), MapState.Deleting);
    this.lane.epoch.retire(item, false, m.index);
  }

  /** Runs a cleanup work item (system lane, from the epoch manager). */
  runCleanup(item: number): void {
    const m = this.maps.maps[this.lane.shm.i32[item >> 2] as number] as MapRt;
    if (m.info === null && !this.attach(m)) return;
    const lane = this.lane;
    lane.heartbeat(OpCode.MapCleanup, m.index);
    lane.trace.emit(Ev.OpBegin, OpCode.MapCleanup, m.index, 0, 0, Mode.System, 0, 0, 0);
    const state = lane.epoch.allocateState();
    const entries = this.cleanEntries(m, state);
    if (this.maps.profile.mapDeleteInEpoch) lane.epoch.enter(state);
    this.maps.callbacks.mapDelete(m);
    if (this.maps.profile.mapDeleteInEpoch) lane.epoch.exit(state);
    lane.epoch.releaseState(state);
    lane.shm.store(this.word(m.index, MapField.State), MapState.Deleted);
    lane.trace.emit(Ev.OpEnd, OpCode.MapCleanup, m.index, 0, EbpfResult.Success, Mode.System, 0, 0, 0, entries);
    lane.idle(); // the system lane waits for the next cleanup: nothing in flight for the watchdog to watch
  }

  /**
   * One delete callback with MAP_CLEANUP per remaining entry, then the
   * entries' memory is retired. Documented: PASSIVE, inside an epoch. As
   * built: DISPATCH under the custom-map spinlock, outside any epoch.
   */
  private cleanEntries(m: MapRt, state: number): number {
    const info = m.info as MapInfo;
    const profile = this.maps.profile;
    const mapLock = this.word(m.index, MapField.MapLock);
    if (profile.cleanupAtDispatch) {
      this.lane.setIrql(Irql.Dispatch);
      this.lane.shm.acquireLock(mapLock);
    }
    if (profile.cleanupInEpoch) this.lane.epoch.enter(state);
    const hasCb = this.maps.hasDeleteCallback(m);
    const visit = (keyPtr: number, valuePtr: number): void => {
      if (hasCb) this.maps.callbacks.delete(m, keyPtr, valuePtr, this.lane.mutant === Mutant.CleanupFlags
        ? MapOperationFlag.MapCleanup | MapOperationFlag.Update : MapOperationFlag.MapCleanup);
    };
    let entries = 0;
    if (profile.cleanupOrder === 'next-before-delete') entries = this.cleanInOrder(info, visit);
    else for (let b = 0; b <= info.bucketMask; b++) entries += this.maps.table.drainBucket(info, b, visit);
    if (profile.cleanupInEpoch) this.lane.epoch.exit(state);
    if (profile.cleanupAtDispatch) {
      this.lane.shm.releaseLock(mapLock);
      this.lane.setIrql(Irql.Passive);
    }
    return entries;
  }

  /**
   * Cleanup as eBPF for Windows runs it (reference 1.8, 4 scenario 41): the
   * keys in table order, each entry's callback before the delete of the
   * entry before it: cb(k1), cb(k2), del(k1), cb(k3), del(k2), ... del(kn).
   * A delete is an ordinary remove (its bucket lock, no notifier); the
   * removed value is retired. A bucket is walked as it was when first read:
   * a block a delete replaced is retired, and only the epoch manager, which
   * runs this cleanup, frees.
   */
  private cleanInOrder(info: MapInfo, visit: (keyPtr: number, valuePtr: number) => void): number {
    let previous = -1;
    let entries = 0;
    const step = (keyPtr: number, valuePtr: number): void => {
      visit(keyPtr, valuePtr);
      if (previous >= 0) this.removeForCleanup(info, previous);
      previous = keyPtr;
      entries++;
    };
    for (let b = 0; b <= info.bucketMask; b++) this.maps.table.visitBucket(info, b, step);
    if (previous >= 0) this.removeForCleanup(info, previous);
    return entries;
  }

  private removeForCleanup(info: MapInfo, keyPtr: number): void {
    const table = this.maps.table;
    if (table.remove(info, keyPtr, null, 0) === EbpfResult.Success) this.lane.epoch.retire(table.removed, false, info.index);
  }
}

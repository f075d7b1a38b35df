/**
 * The custom-map glue (ebpf_custom_map_* in libs/execution_context/ebpf_maps.c):
 * find, update, delete and find-and-delete on a provider-backed map, with
 * provider callbacks at the documented points:
 *
 *   find:    core lookup, then postprocess_map_find_element (after a hit).
 *   update:  preprocess_map_update_element, then the core update; on a
 *            replace, one delete callback for the old value (UPDATE) after the
 *            bucket lock is released; on a core failure after a successful
 *            preprocess, one delete callback for the new value (UPDATE).
 *   delete:  PRE_FREE mode: the delete callback under the bucket lock before
 *            unlink (it may veto); otherwise after unlink and unlock.
 *
 * Helper calls on a map whose provider updates the original value are
 * blocked with EBPF_OPERATION_NOT_SUPPORTED before any callback.
 */
import { EbpfResult, type EbpfResultCode } from '../contract/ebpf-result.js';
import { LaneContext } from './lane-context.js';
import { Callbacks, MapRt } from './callbacks.js';
import { Profile } from './profile.js';
import { DeleteNotifier, HashTable } from '../map/hash-table.js';
import { MapInfo } from '../map/map-info.js';
import { MapOperationFlag } from '../contract/map-operation.js';
import { Scratch } from '../shm/layout.js';
import { Rule } from '../contract/rules.js';
import { Mutant } from '../contract/mutants.js';

export class CustomMaps implements DeleteNotifier {
  readonly table: HashTable;
  /** For helper finds: the live stored value (pointer, generation). */
  foundValue = 0;
  foundGeneration = 0;
  /** faults.tempBufferFailAt for this CPU: which updates of a map that updates the original value find no temporary buffer. */
  readonly tempBufferFailAt = new Set<number>();
  private tempBuffers = 0;

  constructor(
    private readonly lane: LaneContext,
    readonly maps: MapRt[],
    readonly callbacks: Callbacks,
    readonly profile: Profile,
  ) {
    this.table = new HashTable(lane);
  }

  /**
   * Lookup. User mode copies the value to `outPtr` (valueSize bytes); a
   * helper gets the live stored value in foundValue/foundGeneration.
   */
  find(m: MapRt, keyPtr: number, outPtr: number, helper: boolean): number {
    const r = this.lookup(m, keyPtr, outPtr, helper);
    if (r !== EbpfResult.Success) return r;
    const info = m.info as MapInfo;
    if (!helper && !info.updatesOriginalValue) this.copyOut(info, this.foundValue, this.foundGeneration, outPtr);
    return EbpfResult.Success;
  }

  /**
   * The lookup shared by find and find-and-delete: the blocking check, the
   * core lookup, then postprocess_map_find_element (after a hit). On success
   * foundValue/foundGeneration name the stored value.
   */
  private lookup(m: MapRt, keyPtr: number, outPtr: number, helper: boolean): number {
    const info = m.info as MapInfo;
    if (this.blocked(info, helper)) return EbpfResult.OperationNotSupported;
    const value = this.table.find(info, keyPtr);
    if (value === 0) return EbpfResult.ObjectNotFound;
    const gen = this.table.foundGeneration;
    if (this.lane.trace.on) this.lane.recordRead(value);
    if (m.dispatch.postprocessMapFindElement) {
      // Checked before the callback too: a value already freed is the root
      // cause, whatever the provider then makes of its poisoned bytes.
      const checks = this.lane.checksLiveness;
      const freedBefore = checks && !this.lane.mem.isLive(value, gen);
      if (freedBefore) this.staleValue(info, value, gen, 'the lookup handed the provider\'s find callback');
      const out = info.updatesOriginalValue && !helper ? outPtr : 0;
      const r = this.callbacks.find(m, helper ? 0 : info.keySize, keyPtr, value, out === 0 ? 0 : info.valueSize, out,
        helper ? MapOperationFlag.Helper : 0);
      if (checks && !freedBefore && !this.lane.mem.isLive(value, gen)) this.staleValue(info, value, gen, 'the provider\'s find callback read');
      if (r !== EbpfResult.Success) return r;
    }
    this.foundValue = value;
    this.foundGeneration = gen;
    return EbpfResult.Success;
  }

  /** Update with option ANY / NOEXIST / EXIST; `valuePtr` holds valueSize bytes. */
  update(m: MapRt, keyPtr: number, valuePtr: number, option: number, helper: boolean): number {
    const info = m.info as MapInfo;
    if (this.blocked(info, helper)) return EbpfResult.OperationNotSupported;
    // A bad option: user mode (the library) and the documented helper path
    // reject it first; the as-built helper path fails in the core, after preprocess.
    const badOption = option < 0 || option > 2;
    if (badOption && (!helper || this.profile.badOptionFirst)) return EbpfResult.InvalidArgument;
    const flags = helper ? MapOperationFlag.Helper : 0;
    let src = valuePtr;
    let srcLen = info.valueSize;
    if (info.updatesOriginalValue) {
      // The temporary out-value buffer (reference 1.6 step 3, scenario 15): its allocation fails before any callback.
      if (this.tempBufferFailAt.size > 0 && this.tempBufferFailAt.has(++this.tempBuffers)) return EbpfResult.NoMemory;
      src = this.lane.scratch(Scratch.Temp);
      srcLen = info.actualValueSize;
      this.lane.mem.fill(src, 0, srcLen);
    }
    const pre = m.dispatch.preprocessMapUpdateElement !== undefined;
    if (pre) {
      const out = info.updatesOriginalValue ? src : 0;
      const checked = out === 0 ? null : this.callbacks.pctx.checked;
      checked?.expectOut(out, srcLen);
      const r = this.callbacks.update(m, keyPtr, valuePtr, out === 0 ? 0 : info.actualValueSize, out, flags);
      const unwritten = checked?.unwrittenOut() ?? 0;
      if (r !== EbpfResult.Success) return r;
      if (unwritten > 0) this.outValueUnwritten(m, keyPtr, unwritten, srcLen);
    }
    const result = badOption ? EbpfResult.InvalidArgument : this.table.update(info, keyPtr, src, srcLen, option);
    if (result === EbpfResult.Success) {
      this.afterReplace(m, keyPtr, flags);
    } else if (this.hasDeleteCallback(m) && (pre || this.profile.undoWithoutPreprocess) && this.lane.mutant !== Mutant.MissingUndo) {
      this.callbacks.delete(m, keyPtr, src, flags | MapOperationFlag.Update); // undo; result ignored
    }
    return result;
  }

  /** Explicit delete (user or helper). */
  delete(m: MapRt, keyPtr: number, helper: boolean): number {
    const info = m.info as MapInfo;
    if (this.blocked(info, helper)) return EbpfResult.OperationNotSupported;
    const flags = helper ? MapOperationFlag.Helper : 0;
    const underLock = info.preFreeMode || this.lane.mutant === Mutant.CallbackUnderLock;
    const notifier = underLock && this.hasDeleteCallback(m) ? this : null;
    const result = this.table.remove(info, keyPtr, notifier, flags);
    if (result !== EbpfResult.Success) return result;
    const removed = this.table.removed;
    if (notifier === null && this.hasDeleteCallback(m)) this.callbacks.delete(m, keyPtr, removed, flags);
    this.lane.epoch.retire(removed, false, info.index);
    return EbpfResult.Success;
  }

  /** Lookup-and-delete: the provider's find runs first, then the delete path, then the copy. */
  findAndDelete(m: MapRt, keyPtr: number, outPtr: number, helper: boolean): number {
    const found = this.lookup(m, keyPtr, outPtr, helper);
    if (found !== EbpfResult.Success) return found;
    const info = m.info as MapInfo;
    const value = this.foundValue;
    const gen = this.foundGeneration;
    const r = this.delete(m, keyPtr, helper);
    if (r !== EbpfResult.Success) return r;
    // Safe after the unlink: the caller is still inside its epoch.
    if (!helper && !info.updatesOriginalValue) this.copyOut(info, value, gen, outPtr);
    return EbpfResult.Success;
  }

  /** DeleteNotifier: PRE_FREE mode, under the bucket lock, before unlink. */
  deleteUnderLock(map: number, keyPtr: number, valuePtr: number, flags: number): number {
    return this.callbacks.delete(this.maps[map] as MapRt, keyPtr, valuePtr, flags);
  }

  /**
   * find_element_function: raw lookup, no callbacks, no blocking. A map with
   * no custom context (a non-custom map) and a missing key fail with the
   * profile's codes (findElementCodes).
   */
  rawFind(map: number, keyPtr: number, out: { ptr: number }): EbpfResultCode {
    const header = this.profile.findElementCodes === 'header';
    const m = this.maps[map];
    if (m === undefined || m.info === null || m.mapContext === 0) return header ? EbpfResult.InvalidObject : EbpfResult.InvalidArgument;
    const value = this.table.find(m.info, keyPtr);
    out.ptr = value;
    if (value !== 0) return EbpfResult.Success;
    return header ? EbpfResult.KeyNotFound : EbpfResult.ObjectNotFound;
  }

  hasDeleteCallback(m: MapRt): boolean {
    return m.dispatch.postprocessMapDeleteElement !== undefined || m.dispatch.preprocessMapDeleteElement !== undefined;
  }

  private afterReplace(m: MapRt, keyPtr: number, flags: number): void {
    const old = this.table.displaced;
    if (old === 0) return;
    if (this.hasDeleteCallback(m)) {
      this.callbacks.delete(m, keyPtr, old, flags | MapOperationFlag.Update);
      if (this.lane.mutant === Mutant.DoubleDeleteCallback) this.callbacks.delete(m, keyPtr, old, flags | MapOperationFlag.Update);
    }
    if (this.lane.mutant === Mutant.FreeImmediately) this.lane.freeNow(old);
    else this.lane.epoch.retire(old, false, m.index);
  }

  /** Helper CRUD on a map whose provider updates the original value is blocked (reference 1.10). */
  private blocked(info: MapInfo, helper: boolean): boolean {
    return helper && info.updatesOriginalValue && this.lane.mutant !== Mutant.HelperNotBlocked;
  }

  /** Copies a stored value out to a user buffer, checking the block is still live. */
  private copyOut(info: MapInfo, value: number, gen: number, outPtr: number): void {
    this.lane.shm.touch(false);
    if (this.lane.trace.on) this.lane.recordRead(value); // the copy is a read, for the age oracle
    this.lane.mem.copy(outPtr, value, info.valueSize);
    if (this.lane.checksLiveness && !this.lane.mem.isLive(value, gen)) this.staleValue(info, value, gen, 'the copy to the caller read');
  }

  /** preprocess_map_update_element succeeded and left (part of) the value the map stores unwritten. */
  private outValueUnwritten(m: MapRt, keyPtr: number, unwritten: number, length: number): void {
    this.lane.violations.record(Rule.OutValueUnwritten, m.index, keyPtr, unwritten, length,
      `preprocess_map_update_element returned EBPF_SUCCESS on ${this.lane.label} (map ${m.name}) but left ${unwritten} of the ${length} bytes of its out-value unwritten; the map stores them as they were (zeros)`,
      m.keySize);
  }

  private staleValue(info: MapInfo, value: number, gen: number, who: string): void {
    this.lane.violations.record(Rule.UseAfterFree, info.index, 0, value, gen,
      `${who} value block ${value} of map ${info.index} after it was freed`);
  }
}

/**
 * The map operations beyond find, update and delete (reference 1.9, 1.10,
 * 1.13, 3; scenarios 27, 28, 34, 35, 40):
 *
 *   next_key / iterate  user-mode get_next_key, one IOCTL per call; when the
 *                       previous key is gone (KEY_NOT_FOUND) the IOCTL asks
 *                       again from the first key, so a walk may revisit keys.
 *   push, pop, peek     no key: a custom hash map refuses them before any
 *                       callback (-18 when blocked, -6 for the NULL key).
 *   find_element        an extension helper calling find_element_function:
 *                       the raw stored value, no postprocess_map_find_element,
 *                       no blocking; INVALID_ARGUMENT on a non-custom map.
 *   update_batch,       one IOCTL (one epoch, one reference) running a
 *   delete_batch        per-key update or delete, stopping at the first error.
 *   unsupported         lookup batches, update-with-handle, write_data,
 *                       set_wait_handle: EBPF_OPERATION_NOT_SUPPORTED.
 *
 * None of these calls a provider callback of its own; the per-key updates and
 * deletes of a batch run the usual custom-map paths.
 */
import { EbpfResult } from '../contract/ebpf-result.js';
import { Irql } from '../contract/irql.js';
import { Counter, MAX_KEY_BYTES, RESULT_CODES, RunState } from '../shm/layout.js';
import { Ev, Mode, OpCode } from '../trace/events.js';
import { nextKey } from '../map/next-key.js';
import type { MapInfo } from '../map/map-info.js';
import type { LaneContext } from './lane-context.js';
import type { MapRt } from './callbacks.js';
import type { CustomMaps } from './custom-map.js';
import type { MapLifecycle } from './map-lifecycle.js';
import type { LaneProviderContext } from './provider-context.js';
import type { OpPlan, UnsupportedOp } from './plan.js';

/** What these operations need of the CPU that runs them (src/runtime/cpu.ts). */
export interface OpHost {
  readonly lane: LaneContext;
  readonly maps: MapRt[];
  readonly custom: CustomMaps;
  readonly lifecycle: MapLifecycle;
  readonly pctx: LaneProviderContext;
  readonly keyPtr: number;
  readonly valuePtr: number;
  readonly outPtr: number;
  setKey(key: Uint8Array): void;
  setValue(value: Uint8Array): void;
  /** Counts and traces the end of a per-key operation (op_end). */
  finishOp(op: number, m: MapRt, result: number): void;
  /** Runs the work items providers queued during the operation. */
  runDeferred(): void;
}

export type MoreOp = Exclude<OpPlan, { op: 'update' | 'find' | 'delete' | 'find_and_delete' | 'delete_map' | 'batch' | 'stall' | 'synchronize' | 'deregister_provider' | 'migrate' }>;
/** The user-mode calls among them that are one IOCTL each. */
type IoctlOp = Exclude<MoreOp, { op: 'iterate' | 'find_element' }>;
/** The helper calls a program may make among them. */
export type ProgramOp = Extract<MoreOp, { op: 'push' | 'pop' | 'peek' | 'find_element' }>;

const UNSUPPORTED: Record<UnsupportedOp, number> = {
  lookup_batch: OpCode.LookupBatch, lookup_and_delete_batch: OpCode.LookupAndDeleteBatch,
  update_with_handle: OpCode.UpdateWithHandle, write_data: OpCode.WriteData, set_wait_handle: OpCode.SetWaitHandle,
};

export const isProgramOp = (op: MoreOp): op is ProgramOp =>
  op.op === 'push' || op.op === 'pop' || op.op === 'peek' || op.op === 'find_element';

export class MoreOps {
  /** The IOCTL in flight: 1 when its next_key restarted from the first key; the keys its batch processed. */
  private restarted = 0;
  private processed = 0;
  private readonly found = { ptr: 0 };

  constructor(private readonly host: OpHost) {}

  /** A user-mode call: at PASSIVE, with a reference on the map and its own epoch (as an IOCTL). */
  user(op: MoreOp): number {
    if (op.op === 'iterate') return this.iterate(op.map, op.limit);
    if (op.op === 'find_element') return this.helper(op); // validation keeps it inside programs
    const lane = this.host.lane;
    const irql = lane.irql;
    lane.setIrql(Irql.Passive);
    const r = this.ioctl(op);
    lane.setIrql(irql);
    return r;
  }

  /** A helper call of the running program (inside its epoch). */
  helper(op: ProgramOp): number {
    const h = this.host;
    if (op.op === 'find_element') return this.findElement(op.map, op.key, op.add);
    const m = h.maps[op.map] as MapRt;
    this.begin(opCodeOf(op), m, Mode.Helper, 0, 0, 0, 0);
    const r = this.stackOp(op.op, m, true);
    this.end(opCodeOf(op), m, r, 0, 0, 0, 0);
    return r;
  }

  private ioctl(op: IoctlOp): number {
    const h = this.host;
    const lane = h.lane;
    const m = h.maps[op.map] as MapRt;
    const code = opCodeOf(op);
    const prev = op.op === 'next_key' ? op.key : op.op === 'unsupported' ? op.key : null;
    if (prev !== null) h.setKey(prev);
    const count = op.op === 'update_batch' ? op.entries.length : op.op === 'delete_batch' ? op.keys.length : 0;
    this.begin(code, m, Mode.User, op.op === 'update_batch' ? op.option : 0, count, h.keyPtr, prev === null ? 0 : m.keySize);
    this.restarted = 0;
    this.processed = 0;
    let r: number = EbpfResult.InvalidObject;
    if (m.info !== null && h.lifecycle.handleOpen(m) && h.lifecycle.acquire(m)) {
      const state = lane.epoch.allocateState();
      lane.epoch.enter(state);
      r = this.body(op, m, prev !== null);
      lane.epoch.exit(state);
      lane.epoch.releaseState(state);
      h.lifecycle.release(m);
    }
    const keyOut = code === OpCode.NextKey && r === EbpfResult.Success;
    this.end(code, m, r, keyOut ? h.outPtr : 0, keyOut ? m.keySize : 0, code === OpCode.NextKey ? this.restarted : this.processed, 0);
    if (h.pctx.deferred.length > 0) h.runDeferred();
    return r;
  }

  /** The IOCTL's work, inside its epoch. */
  private body(op: IoctlOp, m: MapRt, hasPrev: boolean): number {
    switch (op.op) {
      case 'next_key': return this.nextKeyOf(m.info as MapInfo, hasPrev);
      case 'push': case 'pop': case 'peek': return this.stackOp(op.op, m, false);
      case 'update_batch': return this.updateBatch(m, op.entries, op.option);
      case 'delete_batch': return this.deleteBatch(m, op.keys);
      default: return EbpfResult.OperationNotSupported; // custom maps have no properties for these (reference 27, 28)
    }
  }

  /** _ebpf_core_protocol_map_get_next_key: a missing previous key restarts from the first key. */
  private nextKeyOf(info: MapInfo, hasPrev: boolean): number {
    const h = this.host;
    h.lane.mem.fill(h.outPtr, 0, MAX_KEY_BYTES);
    const r = nextKey(h.lane.shm, info, hasPrev ? h.keyPtr : 0, h.outPtr);
    if (r !== EbpfResult.KeyNotFound) return r;
    this.restarted = 1;
    return nextKey(h.lane.shm, info, 0, h.outPtr);
  }

  /** get_next_key from the first key until NO_MORE_KEYS (or any failure), at most `limit` calls. */
  private iterate(map: number, limit: number): number {
    const h = this.host;
    const m = h.maps[map] as MapRt;
    const prev = new Uint8Array(m.keySize);
    const after: MoreOp = { op: 'next_key', map, key: prev }; // one op object for the walk: each call copies the key it got
    let r = this.user({ op: 'next_key', map, key: null });
    for (let calls = 1; r === EbpfResult.Success && calls < limit && h.lane.shm.runState() === RunState.Running; calls++) {
      for (let i = 0; i < prev.length; i++) prev[i] = h.lane.shm.u8[h.outPtr + i] as number;
      r = this.user(after);
    }
    return r === EbpfResult.NoMoreKeys ? EbpfResult.Success : r;
  }

  /**
   * push, pop and peek on a custom hash map (reference 1.10): push is an
   * update and peek a find with a NULL key; a helper call on a map that
   * updates the original value is blocked first. Pop is a find-and-delete
   * that (as built) loses the HELPER flag, so it is never blocked.
   */
  private stackOp(op: 'push' | 'pop' | 'peek', m: MapRt, helper: boolean): number {
    const info = m.info as MapInfo;
    const keepsHelper = op !== 'pop' || !this.host.custom.profile.popDropsHelperFlag;
    if (helper && keepsHelper && info.updatesOriginalValue) return EbpfResult.OperationNotSupported;
    return EbpfResult.InvalidArgument; // the NULL key, before any callback (reference 1.11)
  }

  private updateBatch(m: MapRt, entries: ReadonlyArray<{ key: Uint8Array; value: Uint8Array }>, option: number): number {
    const h = this.host;
    for (const e of entries) {
      h.setKey(e.key);
      h.setValue(e.value);
      this.begin(OpCode.Update, m, Mode.User, option, 0, h.keyPtr, m.keySize);
      const r = h.custom.update(m, h.keyPtr, h.valuePtr, option, false);
      h.finishOp(OpCode.Update, m, r);
      if (r !== EbpfResult.Success) return r;
      this.processed++;
    }
    return EbpfResult.Success;
  }

  private deleteBatch(m: MapRt, keys: readonly Uint8Array[]): number {
    const h = this.host;
    for (const key of keys) {
      h.setKey(key);
      this.begin(OpCode.Delete, m, Mode.User, 0, 0, h.keyPtr, m.keySize);
      const r = h.custom.delete(m, h.keyPtr, false);
      h.finishOp(OpCode.Delete, m, r);
      if (r !== EbpfResult.Success) return r;
      this.processed++;
    }
    return EbpfResult.Success;
  }

  /**
   * An extension helper (the real test's sample helper) calling
   * find_element_function: map -1 stands for a BPF_MAP_TYPE_ARRAY map, whose
   * custom context is NULL. On success the op_end carries the stored value's
   * first u32; `add` increments it in place.
   */
  private findElement(map: number, key: Uint8Array, add: number): number {
    const h = this.host;
    const m = map >= 0 ? h.maps[map] as MapRt : null;
    h.setKey(key);
    const keySize = m?.keySize ?? 4;
    this.beginAt(OpCode.FindElement, map, Mode.Helper, h.keyPtr, keySize);
    const r = h.pctx.findElement(map, h.keyPtr, this.found);
    let stored = 0;
    if (r === EbpfResult.Success) {
      const mem = h.lane.mem;
      const gen = h.custom.table.foundGeneration;
      stored = mem.readU32Ref(this.found.ptr, gen, 0);
      if (add !== 0) mem.writeU32Ref(this.found.ptr, gen, 0, stored + add);
    }
    this.endAt(OpCode.FindElement, map, r, h.keyPtr, keySize, stored | 0, r === EbpfResult.Success ? 1 : 0);
    return r;
  }

  private begin(code: number, m: MapRt, mode: number, option: number, count: number, keyPtr: number, keyLen: number): void {
    const lane = this.host.lane;
    lane.heartbeat(code, m.index);
    if (lane.trace.on) lane.trace.emit(Ev.OpBegin, code, m.index, option, 0, mode, count, keyPtr, keyLen);
  }

  private beginAt(code: number, map: number, mode: number, keyPtr: number, keyLen: number): void {
    const lane = this.host.lane;
    lane.heartbeat(code, map);
    if (lane.trace.on) lane.trace.emit(Ev.OpBegin, code, map, 0, 0, mode, 0, keyPtr, keyLen);
  }

  private end(code: number, m: MapRt, result: number, keyPtr: number, keyLen: number, c: number, d: number): void {
    this.endAt(code, m.index, result, keyPtr, keyLen, c, d);
  }

  private endAt(code: number, map: number, result: number, keyPtr: number, keyLen: number, c: number, d: number): void {
    const lane = this.host.lane;
    lane.count(Counter.Ops);
    if ((result >>> 0) < RESULT_CODES) lane.count(Counter.ResultBase + result);
    if (result !== EbpfResult.Success) lane.count(Counter.OpsFailed);
    if (lane.trace.on) lane.trace.emit(Ev.OpEnd, code, map, 0, result, 0, 0, keyPtr, keyLen, c, d);
  }
}

function opCodeOf(op: MoreOp): number {
  switch (op.op) {
    case 'next_key': case 'iterate': return OpCode.NextKey;
    case 'push': return OpCode.Push;
    case 'pop': return OpCode.Pop;
    case 'peek': return OpCode.Peek;
    case 'find_element': return OpCode.FindElement;
    case 'update_batch': return OpCode.UpdateBatch;
    case 'delete_batch': return OpCode.DeleteBatch;
    case 'unsupported': return UNSUPPORTED[op.what];
  }
}

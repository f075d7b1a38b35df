/**
 * A simulated CPU: runs map operations as user-mode calls (PASSIVE, each in
 * its own epoch, like an IOCTL) or as helper calls inside program
 * invocations (DISPATCH; invoke = batch begin + invoke + end, one epoch per
 * batch). Also used for the system lane, which runs deferred cleanups.
 */
import { LaneContext } from './lane-context.js';
import { Callbacks, MapRt, registeredCallbacks } from './callbacks.js';
import { CustomMaps } from './custom-map.js';
import { MapLifecycle } from './map-lifecycle.js';
import { LaneProviderContext } from './provider-context.js';
import { EbpfResult } from '../contract/ebpf-result.js';
import { Profile } from './profile.js';
import type { MapPlan, OpPlan, RunPlan } from './plan.js';
import type { ProviderFactory } from '../providers/provider.js';
import { Counter, MAX_KEY_BYTES, RESULT_CODES, RunState, Scratch, WORK_ITEM_RUNNING } from '../shm/layout.js';
import { RunAborted, Shm } from '../shm/shm.js';
import { Ev, Mode, OpCode } from '../trace/events.js';
import { UpdateOption } from '../contract/map-operation.js';
import { Irql } from '../contract/irql.js';
import { Rule } from '../contract/rules.js';
import { Mutant, mutantId } from '../contract/mutants.js';
import { instantiate } from './provider-shape.js';
import { ProviderExit, describeCrash, recordCrash, stackOf } from './crash.js';
import { MoreOps, isProgramOp, type MoreOp } from './more-ops.js';
import { deregisterProvider, synchronize } from './lifetime-ops.js';

const OP_CODES: Record<string, number> = {
  update: OpCode.Update, find: OpCode.Find, delete: OpCode.Delete, find_and_delete: OpCode.FindAndDelete,
};

/** Scenario ops that name a map and a key. */
type KeyedOp = Extract<OpPlan, { op: 'update' | 'find' | 'delete' | 'find_and_delete' }>;

/** The program type a DISPATCH thread's program is loaded as. */
export const PROGRAM_TYPE = 'sample';

export class Cpu {
  readonly lane: LaneContext;
  readonly maps: MapRt[];
  readonly custom: CustomMaps;
  readonly lifecycle: MapLifecycle;
  readonly keyPtr: number;
  readonly valuePtr: number;
  readonly outPtr: number;
  readonly pctx: LaneProviderContext;
  /** next_key, push/pop/peek, find_element, the batch IOCTLs and the unsupported operations. */
  private readonly more: MoreOps;
  /** faults.stall for this CPU: operation number (1-based) -> stall length. */
  private readonly stallAt = new Map<number, number>();
  private opNumber = 0;
  /** The CPU this thread runs on inside the current batch (a `migrate` op moves it; reference 2.4). */
  private onCpu: number;

  constructor(shm: Shm, laneIndex: number, readonly plan: RunPlan, factories: ProviderFactory[], profile: Profile) {
    const spurious = plan.faults.spuriousLockFailAt.length > 0 ? new Set(plan.faults.spuriousLockFailAt) : null;
    this.onCpu = laneIndex;
    this.lane = new LaneContext(shm, laneIndex, new Set(plan.faults.allocFailAt), mutantId(plan.mutant), spurious, profile.perCpuEpochs);
    for (const f of plan.faults.stall) if (f.cpu === laneIndex) this.stallAt.set(f.atOp, f.steps);
    this.maps = plan.maps.map((mp: MapPlan, i: number): MapRt => {
      const provider = instantiate(factories[i] as ProviderFactory, mp.options, mp.name);
      return {
        index: i, name: mp.name, provider, dispatch: provider.dispatch, info: null, mapContext: 0, keySize: mp.keySize,
        registered: registeredCallbacks(provider.dispatch),
      };
    });
    const pctx = new LaneProviderContext(this.lane, { rawFind: (m, k, o) => this.custom.rawFind(m, k, o) });
    pctx.keySizes = plan.maps.map((mp) => mp.keySize);
    this.pctx = pctx;
    this.custom = new CustomMaps(this.lane, this.maps, new Callbacks(this.lane, pctx), profile);
    this.lifecycle = new MapLifecycle(this.lane, this.custom);
    this.keyPtr = this.lane.scratch(Scratch.Key);
    this.valuePtr = this.lane.scratch(Scratch.ValueIn);
    this.outPtr = this.lane.scratch(Scratch.ValueOut);
    for (const f of plan.faults.tempBufferFailAt) if (f.cpu === laneIndex) this.custom.tempBufferFailAt.add(f.at);
    this.more = new MoreOps(this);
  }

  /** True while the run wants more work from this CPU. */
  running(): boolean {
    return !this.custom.callbacks.fault && this.lane.shm.runState() === RunState.Running;
  }

  /** Loads key bytes into the key scratch buffer (zero-padded to whole words). */
  setKey(key: Uint8Array): void {
    const u8 = this.lane.shm.u8;
    u8.fill(0, this.keyPtr, this.keyPtr + MAX_KEY_BYTES);
    u8.set(key, this.keyPtr);
  }

  setValue(value: Uint8Array): void {
    this.lane.shm.u8.set(value, this.valuePtr);
  }

  /** A user-mode call (IOCTL): PASSIVE, a reference on the map, its own epoch. */
  userCall(op: number, m: MapRt, option: number): number {
    const lane = this.lane;
    lane.heartbeat(op, m.index);
    if (lane.trace.on) lane.trace.emit(Ev.OpBegin, op, m.index, option, 0, Mode.User, 0, this.keyPtr, m.keySize);
    let result: number = EbpfResult.InvalidObject;
    if (m.info !== null && this.lifecycle.handleOpen(m) && this.lifecycle.acquire(m)) {
      const state = lane.epoch.allocateState();
      lane.epoch.enter(state);
      this.injectStall();
      result = this.crud(op, m, option, false);
      lane.epoch.exit(state);
      lane.epoch.releaseState(state);
      this.lifecycle.release(m);
    }
    this.finishOp(op, m, result);
    if (this.pctx.deferred.length > 0) this.runDeferred();
    return result;
  }

  /** A helper call from a running program (DISPATCH, inside the program's epoch). */
  helperCall(op: number, m: MapRt, option: number, add: number): number {
    const lane = this.lane;
    lane.heartbeat(op, m.index);
    if (lane.trace.on) lane.trace.emit(Ev.OpBegin, op, m.index, option, 0, Mode.Helper, 0, this.keyPtr, m.keySize);
    this.injectStall();
    const result = this.crud(op, m, option, true);
    if (result === EbpfResult.Success && op === OpCode.Find && add !== 0) this.addInPlace(add);
    this.finishOp(op, m, result);
    return result;
  }

  /** faults.stall: hold the operation's epoch when this CPU reaches the planned operation. */
  private injectStall(): void {
    if (this.stallAt.size === 0) return;
    const steps = this.stallAt.get(++this.opNumber);
    if (steps === undefined) return;
    this.lane.count(Counter.StallFaults);
    this.holdEpoch(steps);
  }

  /** Keeps the current epoch held: `ms` milliseconds, or `ms` scheduling points in controlled mode. */
  private holdEpoch(ms: number): void {
    const lane = this.lane;
    if (lane.shm.controlled) {
      for (let i = 0; i < ms; i++) lane.shm.sleep(1);
      return;
    }
    const until = performance.now() + ms;
    while (performance.now() < until && lane.shm.runState() !== RunState.Aborted) {
      lane.heartbeat(OpCode.Stall, -1);
      lane.shm.sleep(Math.min(5, Math.max(0, until - performance.now())));
    }
  }

  finishOp(op: number, m: MapRt, result: number): void {
    this.lane.count(Counter.Ops);
    // Results are ebpf_result_t codes, 0..35 (a provider's are validated in callbacks.ts).
    if ((result >>> 0) < RESULT_CODES) this.lane.count(Counter.ResultBase + result);
    if (result !== EbpfResult.Success) this.lane.count(Counter.OpsFailed);
    if (this.lane.trace.on) this.lane.trace.emit(Ev.OpEnd, op, m.index, 0, result, 0, 0, this.keyPtr, m.keySize);
  }

  private crud(op: number, m: MapRt, option: number, helper: boolean): number {
    switch (op) {
      case OpCode.Find: return this.custom.find(m, this.keyPtr, this.outPtr, helper);
      case OpCode.Update: return this.custom.update(m, this.keyPtr, this.valuePtr, option, helper);
      case OpCode.Delete: return this.custom.delete(m, this.keyPtr, helper);
      case OpCode.FindAndDelete: return this.custom.findAndDelete(m, this.keyPtr, this.outPtr, helper);
      default: return EbpfResult.InvalidArgument;
    }
  }

  /** The program writes to the live stored value (a helper find returned a pointer). */
  private addInPlace(add: number): void {
    const mem = this.lane.mem;
    const v = this.custom.foundValue;
    const gen = this.custom.foundGeneration;
    mem.writeU32Ref(v, gen, 0, mem.readU32Ref(v, gen, 0) + add);
  }

  /**
   * batch_begin: enter the program's epoch at the program's IRQL, which is
   * the thread's: DISPATCH for most program types, PASSIVE for a program
   * type whose required IRQL is PASSIVE (a batch on a PASSIVE thread).
   */
  batchBegin(): number {
    const state = this.lane.epoch.allocateState();
    this.lane.epoch.enter(state);
    this.lane.count(Counter.Invocations);
    return state;
  }

  /** batch_end: leave the epoch entered by batchBegin, at the same IRQL. */
  batchEnd(state: number): void {
    if (this.lane.mutant === Mutant.ExitOtherIrql && this.lane.irql === Irql.Dispatch) {
      this.lane.setIrql(Irql.Passive);
      this.lane.epoch.exit(state);
      this.lane.setIrql(Irql.Dispatch);
    } else {
      this.lane.epoch.exitOn(state, this.onCpu);
    }
    this.onCpu = this.lane.lane;
    this.lane.epoch.releaseState(state);
    if (this.pctx.deferred.length > 0) this.runDeferred();
  }

  /** Runs providers' queued work items: PASSIVE, outside any epoch, after the operation. */
  runDeferred(): void {
    const irql = this.lane.irql;
    this.lane.setIrql(Irql.Passive);
    this.pctx.flags = 0; // a driver's own work item: no map operation, caller's process context
    for (let work = this.pctx.deferred.shift(); work !== undefined; work = this.pctx.deferred.shift()) {
      this.lane.setInCallback(WORK_ITEM_RUNNING);
      try {
        work(this.pctx);
      } catch (err) {
        if (err instanceof RunAborted) throw err; // the watchdog ended the run meanwhile
        if (err instanceof ProviderExit) {
          recordCrash(this.lane.violations, this.lane.shm, `a provider work item ${describeCrash(err)} on ${this.lane.label}${stackOf(err)}`);
        } else {
          this.lane.violations.record(Rule.CallbackThrew, -1, 0, 0, 0,
            `a provider work item threw on ${this.lane.label}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      this.lane.setInCallback(0);
    }
    this.lane.setIrql(irql);
  }

  /** Runs one scenario op on this CPU at the thread's IRQL. */
  runOp(op: OpPlan, dispatch: boolean): number {
    switch (op.op) {
      case 'stall': return this.stall(op.ms);
      case 'delete_map': return this.deleteMap(this.maps[op.map] as MapRt);
      case 'batch': return this.batch(op.ops, op.count);
      case 'synchronize': return synchronize(this.lane, op.inEpoch);
      case 'deregister_provider': return deregisterProvider(this.lane, this.plan, op.map);
      case 'migrate': return EbpfResult.Success; // only inside a batch (rejected by validation elsewhere)
      case 'update': case 'find': case 'delete': case 'find_and_delete': break;
      default: return this.runMoreOp(op, dispatch);
    }
    if (!dispatch) {
      this.loadOperands(op);
      return this.userCall(OP_CODES[op.op] as number, this.maps[op.map] as MapRt, op.op === 'update' ? op.option : UpdateOption.Any);
    }
    const state = this.batchBegin();
    const r = this.helperOp(op);
    this.batchEnd(state);
    return r;
  }

  /** An operation beyond CRUD: a program's helper call on a DISPATCH thread, else a user-mode call. */
  private runMoreOp(op: MoreOp, dispatch: boolean): number {
    if (!dispatch || !isProgramOp(op)) return this.more.user(op);
    const state = this.batchBegin();
    const r = this.more.helper(op);
    this.batchEnd(state);
    return r;
  }

  /** Loads a keyed op's key (and value) into the scratch buffers. */
  private loadOperands(op: KeyedOp): void {
    this.setKey(op.key);
    if (op.op === 'update') this.setValue(op.value);
  }

  /** One scenario op as a helper call of the running program. */
  private helperOp(op: KeyedOp): number {
    this.loadOperands(op);
    return this.helperCall(OP_CODES[op.op] as number, this.maps[op.map] as MapRt,
      op.op === 'update' ? op.option : UpdateOption.Any, op.op === 'find' ? op.add : 0);
  }

  /** A program batch: one epoch for `count` invocations of `ops`. */
  batch(ops: OpPlan[], count: number): number {
    const lane = this.lane;
    lane.trace.emit(Ev.OpBegin, OpCode.Batch, -1, 0, 0, Mode.Helper, count, 0, 0);
    const state = this.batchBegin();
    for (let i = 0; i < count && this.running(); i++) {
      lane.beat(); // progress for the watchdog, even for a batch of stalls or of nothing
      for (const op of ops) {
        if (op.op === 'stall') { this.stall(op.ms); continue; }
        if (op.op === 'migrate') { this.onCpu = op.cpu; continue; }
        if (op.op === 'batch' || op.op === 'delete_map' || op.op === 'synchronize' || op.op === 'deregister_provider') continue; // rejected by validation
        if (op.op === 'update' || op.op === 'find' || op.op === 'delete' || op.op === 'find_and_delete') this.helperOp(op);
        else if (isProgramOp(op)) this.more.helper(op);
      }
    }
    this.batchEnd(state);
    lane.trace.emit(Ev.OpEnd, OpCode.Batch, -1, 0, EbpfResult.Success, Mode.Helper, count, 0, 0);
    return EbpfResult.Success;
  }

  /** delete_map: a user-mode close of the map's handle. */
  deleteMap(m: MapRt): number {
    const lane = this.lane;
    lane.heartbeat(OpCode.DeleteMap, m.index);
    lane.trace.emit(Ev.OpBegin, OpCode.DeleteMap, m.index, 0, 0, Mode.User, 0, 0, 0);
    const irql = lane.irql;
    lane.setIrql(Irql.Passive);
    const r = this.lifecycle.closeHandle(m);
    lane.setIrql(irql);
    lane.trace.emit(Ev.OpEnd, OpCode.DeleteMap, m.index, 0, r, Mode.User, 0, 0, 0);
    return r;
  }

  /** stall: hold the current epoch (or a fresh one) for `ms`, heartbeating. */
  stall(ms: number): number {
    const lane = this.lane;
    lane.trace.emit(Ev.OpBegin, OpCode.Stall, -1, 0, 0, Mode.User, ms, 0, 0);
    const own = !lane.epoch.inEpoch();
    const state = own ? lane.epoch.allocateState() : -1;
    if (own) lane.epoch.enter(state);
    this.holdEpoch(ms);
    if (own) {
      lane.epoch.exit(state);
      lane.epoch.releaseState(state);
    }
    lane.trace.emit(Ev.OpEnd, OpCode.Stall, -1, 0, EbpfResult.Success, Mode.User, ms, 0, 0);
    return EbpfResult.Success;
  }
}

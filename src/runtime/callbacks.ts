/**
 * Calls into a provider's dispatch table. Each wrapper counts the call,
 * records it in the trace when it returns (name, map, key, flags, IRQL,
 * inEpoch, bucketLockHeld, result), and turns a throw into a
 * provider.callback-threw violation that stops the run at the next operation
 * boundary. Callbacks that run under a bucket lock therefore never unwind
 * through it. A result that is no ebpf_result_t code (a string, undefined,
 * NaN, 1.5, 99, an object) is a provider.bad-result violation: the
 * operation goes on as if the callback returned EBPF_FAILED (so the trace
 * and the caller see that code) and the run stops at the same boundary.
 * Callbacks that return void (postprocess_map_delete,
 * postprocess_map_delete_element) are not checked.
 */
import type { CreateOut, MapProvider, ProviderDispatchTable } from '../providers/provider.js';
import { Cb, CALLBACK_NAMES, CALLBACK_PROPS, CbState, Ev } from '../trace/events.js';
import { Counter, Lane, RunState, laneWord } from '../shm/layout.js';
import { EBPF_FAILED, EbpfResult, isResultCode } from '../contract/ebpf-result.js';
import { renderValue } from '../contract/safe-text.js';
import { LaneContext } from './lane-context.js';
import { RunAborted } from '../shm/shm.js';
import { LaneProviderContext } from './provider-context.js';
import { MapInfo } from '../map/map-info.js';
import { Rule } from '../contract/rules.js';
import { ProviderExit, describeCrash, stackOf } from './crash.js';

/** A lane's view of one map: its provider instance and cached header. */
export interface MapRt {
  readonly index: number;
  readonly name: string;
  readonly provider: MapProvider;
  readonly dispatch: ProviderDispatchTable;
  info: MapInfo | null;
  mapContext: number;
  keySize: number;
  /** Bit i set when callback i (Cb numbering) is registered. */
  registered: number;
}

/** The registration bitmask of a dispatch table (bit i = Cb number i). */
export function registeredCallbacks(d: ProviderDispatchTable): number {
  let bits = 0;
  CALLBACK_PROPS.forEach((name, i) => { if (typeof d[name] === 'function') bits |= 1 << i; });
  return bits;
}

const CB_COUNTERS = [
  Counter.CbPreprocessMapCreate, Counter.CbPostprocessMapDelete, Counter.CbPostprocessMapFindElement,
  Counter.CbPreprocessMapUpdateElement, Counter.CbPreprocessMapDeleteElement, Counter.CbPostprocessMapDeleteElement,
  Counter.CbPreprocessMapAssociateProgramType,
];
const THREW = -1;

export class Callbacks {
  /** Set when a callback threw: the lane stops after the current operation. */
  fault = false;
  /** When the current callback began (trace time), so its record carries its duration. */
  private startedAt = 0;
  /** The lane's Lane.InCallback word: which callback runs now, for the watchdog. */
  private readonly inCallback: number;
  private readonly i32: Int32Array;

  constructor(private readonly lane: LaneContext, readonly pctx: LaneProviderContext) {
    this.inCallback = laneWord(lane.shm.layout, lane.lane, Lane.InCallback);
    this.i32 = lane.i32;
  }

  create(m: MapRt, mapType: number, keySize: number, valueSize: number, maxEntries: number, out: CreateOut): number {
    const d = m.dispatch;
    let got: unknown = THREW;
    try {
      got = d.preprocessMapCreate!(this.enter(0, Cb.PreprocessMapCreate), mapType, keySize, valueSize, maxEntries, out);
    } catch (err) {
      this.threw(m, Cb.PreprocessMapCreate, 0, err);
    }
    const r = isResultCode(got) ? got : this.result(m, Cb.PreprocessMapCreate, 0, got);
    this.done(m, Cb.PreprocessMapCreate, 0, 0, 0, r);
    return r === THREW ? EbpfResult.InvalidArgument : r;
  }

  mapDelete(m: MapRt): void {
    try {
      m.dispatch.postprocessMapDelete!(this.enter(0, Cb.PostprocessMapDelete), m.mapContext);
    } catch (err) {
      this.threw(m, Cb.PostprocessMapDelete, 0, err);
    }
    this.done(m, Cb.PostprocessMapDelete, 0, 0, 0, 0);
  }

  associate(m: MapRt, programType: string): number {
    let got: unknown = THREW;
    try {
      got = m.dispatch.preprocessMapAssociateProgramType!(this.enter(0, Cb.PreprocessMapAssociateProgramType), m.mapContext, programType);
    } catch (err) {
      this.threw(m, Cb.PreprocessMapAssociateProgramType, 0, err);
    }
    const r = isResultCode(got) ? got : this.result(m, Cb.PreprocessMapAssociateProgramType, 0, got);
    this.done(m, Cb.PreprocessMapAssociateProgramType, 0, 0, 0, r);
    return r === THREW ? EbpfResult.InvalidArgument : r;
  }

  /** postprocess_map_find_element; keySizeArg is 0 for helper calls, as in the runtime. */
  find(m: MapRt, keySizeArg: number, keyPtr: number, inValue: number, outSize: number, outValue: number, flags: number): number {
    const info = m.info as MapInfo;
    let got: unknown = THREW;
    try {
      got = m.dispatch.postprocessMapFindElement!(this.enter(flags, Cb.PostprocessMapFindElement), m.mapContext, keySizeArg, keyPtr,
        info.actualValueSize, inValue, outSize, outValue, flags);
    } catch (err) {
      this.threw(m, Cb.PostprocessMapFindElement, keyPtr, err);
    }
    const r = isResultCode(got) ? got : this.result(m, Cb.PostprocessMapFindElement, keyPtr, got);
    this.done(m, Cb.PostprocessMapFindElement, keyPtr, flags, 0, r);
    return r === THREW ? EbpfResult.InvalidArgument : r;
  }

  update(m: MapRt, keyPtr: number, inValue: number, outSize: number, outValue: number, flags: number): number {
    const info = m.info as MapInfo;
    let got: unknown = THREW;
    try {
      got = m.dispatch.preprocessMapUpdateElement!(this.enter(flags, Cb.PreprocessMapUpdateElement), m.mapContext, info.keySize, keyPtr,
        info.valueSize, inValue, outSize, outValue, flags);
    } catch (err) {
      this.threw(m, Cb.PreprocessMapUpdateElement, keyPtr, err);
    }
    const r = isResultCode(got) ? got : this.result(m, Cb.PreprocessMapUpdateElement, keyPtr, got);
    this.done(m, Cb.PreprocessMapUpdateElement, keyPtr, flags, 0, r);
    return r === THREW ? EbpfResult.InvalidArgument : r;
  }

  /**
   * Whichever delete callback is registered; returns its result (SUCCESS for
   * the void one). value_size is actual_value_size, the size of the
   * provider's stored value (seed: "the size in bytes of the provider's
   * stored value buffer"; reference 1.6, 1.7, 6.7), not the hash table's
   * max(actual_value_size, value_size) allocation.
   */
  delete(m: MapRt, keyPtr: number, value: number, flags: number): number {
    const d = m.dispatch;
    const info = m.info as MapInfo;
    const post = d.postprocessMapDeleteElement !== undefined;
    const id = post ? Cb.PostprocessMapDeleteElement : Cb.PreprocessMapDeleteElement;
    let got: unknown = EbpfResult.Success;
    try {
      if (post) d.postprocessMapDeleteElement!(this.enter(flags, id), m.mapContext, info.keySize, keyPtr, info.actualValueSize, value, flags);
      else got = d.preprocessMapDeleteElement!(this.enter(flags, id), m.mapContext, info.keySize, keyPtr, info.actualValueSize, value, flags);
    } catch (err) {
      this.threw(m, id, keyPtr, err);
      got = THREW;
    }
    const r = isResultCode(got) ? got : this.result(m, id, keyPtr, got);
    this.done(m, id, keyPtr, flags, value, r);
    return r === THREW ? EbpfResult.Success : r;
  }

  private enter(flags: number, cb: number): LaneProviderContext {
    this.pctx.flags = flags;
    this.pctx.callback = cb;
    this.i32[this.inCallback] = cb + 1;
    this.startedAt = this.lane.trace.now();
    return this.pctx;
  }

  private done(m: MapRt, cb: number, keyPtr: number, flags: number, value: number, result: number): void {
    const lane = this.lane;
    this.pctx.callback = -1;
    this.i32[this.inCallback] = 0;
    lane.count(CB_COUNTERS[cb] as number);
    if (!lane.trace.on) return;
    const state = (lane.epoch.inEpoch() ? CbState.InEpoch : 0) | (lane.locksHeld > 0 ? CbState.BucketLockHeld : 0);
    lane.trace.emit(Ev.Callback, cb, m.index, flags, result, state, value, keyPtr, keyPtr === 0 ? 0 : m.keySize, 0, 0, this.startedAt);
  }

  /**
   * A callback's result that is no ebpf_result_t code (the callers test
   * isResultCode first, a cheap integer test): THREW when the callback
   * threw; otherwise a provider.bad-result violation and EBPF_FAILED.
   */
  private result(m: MapRt, cb: number, keyPtr: number, r: unknown): number {
    if (r === THREW) return THREW;
    this.fault = true;
    this.lane.violations.record(Rule.BadResult, m.index, keyPtr, cb, 0,
      `${CALLBACK_NAMES[cb]} returned ${renderValue(r)} on ${this.lane.label} (map ${m.name}), which is no ebpf_result_t code; `
      + 'taken as EBPF_FAILED, and the run stops', keyPtr === 0 ? 0 : m.keySize);
    this.lane.shm.setRunState(RunState.Stopping);
    return EBPF_FAILED;
  }

  private threw(m: MapRt, cb: number, keyPtr: number, err: unknown): void {
    // The watchdog ended the run while the provider waited inside the
    // callback: not the provider's throw; the task unwinds as on any abort.
    if (err instanceof RunAborted) throw err;
    this.fault = true;
    if (err instanceof ProviderExit) { // process.exit in a callback: the provider tried to end its thread
      this.lane.violations.record(Rule.ProviderCrashed, m.index, keyPtr, cb, 0,
        `${CALLBACK_NAMES[cb]} ${describeCrash(err)} on ${this.lane.label} (map ${m.name})${stackOf(err)}`, keyPtr === 0 ? 0 : m.keySize);
      this.lane.shm.setRunState(RunState.Stopping);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    this.lane.violations.record(Rule.CallbackThrew, m.index, keyPtr, cb, 0,
      `${CALLBACK_NAMES[cb]} threw on CPU ${this.lane.lane} (map ${m.name}): ${message}`, keyPtr === 0 ? 0 : m.keySize);
    this.lane.shm.setRunState(RunState.Stopping);
  }
}

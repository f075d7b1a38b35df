/**
 * Two calls of a PASSIVE thread that wait for the epoch or for a map's end:
 *
 * - `synchronize`: ebpf_epoch_synchronize (reference 2.6, 4 scenario 50).
 *   Outside an epoch it returns once the released epoch reaches the
 *   published epoch of the call and that cycle's frees are done: one full
 *   cycle of the epoch manager (what was retired before it is freed).
 *   Inside an epoch the real call never returns (the caller's own epoch
 *   keeps the released epoch below its stamp); epochlab does not wait, so
 *   the run goes on, and the contract checker reports the call
 *   (epoch.synchronize-in-epoch) from the trace: op_end's `epoch` and
 *   `released` show the cycle that never completed.
 * - `deregister_provider`: the provider of a map deregisters from NMR. Its
 *   detach callback on every map bound to it waits for the rundown that the
 *   map's create took, which postprocess_map_delete releases (reference 1.1,
 *   4 scenario 43): the call returns once each of those maps is deleted (or
 *   was never created). Map operations and programs go on meanwhile; a
 *   program's reference keeps the map, and so the deregistration, waiting.
 *   If nobody ever deletes the map the call never returns and the watchdog
 *   ends the run (run.watchdog), as the real unload would hang.
 *
 * Every wait is a bounded sleep (1 ms) that gives up when the run is
 * aborted; in controlled mode it is a yield that, like a spin on a held
 * lock, drops the lane below every other under PCT: the lane waits for the
 * others, and two yielding lanes (this one and the epoch manager) must not
 * take turns while a third never runs.
 */
import type { LaneContext } from './lane-context.js';
import type { RunPlan } from './plan.js';
import { EbpfResult } from '../contract/ebpf-result.js';
import { Ctl, MapField, MapState, mapWord } from '../shm/layout.js';
import { Ev, Mode, OpCode } from '../trace/events.js';
import { Step } from '../shm/gate.js';
import type { Shm } from '../shm/shm.js';

/** ebpf_epoch_synchronize; `inEpoch`: called from inside an epoch the thread entered for it. */
export function synchronize(lane: LaneContext, inEpoch: boolean): number {
  lane.heartbeat(OpCode.Synchronize, -1);
  const state = inEpoch ? lane.epoch.allocateState() : -1;
  if (inEpoch) lane.epoch.enter(state); // the caller's epoch: synchronize is called inside it
  lane.trace.emit(Ev.OpBegin, OpCode.Synchronize, -1, 0, 0, Mode.User, 0, 0, 0);
  const stamp = lane.shm.load(Ctl.PublishedEpoch);
  // Inside an epoch the wait could never end: epochlab returns at once (the checker reports the call).
  const released = lane.epoch.inEpoch() ? lane.shm.loadReleasedEpoch() : waitForRelease(lane, stamp);
  lane.trace.emit(Ev.OpEnd, OpCode.Synchronize, -1, 0, EbpfResult.Success, Mode.User, 0, 0, 0, stamp, released);
  if (inEpoch) {
    lane.epoch.exit(state);
    lane.epoch.releaseState(state);
  }
  return EbpfResult.Success;
}

/**
 * Waits until the released epoch reaches `stamp`, then until that cycle's
 * frees are done: two more EpochAdvances counts (the manager counts a tick
 * after it publishes the released epoch and before it frees; the tick after
 * the next one starts only once those frees are done). The real call waits
 * for its own object on the free list, behind what was retired before it
 * (reference 2.6). Returns the released epoch seen.
 */
function waitForRelease(lane: LaneContext, stamp: number): number {
  const shm = lane.shm;
  let released = shm.loadReleasedEpoch();
  while (released < stamp) {
    waitStep(shm);
    released = shm.loadReleasedEpoch();
  }
  const until = shm.load(Ctl.EpochAdvances) + 2;
  while (shm.load(Ctl.EpochAdvances) < until) waitStep(shm);
  return released;
}

/** One step of a wait: see the file's comment. */
function waitStep(shm: Shm): void {
  shm.throwIfAborted();
  if (shm.controlled) shm.gate.point(Step.LockSpin);
  else shm.sleep(1);
}

/** The provider of map `map` deregisters: returns once every map of that provider is deleted. */
export function deregisterProvider(lane: LaneContext, plan: RunPlan, map: number): number {
  lane.heartbeat(OpCode.DeregisterProvider, map);
  lane.trace.emit(Ev.OpBegin, OpCode.DeregisterProvider, map, 0, 0, Mode.User, 0, 0, 0);
  const provider = plan.maps[map]?.provider;
  for (const m of plan.maps) {
    if (m.provider === provider) waitForMapEnd(lane, m.index);
  }
  lane.trace.emit(Ev.OpEnd, OpCode.DeregisterProvider, map, 0, EbpfResult.Success, Mode.User, 0, 0, 0);
  return EbpfResult.Success;
}

/** Waits while map `index` exists (created and not yet past postprocess_map_delete). */
function waitForMapEnd(lane: LaneContext, index: number): void {
  const word = mapWord(lane.shm.layout, index, MapField.State);
  for (;;) {
    const state = lane.shm.load(word);
    if (state === MapState.Deleted || state === MapState.Failed || state === MapState.Unused) return;
    waitStep(lane.shm);
  }
}

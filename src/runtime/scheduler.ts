/**
 * How a controlled-mode scheduler plugs into the runtime. The runtime
 * defines this interface and never names a strategy; src/sched/ implements
 * it, and the worker entry points (workers/*.ts) hand that implementation to
 * runTask. Free-running runs need no scheduler at all.
 */
import type { Baton } from '../shm/baton.js';
import type { StepGate } from '../shm/gate.js';
import type { RunPlan } from './plan.js';

/** One lane's gate in controlled mode: the lane joins the schedule, passes points, and leaves. */
export interface LaneGate extends StepGate {
  /** A CPU lane's task begins: join the current phase and wait for the baton. */
  joinPhase(): void;
  /** The epoch manager's task begins: runnable from now on, waits to be scheduled. */
  joinAsManager(): void;
  /** The lane's task ends: leave the schedule and hand the baton on. */
  leave(): void;
}

export interface Scheduler {
  /**
   * Seeds the strategy's state in shared memory for this plan. Called once
   * per run, on the epoch manager's thread, before it joins the schedule
   * (so before any decision).
   */
  prepare(baton: Baton, plan: RunPlan): void;
  /** The gate of `lane` (a CPU, or the manager's lane `plan.cpus`), in the thread that runs it. */
  gate(baton: Baton, lane: number, plan: RunPlan): LaneGate;
}

/**
 * A task's place in a controlled schedule: the gate its lane passes at each
 * scheduling point (null free-running), joined before the task's work and
 * left after it, even when the work failed.
 */
import type { Shm } from '../shm/shm.js';
import { Baton } from '../shm/baton.js';
import type { RunPlan } from './plan.js';
import type { LaneGate, Scheduler } from './scheduler.js';

/** The gate of a lane in controlled mode (null free-running); the manager's task also prepares the schedule. */
export function gateFor(plan: RunPlan, kind: string, shm: Shm, lane: number, scheduler: Scheduler | null): LaneGate | null {
  if (plan.mode !== 'controlled') return null;
  if (scheduler === null) throw new Error('controlled mode needs a scheduler (the worker entry points pass src/sched/)');
  const baton = new Baton(shm);
  if (kind === 'manager') scheduler.prepare(baton, plan);
  const gate = scheduler.gate(baton, lane, plan);
  shm.controlled = true;
  shm.gate = gate;
  return gate;
}

/** Joins the schedule: the manager as the manager, any other task in the current phase. */
export function join(kind: string, gate: LaneGate): void {
  if (kind === 'manager') gate.joinAsManager();
  else gate.joinPhase();
}

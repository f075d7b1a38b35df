/**
 * The controlled-mode scheduler, as the runtime's Scheduler interface
 * (src/runtime/scheduler.ts) wants it: the strategy's seeding, and a
 * ControlledGate per lane. The worker entry points pass this to runTask.
 */
import { MAX_PCT_DEPTH } from '../shm/layout.js';
import type { Baton } from '../shm/baton.js';
import { Prng } from '../contract/prng.js';
import type { RunPlan } from '../runtime/plan.js';
import type { Scheduler } from '../runtime/scheduler.js';
import { ControlledGate } from './controlled-gate.js';
import { strategyId } from './strategy.js';

/** PCT: distinct random priorities for every lane, and d - 1 change points in [0, k). */
function seedPct(baton: Baton, plan: RunPlan): void {
  const rng = new Prng(plan.seed, 0x9c7);
  const lanes = Array.from({ length: plan.cpus + 1 }, (_, i) => i);
  for (let i = lanes.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [lanes[i], lanes[j]] = [lanes[j] as number, lanes[i] as number];
  }
  lanes.forEach((lane, rank) => baton.setPriority(lane, rank + 1));
  const depth = Math.max(1, Math.min(MAX_PCT_DEPTH, plan.pctDepth));
  const points = Array.from({ length: depth - 1 }, () => rng.below(plan.pctSteps));
  baton.setPct(depth, plan.pctSteps, points);
}

export const controlledScheduler: Scheduler = {
  prepare(baton: Baton, plan: RunPlan): void {
    baton.seedStrategy(strategyId(plan.strategy), new Prng(plan.seed, 0x5c4ed).nextU32() | 0);
    if (plan.strategy === 'pct') seedPct(baton, plan);
  },
  gate(baton: Baton, lane: number, plan: RunPlan): ControlledGate {
    return new ControlledGate(baton, lane, plan.cpus, strategyId(plan.strategy), plan.switchEvery);
  },
};

/**
 * Shrinking a failure found by stress or by a mutant hunt: first the
 * scenario (fewer CPUs and operations, ./shrink-scenario.ts), then the
 * schedule of the smaller run (fewer decisions and preemptions,
 * ./shrink.ts). The result is what a failure file records: the shrunk
 * scenario inline and the shrunk schedule, forced with strategy 'sequential'.
 *
 * In between, a failure found by plain random scheduling (a fresh pick at
 * every point, so a switch at two points in three) is looked for again
 * under random with runs (switchEvery 20, else 10, else 5) over a few seeds:
 * a run that still breaks the rule with far fewer preemptions gives
 * ddmin far less to remove, and removing a switch from a schedule that
 * switches all the time changes everything after it.
 */
import type { RunPlan } from '../runtime/plan.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import type { HuntRun } from './hunt.js';
import { compileLike, shrinkScenario, type ScenarioShrinkResult } from './shrink-scenario.js';
import { runOnce } from './hunt.js';
import { countPreemptions, shrinkSchedule, targetRule, type ShrinkResult } from './shrink.js';

export interface ShrunkFailure {
  /** The scenario object of the shrunk run, its plan and its failing run (before schedule shrinking). */
  json: Record<string, unknown>;
  plan: RunPlan;
  run: HuntRun;
  scenario: ScenarioShrinkResult;
  /** When the failure was found again under random with runs: its seed, and preemptions before and after. */
  calmer: { seed: number; switchEvery: number; preemptionsBefore: number; preemptionsAfter: number } | null;
  /** Schedule shrinking of that run; its `run` is null when no trial reproduced the rule. */
  schedule: ShrinkResult;
}

export interface FailureShrinkOptions {
  /** Where the scenario came from: provider paths resolve against dir. */
  source: string;
  dir: string;
  /** Rules that count (default: the first rule the run broke). */
  targets?: string[];
  threads?: ThreadPool;
  rerun?: string;
}

export async function shrinkFailure(json: Record<string, unknown>, plan: RunPlan, run: HuntRun,
  opts: FailureShrinkOptions): Promise<ShrunkFailure> {
  const rule = targetRule(run.rules, opts.targets);
  const common = { ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.rerun ? { rerun: opts.rerun } : {}) };
  const scenario = await shrinkScenario(json, plan, run, { rule, source: opts.source, dir: opts.dir, ...common });
  const calm = await calmer(scenario.json, scenario.plan, scenario.run, rule, opts);
  const base = calm ?? { plan: scenario.plan, run: scenario.run };
  const schedule = await shrinkSchedule(base.plan, base.run, { targets: [rule], ...common });
  const calmed = calm === null ? null : {
    seed: calm.plan.seed, switchEvery: calm.plan.switchEvery,
    preemptionsBefore: countPreemptions(scenario.run.schedule), preemptionsAfter: countPreemptions(calm.run.schedule),
  };
  return { json: scenario.json, plan: base.plan, run: base.run, scenario, calmer: calmed, schedule };
}

/** Run lengths tried in turn (the first that reproduces the failure wins), each over CALM_SEEDS seeds. */
const CALM_SWITCH_EVERY = [20, 10, 5] as const;
const CALM_SEEDS = 20;

/** The same failure under random with runs, from one of a few seeds, if it has fewer preemptions. */
async function calmer(json: Record<string, unknown>, plan: RunPlan, run: HuntRun, rule: string,
  opts: FailureShrinkOptions): Promise<{ plan: RunPlan; run: HuntRun } | null> {
  if (plan.strategy !== 'random' || plan.switchEvery > 1) return null;
  let best: { plan: RunPlan; run: HuntRun } | null = null;
  let fewest = countPreemptions(run.schedule);
  for (const switchEvery of CALM_SWITCH_EVERY) {
    for (let k = 0; k < CALM_SEEDS; k++) {
      const p = await compileLike(json, { ...plan, seed: plan.seed + k, switchEvery }, opts);
      if (p === null) return null;
      const r = await runOnce(p, opts.rerun ?? 'epochlab replay', [], opts.threads);
      if ((r.rules[rule] ?? 0) > 0 && countPreemptions(r.schedule) < fewest) {
        best = { plan: p, run: r };
        fewest = countPreemptions(r.schedule);
      }
    }
    if (best !== null) return best;
  }
  return best;
}

/**
 * Shrinking a failure found by stress or by a mutant hunt: first the
 * scenario (fewer CPUs and operations, ./shrink-scenario.ts), then the
 * schedule of the smaller run (fewer decisions and preemptions,
 * ./shrink.ts). The result is what a failure file records: the shrunk
 * scenario inline and the shrunk schedule, forced with strategy 'sequential'.
 */
import type { RunPlan } from '../runtime/plan.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import type { HuntRun } from './hunt.js';
import { shrinkScenario, type ScenarioShrinkResult } from './shrink-scenario.js';
import { shrinkSchedule, targetRule, type ShrinkResult } from './shrink.js';

export interface ShrunkFailure {
  /** The scenario object of the shrunk run, its plan and its failing run (before schedule shrinking). */
  json: Record<string, unknown>;
  plan: RunPlan;
  run: HuntRun;
  scenario: ScenarioShrinkResult;
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
  const schedule = await shrinkSchedule(scenario.plan, scenario.run, { targets: [rule], ...common });
  return { json: scenario.json, plan: scenario.plan, run: scenario.run, scenario, schedule };
}

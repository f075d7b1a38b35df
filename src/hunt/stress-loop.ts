/**
 * The stress loop: one checked run per seed of a shard, stopping at the
 * first run that breaks a rule, at a time limit, or after a number of runs.
 * `epochlab stress`, `epochlab mutants` and the soak test are this loop
 * around different plans.
 */
import type { RunPlan } from '../runtime/plan.js';
import { ThreadPool, withThreadPool } from '../runtime/thread-pool.js';
import type { NearMisses, Windows } from '../check/near-miss.js';
import { emptyNearMisses, emptyWindows } from './feedback.js';
import { hasAnyViolation, runOnce, shardSeeds, type HuntRun } from './hunt.js';

export interface StressLimits {
  /** Number of runs, or null to run until timeMs is up. */
  runs: number | null;
  timeMs: number | null;
  seedStart: number;
  shard: number;
  shards: number;
  /** A run fails only when one of these rules fires (null or absent: any violation). */
  rules?: string[] | null;
}

/** One finished run, kept small (no report) so long stresses stay bounded. */
export interface RunRecord {
  seed: number;
  elapsedMs: number;
  decisions: number;
  rules: Record<string, number>;
  /** The trace digest (distinct digests: distinct runs). */
  digest: string;
  /** The run's near misses and windows (src/check/near-miss.ts). */
  nearMisses: NearMisses;
  windows: Windows;
}

export interface StressTotals {
  runs: number;
  decisions: number;
  elapsedMs: number;
}

export interface StressResult {
  records: RunRecord[];
  /** The first run with a violation, and its plan; null if every run was clean. */
  failing: { run: HuntRun; plan: RunPlan } | null;
  elapsedMs: number;
  decisions: number;
}

const facts = (run: HuntRun): Record<string, unknown> => run.report.check?.facts ?? {};

/** The small record of a finished run. */
export function recordOf(seed: number, run: HuntRun): RunRecord {
  const f = facts(run);
  return {
    seed, elapsedMs: run.elapsedMs, decisions: run.report.schedule?.decisions ?? run.schedule.length, rules: run.rules, digest: run.digest,
    nearMisses: (f['nearMisses'] as NearMisses | undefined) ?? emptyNearMisses(), windows: (f['windows'] as Windows | undefined) ?? emptyWindows(),
  };
}

/** Whether a run counts as a failure: any violation, or one of the targeted rules. */
export const fails = (rules: Record<string, number>, targets: readonly string[] | null): boolean =>
  targets === null ? hasAnyViolation(rules) : targets.some((t) => (rules[t] ?? 0) > 0);

/** The seeds of a shard, in order; unbounded (for a time limit) when `runs` is null. */
export function* seedSequence(limits: StressLimits): Generator<number> {
  const { seedStart, shard, shards } = limits;
  if (limits.runs !== null) {
    yield* shardSeeds(seedStart, limits.runs, shard, shards);
    return;
  }
  const CHUNK = 64;
  for (let k = 0; ; k++) yield* shardSeeds(seedStart + k * CHUNK * shards, CHUNK, shard, shards);
}

/**
 * A plan per seed, runOnce, stop at the first violation, the time limit, or
 * the run count. `rerun` names the command for a seed's violation reports;
 * `onRun` sees every finished run (progress).
 */
export async function stressLoop(limits: StressLimits, makePlan: (seed: number) => Promise<RunPlan>,
  rerun: (plan: RunPlan) => string, onRun?: (r: RunRecord, totals: StressTotals) => void,
  threads?: ThreadPool): Promise<StressResult> {
  if (!threads) return withThreadPool((t) => stressLoop(limits, makePlan, rerun, onRun, t));
  const started = performance.now();
  const deadline = limits.timeMs === null ? Infinity : started + limits.timeMs;
  const records: RunRecord[] = [];
  let decisions = 0;
  for (const seed of seedSequence(limits)) {
    if (performance.now() >= deadline) break;
    const plan = await makePlan(seed);
    const run = await runOnce(plan, rerun(plan), [], threads);
    const record = recordOf(seed, run);
    records.push(record);
    decisions += record.decisions;
    onRun?.(record, { runs: records.length, decisions, elapsedMs: performance.now() - started });
    if (fails(run.rules, limits.rules ?? null)) return { records, failing: { run, plan }, elapsedMs: performance.now() - started, decisions };
  }
  return { records, failing: null, elapsedMs: performance.now() - started, decisions };
}

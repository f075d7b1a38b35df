/**
 * One run for race hunting: a compiled plan (usually controlled), the
 * contract checker on, a digest of the trace, the schedule it took, and the
 * violations it found. The stress, replay and mutants commands are loops
 * around this.
 */
import type { RunPlan } from '../runtime/plan.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import type { TraceSink } from '../trace/jsonl.js';
import type { ViolationReport } from '../check/violation-report.js';
import type { ViolationSite } from '../check/context.js';
import { runChecked, type CheckedReport } from '../harness/checked-run.js';

export interface HuntRun {
  seed: number;
  report: CheckedReport;
  /** Violations by rule id (the checker's, plus leaks and watchdog found after the trace). */
  rules: Record<string, number>;
  /** The first violation the checker reported in full, if any. */
  first: ViolationReport | null;
  digest: string;
  /** Every scheduling decision, in order (controlled mode). */
  schedule: number[];
  /** For each decision, the bitmask of lanes that could have run. */
  candidates: number[];
  elapsedMs: number;
}

/**
 * One checked run of `plan`, with its trace digest and schedule; `threads` (optional) are reused across calls;
 * `onViolation` hears of each violation as the checker finds it.
 */
export async function runOnce(plan: RunPlan, rerun: string, extraSinks: TraceSink[] = [], threads?: ThreadPool,
  onViolation?: (v: ViolationSite) => void): Promise<HuntRun> {
  const p = structuredClone(plan);
  const started = performance.now();
  const run = await runChecked(p, rerun, { sinks: extraSinks, maxReports: 5, digest: true, nearMisses: true, ...(threads ? { threads } : {}), ...(onViolation ? { onViolation } : {}) });
  const summary = run.report.check as NonNullable<CheckedReport['check']>;
  const rules: Record<string, number> = { ...summary.byRule };
  for (const v of run.report.violations.filter((x) => x.seq === 0)) rules[v.rule] = (rules[v.rule] ?? 0) + 1;
  return {
    seed: p.seed, report: run.report, rules, first: summary.reports[0] ?? null, digest: run.digest,
    schedule: run.schedule, candidates: run.candidates, elapsedMs: performance.now() - started,
  };
}

/** The seeds shard i of n takes from a range: every n-th seed, so shards never overlap. */
export function shardSeeds(seedStart: number, count: number, shard: number, shards: number): number[] {
  const seeds: number[] = [];
  for (let k = 0; seeds.length < count; k++) seeds.push(seedStart + k * shards + (shard - 1));
  return seeds;
}

/** The first full report of one of `rules` (any rule when null), else the run's first. */
export function firstReportOf(run: HuntRun, rules: readonly string[] | null): ViolationReport | null {
  if (rules === null) return run.first;
  return run.report.check?.reports.find((r) => rules.includes(r.rule)) ?? run.first;
}

/** True when a run broke any rule. */
export const hasAnyViolation = (rules: Record<string, number>): boolean => Object.values(rules).some((n) => n > 0);

/**
 * One run for race hunting: a compiled plan (usually controlled), the
 * contract checker on, a digest of the trace, the schedule it took, and the
 * violations it found. The stress, replay and mutants commands are loops
 * around this.
 */
import { runPlan } from '../runtime/runner.js';
import type { RunPlan } from '../runtime/plan.js';
import type { RunReport } from '../runtime/report.js';
import { ContractChecker } from '../check/checker.js';
import { createRules } from '../check/rules/index.js';
import { DigestSink } from '../trace/digest.js';
import type { TraceSink } from '../trace/jsonl.js';
import type { ViolationReport } from '../check/violation-report.js';
import type { ThreadPool } from '../runtime/thread-pool.js';

export interface HuntRun {
  seed: number;
  report: RunReport;
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

/** One checked run of `plan`; `threads` (optional) are reused across calls. */
export async function runOnce(plan: RunPlan, rerun: string, extraSinks: TraceSink[] = [], threads?: ThreadPool): Promise<HuntRun> {
  const p = structuredClone(plan);
  p.trace = true;
  const digest = new DigestSink();
  const checker = new ContractChecker(createRules(), { rerun, maxReports: 5 });
  let schedule: number[] = [];
  let candidates: number[] = [];
  const started = performance.now();
  const report = await runPlan(p, { sinks: [...extraSinks, digest, checker], onSchedule: (s, c) => { schedule = s; candidates = c; }, threads });
  checker.close();
  const summary = checker.summary();
  report.check = summary;
  const rules: Record<string, number> = { ...summary.byRule };
  for (const v of report.violations.filter((x) => x.seq === 0)) rules[v.rule] = (rules[v.rule] ?? 0) + 1;
  return {
    seed: p.seed, report, rules, first: summary.reports[0] ?? null, digest: digest.digest(), schedule, candidates,
    elapsedMs: performance.now() - started,
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

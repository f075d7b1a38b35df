/**
 * One checked run: the runtime (src/runtime/runner.ts) with the contract
 * checker (src/check/) reading its trace, and optionally a digest of that
 * trace and the schedule it took. `epochlab run`, `contract-diff` and every
 * race-hunting run go through here, so they all get the same report: the
 * runtime's counters with the checker's verdict folded in.
 */
import { runPlan } from '../runtime/runner.js';
import type { RunPlan } from '../runtime/plan.js';
import type { RunReport } from '../runtime/report.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import type { ProgressListener } from '../runtime/progress.js';
import { ContractChecker, type CheckSummary } from '../check/checker.js';
import { createRules } from '../check/rules/index.js';
import { NearMissObserver } from '../check/near-miss.js';
import type { ViolationSite } from '../check/context.js';
import { DigestSink } from '../trace/digest.js';
import type { TraceSink } from '../trace/jsonl.js';

/** The report that `epochlab run --json` prints. */
export type CheckedReport = RunReport<CheckSummary>;

export interface CheckedRunOptions {
  /** Run the contract checker (default true); false records no events unless a sink wants them. */
  check?: boolean;
  /** Trace sinks besides the checker (a JSON Lines file). */
  sinks?: TraceSink[];
  /** Violation reports kept in full (default 50). */
  maxReports?: number;
  /** Also compute a SHA-256 digest of the trace (every event, every field, in order). */
  digest?: boolean;
  /** Threads to reuse across runs (race hunting). */
  threads?: ThreadPool;
  /** Told how far the run got, every 200 ms while it goes (a live display). */
  onProgress?: ProgressListener;
  /** Told of each violation the checker finds, as it finds it (a view drawing them). */
  onViolation?: (v: ViolationSite) => void;
  /** Also count near misses and windows (src/check/near-miss.ts) into the summary's facts (race hunting). */
  nearMisses?: boolean;
}

export interface CheckedRun {
  report: CheckedReport;
  /** The last sequence number of the trace, so a caller can append events after it. */
  lastSeq: number;
  /** The latest time an event of the trace carried. */
  lastTime: number;
  /** The trace digest, when asked for; '' otherwise. */
  digest: string;
  /** Controlled mode: every scheduling decision, in order, and for each the bitmask of lanes that could have run. */
  schedule: number[];
  candidates: number[];
}

/** Runs `plan` (in place: tracing is switched on for the checker) and folds the checker's verdict into the report. */
export async function runChecked(plan: RunPlan, rerun: string, options: CheckedRunOptions = {}): Promise<CheckedRun> {
  const check = options.check ?? true;
  const watchers = (options.sinks ?? []).filter((s) => s.onReport !== undefined);
  const rules = options.nearMisses ? [...createRules(), new NearMissObserver()] : createRules();
  const checker = check ? new ContractChecker(rules, {
    rerun, ...(options.maxReports ? { maxReports: options.maxReports } : {}), ...(options.onViolation ? { onViolation: options.onViolation } : {}),
    ...(watchers.length > 0 ? { onReport: (rule: string, seq: number) => { for (const s of watchers) s.onReport!(rule, seq); } } : {}),
  }) : null;
  const digest = options.digest ? new DigestSink() : null;
  if (checker || digest) plan.trace = true;
  const sinks = [...(options.sinks ?? []), ...(digest ? [digest] : []), ...(checker ? [checker] : [])];
  const out = { lastSeq: 0, lastTime: 0, schedule: [] as number[], candidates: [] as number[] };
  const runtime = await runPlan(plan, {
    sinks,
    onLastSeq: (s, t) => { out.lastSeq = s; out.lastTime = t; },
    onSchedule: (s, c) => { out.schedule = s; out.candidates = c; },
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const report: CheckedReport = runtime;
  if (checker) foldVerdict(report, checker);
  return { report, lastSeq: out.lastSeq, lastTime: out.lastTime, digest: digest ? digest.digest() : '', schedule: out.schedule, candidates: out.candidates };
}

/** The checker's summary goes into the report, and its violations into the count and the verdict. */
function foldVerdict(report: CheckedReport, checker: ContractChecker): void {
  // After a watchdog abort the run never reached its end: what an end-of-run
  // check would find (a map never deleted, an epoch never exited) follows
  // from the abort, not from the provider.
  if (report.watchdog === null) checker.close();
  report.check = checker.summary();
  const extra = report.violations.filter((v) => v.seq === 0).length; // leak, watchdog: found after the trace
  report.violationCount = checker.violationCount + extra;
  if (report.verdict === 'pass' && report.violationCount > 0) report.verdict = 'fail';
  report.exitCode = report.verdict === 'pass' ? 0 : 1;
}

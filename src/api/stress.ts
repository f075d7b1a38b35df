/**
 * `stress(scenario, options)`: many checked runs of one scenario, one seed
 * each (a shard of a seed range), until the first run that breaks a rule.
 * That run is shrunk (controlled mode: the scenario, then the schedule) and
 * written to a failure file that `replay` re-runs exactly. With strategy
 * 'dfs' the runs are every schedule of one seed within a preemption bound.
 * Returns the summary that `epochlab stress --json` prints.
 */
import type { z } from 'zod';
import type { RunPlan, RunSettings } from '../runtime/plan.js';
import { applySettings } from '../runtime/plan.js';
import { withThreadPool, type ThreadPool } from '../runtime/thread-pool.js';
import { firstReportOf, type HuntRun } from '../hunt/hunt.js';
import { SwarmStress } from '../hunt/swarm-stress.js';
import { describeSwarm } from '../hunt/swarm.js';
import { recordOf, stressLoop, type RunRecord, type StressResult, type StressTotals } from '../hunt/stress-loop.js';
import { recordFailure, type FailureOutcome } from '../hunt/record-failure.js';
import { defaultFailurePath, failureRecord, writeFailureFile, type ScenarioRef } from '../hunt/failure-file.js';
import { exploreDfs } from '../hunt/dfs.js';
import { parseOptions, stressOptionsSchema } from './options.js';
import type { StressOptionValues } from './option-types.js';
import { compileInput, scenarioRef, type ScenarioInput } from './scenario-arg.js';
import { writeStressJunit } from './stress-junit.js';
import type { StressReport, StressViolation } from './stress-report.js';
import { checkPagePath } from './page.js';
import { failurePage } from './replay.js';

export type { StressReport, StressViolation } from './stress-report.js';

export type StressOptions = StressOptionValues & {
  /** Called after every run (progress display). */
  onRun?: (run: RunRecord, totals: StressTotals) => void;
};
type StressSettings = z.output<typeof stressOptionsSchema>;

export async function stress(scenario: ScenarioInput, options: StressOptions = {}): Promise<StressReport> {
  const { onRun, ...rest } = options;
  const s = parseOptions(stressOptionsSchema, rest, 'stress options');
  const pinned = rest.strategy !== undefined || rest.pctDepth !== undefined || rest.pctSteps !== undefined || rest.switchEvery !== undefined;
  if (s.html !== undefined) checkPagePath(s.html, '--html');
  // Load once up front: a bad scenario fails before any run.
  const first = await compileInput(scenario, { seed: s.seedStart, ...(s.cpus !== undefined ? { cpus: s.cpus } : {}) });
  const ref = scenarioRef(scenario, first.name);
  return withThreadPool(async (threads) => {
    const report = s.strategy === 'dfs' ? await dfsStress(s, first, ref, threads, onRun) : await seedStress(scenario, s, first, ref, threads, onRun, pinned);
    if (s.html !== undefined && report.violation) report.page = await failurePage(report.violation.failureFile, s.html, threads);
    return report;
  });
}

const runSettingsOf = (s: StressSettings, strategy: RunSettings['strategy']): RunSettings => ({
  profile: s.profile, mode: s.mode, strategy, pctDepth: s.pctDepth, pctSteps: s.pctSteps, switchEvery: s.switchEvery, mutant: s.mutant,
});

function baseReport(name: string, s: StressSettings, result: { records: RunRecord[]; decisions: number; elapsedMs: number }): StressReport {
  const seconds = result.elapsedMs / 1000;
  return {
    scenario: name, runs: result.records.length, seeds: result.records.map((r) => r.seed), shard: `${s.shard}/${s.shards}`,
    strategy: s.strategy, pctDepth: s.pctDepth, pctSteps: s.pctSteps, switchEvery: s.switchEvery, mode: s.mode, profile: s.profile, mutant: s.mutant,
    decisions: result.decisions, seconds, runsPerSec: result.records.length / Math.max(seconds, 1e-9),
    stepsPerSec: result.decisions / Math.max(seconds, 1e-9), violation: null, swarm: null, page: null,
  };
}

/** Stress over seeds (every strategy but dfs). */
async function seedStress(scenario: ScenarioInput, s: StressSettings, first: RunPlan, ref: ScenarioRef, threads: ThreadPool,
  onRun: ((run: RunRecord, totals: StressTotals) => void) | undefined, pinned: boolean): Promise<StressReport> {
  const settings = runSettingsOf(s, s.strategy as RunSettings['strategy']);
  const fileFor = (seed: number): string => s.out ?? defaultFailurePath(first.name, seed);
  const cpus = s.cpus !== undefined ? { cpus: s.cpus } : {};
  const swarm = s.swarm && s.mode === 'controlled' ? new SwarmStress(ref, settings, cpus, first.cpus, pinned) : null;
  const makePlan = swarm !== null ? (seed: number) => swarm.plan(seed)
    : async (seed: number) => applySettings(await compileInput(scenario, { seed, ...cpus }), settings);
  const listen = swarm === null ? onRun : (r: RunRecord, t: StressTotals) => { swarm.record(r); onRun?.(r, t); };
  const result: StressResult = await stressLoop({ runs: s.time === undefined ? s.runs ?? 100 : null, timeMs: s.time ?? null,
    seedStart: s.seedStart, shard: s.shard, shards: s.shards, rules: s.rules },
  makePlan, (plan) => `epochlab replay ${fileFor(plan.seed)}`, listen, threads);
  const report = baseReport(first.name, s, result);
  report.swarm = swarm?.summary() ?? null;
  if (result.failing) {
    const { plan, run } = result.failing;
    const config = swarm?.configOf(plan.seed) ?? null;
    const outcome = await recordFailure(swarm?.refOf(plan.seed) ?? ref, plan, run, fileFor(plan.seed),
      { shrink: s.shrink, targets: s.rules, threads, swarm: config });
    report.violation = { ...violationOf(plan, run, s.rules, outcome), config: config === null ? null : describeSwarm(config) };
  }
  if (s.junit !== undefined) writeStressJunit(s.junit, first.name, s.strategy, result, report.violation);
  return report;
}

function violationOf(plan: RunPlan, run: HuntRun, targets: string[] | null, f: FailureOutcome): StressViolation {
  const k = f.shrunk;
  return {
    seed: plan.seed, rules: run.rules, digest: run.digest, scheduleLength: run.schedule.length,
    report: firstReportOf(run, targets), violations: run.report.violations,
    shrunk: k ? {
      rule: k.schedule.rule,
      scenario: { before: k.scenario.before, after: k.scenario.after, runs: k.scenario.runs },
      calmer: k.calmer,
      schedule: { before: k.schedule.before, after: k.schedule.after, runs: k.schedule.runs },
      scheduleShrunk: k.schedule.run !== null,
      digest: f.digest,
    } : false,
    failureFile: f.path, fileScheduleLength: f.scheduleLength, fileRules: f.rules, fileDigest: f.digest,
    replay: `epochlab replay ${f.path}`, config: null,
  };
}

type OnRun = StressOptions['onRun'];

/** dfs's per-schedule callback as stress's onRun: each schedule a record, the totals since `started`. */
function dfsListener(seed: number, started: number, onRun: OnRun): ((run: HuntRun, explored: number) => void) | undefined {
  if (!onRun) return undefined;
  let decisions = 0;
  return (run, explored) => {
    const record: RunRecord = { ...recordOf(seed, run), decisions: run.schedule.length };
    decisions += record.decisions;
    onRun(record, { runs: explored, decisions, elapsedMs: performance.now() - started });
  };
}

/** Every schedule of the scenario (seed seedStart) with at most preemptionBound preemptions, up to `runs` of them. */
async function dfsStress(s: StressSettings, first: RunPlan, ref: ScenarioRef, threads: ThreadPool, onRun: OnRun): Promise<StressReport> {
  first.mutant = s.mutant;
  first.profile = s.profile;
  const started = performance.now();
  const maxRuns = s.runs ?? 1000;
  const listener = dfsListener(first.seed, started, onRun);
  const r = await exploreDfs(first, { preemptionBound: s.preemptionBound, maxRuns, threads, ...(listener ? { onRun: listener } : {}) });
  const report = baseReport(first.name, s, { records: [], decisions: 0, elapsedMs: performance.now() - started });
  report.runs = r.explored;
  report.seeds = [first.seed];
  report.dfs = { preemptionBound: s.preemptionBound, explored: r.explored, exhausted: r.exhausted };
  if (!r.failing) return report;
  const path = s.out ?? defaultFailurePath(first.name, first.seed);
  const record = failureRecord(ref, r.failing.plan, r.failing.run);
  writeFailureFile(path, record);
  const run = r.failing.run;
  report.violation = {
    seed: first.seed, rules: run.rules, digest: run.digest, scheduleLength: run.schedule.length,
    report: run.first, violations: run.report.violations, shrunk: false,
    failureFile: path, fileScheduleLength: record.schedule.length, fileRules: record.rules, fileDigest: record.digest,
    replay: `epochlab replay ${path}`, config: null,
  };
  return report;
}

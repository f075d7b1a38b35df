/**
 * `epochlab stress SCENARIO`: many controlled runs of one scenario, one seed
 * each (a shard of a seed range), stopping at the first run with a
 * violation. In controlled mode its schedule can then be shrunk (fewer
 * decisions and preemptions, same rule; see src/hunt/shrink.ts and
 * wantsShrink), and the failure file holds the shrunk schedule (strategy
 * 'sequential', the original kept as originalSchedule), which `epochlab
 * replay` re-runs exactly. Unshrunk, it holds the whole schedule.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from './args.js';
import { BadInput } from '../scenario/bad-input.js';
import { loadScenario } from '../scenario/scenario.js';
import { defaultFailurePath, failureRecord, resolveScenario, writeFailureFile, type ScenarioRef } from '../hunt/failure-file.js';
import { junitXml, type JunitCase } from './junit.js';
import { hasAnyViolation, runOnce, shardSeeds, type HuntRun } from '../hunt/hunt.js';
import { recordFailure, failureJson, failureText } from './stress-failure.js';
import { applySettings, type RunPlan, type RunSettings } from '../runtime/plan.js';
import { formatViolationReport } from '../check/violation-report.js';
import { exploreDfs } from '../hunt/dfs.js';
import { ThreadPool, withThreadPool } from '../runtime/thread-pool.js';

type StressCmd = Extract<Command, { kind: 'stress' }>;

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
}

export interface StressResult {
  records: RunRecord[];
  /** The first run with a violation, and its plan; null if every run was clean. */
  failing: { run: HuntRun; plan: RunPlan } | null;
  elapsedMs: number;
  decisions: number;
}


/** Whether a run counts as a failure: any violation, or one of the targeted rules. */
const fails = (rules: Record<string, number>, targets: string[] | null): boolean =>
  targets === null ? hasAnyViolation(rules) : targets.some((t) => (rules[t] ?? 0) > 0);
export const ruleList = (rules: Record<string, number>): string =>
  Object.entries(rules).filter(([, n]) => n > 0).map(([r, n]) => `${r} x${n}`).join(', ');

/** The seeds of a shard, in order; unbounded (for --time) when count is null. */
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
 * The stress loop: a plan per seed, runOnce, stop at the first violation,
 * the time limit, or the run count. `rerun` names the command for a seed's
 * violation reports; `onRun` sees every finished run (progress).
 */
export async function stressLoop(limits: StressLimits, makePlan: (seed: number) => Promise<RunPlan>,
  rerun: (plan: RunPlan) => string, onRun?: (r: RunRecord, totals: { runs: number; decisions: number; elapsedMs: number }) => void,
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
    const record: RunRecord = { seed, elapsedMs: run.elapsedMs, decisions: run.report.schedule?.decisions ?? run.schedule.length, rules: run.rules };
    records.push(record);
    decisions += record.decisions;
    onRun?.(record, { runs: records.length, decisions, elapsedMs: performance.now() - started });
    if (fails(run.rules, limits.rules ?? null)) return { records, failing: { run, plan }, elapsedMs: performance.now() - started, decisions };
  }
  return { records, failing: null, elapsedMs: performance.now() - started, decisions };
}

/** `1, 3, 5, 7, 9 ... 199` (every seed when there are few). */
export function formatSeeds(seeds: number[]): string {
  if (seeds.length <= 6) return seeds.join(', ');
  return `${seeds.slice(0, 5).join(', ')} ... ${seeds[seeds.length - 1]}`;
}

function progressLine(cmd: StressCmd, t: { runs: number; decisions: number; elapsedMs: number }, violations: number): string {
  const s = Math.max(t.elapsedMs / 1000, 1e-9);
  const rate = t.runs / s;
  const leftMs = cmd.timeMs !== null ? Math.max(0, cmd.timeMs - t.elapsedMs) : ((cmd.runs ?? 0) - t.runs) / Math.max(rate, 1e-9) * 1000;
  return `\r${t.runs}${cmd.runs !== null ? `/${cmd.runs}` : ''} runs, ${rate.toFixed(1)} runs/s, ${Math.round(t.decisions / s)} steps/s, ${violations} violations, ${(leftMs / 1000).toFixed(0)}s left   `;
}

/** Stress shrinks a failing controlled schedule unless --no-shrink. */
export function wantsShrink(cmd: StressCmd): boolean {
  return !cmd.noShrink;
}

export async function stressCommand(cmd: StressCmd): Promise<number> {
  // Load once up front: a bad scenario fails before any run.
  const first = await loadScenario(cmd.scenario, { seed: cmd.seedStart });
  const ref: ScenarioRef = resolveScenario(cmd.scenario, first.name);
  return withThreadPool((threads) => cmd.strategy === 'dfs' ? dfsStress(cmd, first, ref, threads) : seedStress(cmd, first, ref, threads));
}

/** Stress over seeds (every strategy but dfs). */
async function seedStress(cmd: StressCmd, first: RunPlan, ref: ScenarioRef, threads: ThreadPool): Promise<number> {
  const strategy = cmd.strategy;
  if (strategy === 'dfs') throw new Error('seedStress: dfs explores schedules, not seeds');
  const runSettings: RunSettings = { ...cmd, strategy };
  const apply = (plan: RunPlan): RunPlan => applySettings(plan, runSettings);
  const fileFor = (seed: number): string => cmd.out ?? defaultFailurePath(first.name, seed);
  const tty = process.stdout.isTTY === true && !cmd.json;
  let lastPaint = 0;
  const result = await stressLoop(cmd,
    async (seed) => apply(await loadScenario(cmd.scenario, { seed })),
    (plan) => `epochlab replay ${fileFor(plan.seed)}`,
    (r, totals) => {
      const now = performance.now();
      if (tty && (now - lastPaint > 100 || hasAnyViolation(r.rules))) {
        lastPaint = now;
        process.stdout.write(progressLine(cmd, totals, hasAnyViolation(r.rules) ? 1 : 0));
      }
    }, threads);
  // The last paint, with the final totals, stays on screen above the summary.
  if (tty) process.stdout.write(progressLine(cmd, { runs: result.records.length, decisions: result.decisions, elapsedMs: result.elapsedMs }, result.failing ? 1 : 0) + '\n');

  const seeds = result.records.map((r) => r.seed);
  const seconds = result.elapsedMs / 1000;
  const runsPerSec = result.records.length / Math.max(seconds, 1e-9);
  const settings = `strategy ${cmd.strategy}${cmd.strategy === 'pct' ? ` d=${cmd.pctDepth} k=${cmd.pctSteps}` : ''}${cmd.strategy === 'random' && cmd.switchEvery > 1 ? ` switch-every=${cmd.switchEvery}` : ''}, mode ${cmd.mode}, profile ${cmd.profile}${cmd.mutant ? `, mutant ${cmd.mutant}` : ''}`;
  const seedText = `seeds ${formatSeeds(seeds)} (shard ${cmd.shard}/${cmd.shards})`;

  const failure = result.failing ? await recordFailure(ref, result.failing.plan, result.failing.run, fileFor(result.failing.plan.seed),
    { shrink: wantsShrink(cmd), targets: cmd.rules, threads }) : null;
  if (cmd.junit !== undefined) writeJunit(cmd, result, seconds);

  const summary = {
    scenario: first.name, runs: result.records.length, seeds, shard: `${cmd.shard}/${cmd.shards}`,
    strategy: cmd.strategy, pctDepth: cmd.pctDepth, pctSteps: cmd.pctSteps, switchEvery: cmd.switchEvery, mode: cmd.mode, profile: cmd.profile, mutant: cmd.mutant,
    decisions: result.decisions, seconds, runsPerSec, stepsPerSec: result.decisions / Math.max(seconds, 1e-9),
    violation: result.failing && failure ? failureJson(result.failing.plan, result.failing.run, failure) : null,
  };
  if (cmd.json) {
    console.log(JSON.stringify(summary, null, 2));
    return result.failing ? 1 : 0;
  }
  if (!result.failing || !failure) {
    console.log(`stress ${first.name}: ${result.records.length} runs, no violation; ${seedText}; ${settings}; `
      + `${result.decisions} decisions, ${runsPerSec.toFixed(1)} runs/s, ${Math.round(summary.stepsPerSec)} steps/s`);
    return 0;
  }
  const { run, plan } = result.failing;
  console.log(`stress ${first.name}: VIOLATION on seed ${plan.seed} (run ${result.records.length}; ${seedText}; ${settings})`);
  console.log(`rules: ${ruleList(run.rules)}`);
  for (const line of failureText(run, cmd.rules, failure)) console.log(line);
  return 1;
}

function writeJunit(cmd: StressCmd, result: StressResult, seconds: number): void {
  const classname = `${cmd.scenario}.${cmd.strategy}`;
  const cases: JunitCase[] = result.records.map((r) => {
    const c: JunitCase = { name: `seed ${r.seed}`, classname, time: r.elapsedMs / 1000 };
    if (hasAnyViolation(r.rules)) {
      const f = result.failing;
      const text = f && f.run.first ? formatViolationReport(f.run.first) : ruleList(r.rules);
      c.failure = { message: Object.keys(r.rules).filter((k) => (r.rules[k] ?? 0) > 0).join(' '), text };
    }
    return c;
  });
  try {
    writeFileSync(cmd.junit!, junitXml(`epochlab stress ${cmd.scenario}`, cases, seconds));
  } catch (err) {
    throw new BadInput('epochlab', '--junit', `cannot write ${cmd.junit}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * `stress --strategy dfs`: every schedule of the scenario (seed --seed-start)
 * with at most --preemption-bound preemptions, up to --runs of them.
 */
async function dfsStress(cmd: StressCmd, first: RunPlan, ref: ScenarioRef, threads: ThreadPool): Promise<number> {
  first.mutant = cmd.mutant;
  first.profile = cmd.profile;
  const started = performance.now();
  const r = await exploreDfs(first, { preemptionBound: cmd.preemptionBound, maxRuns: cmd.runs ?? 1000, threads });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const head = `stress ${first.name}: dfs, preemption bound ${cmd.preemptionBound}, seed ${first.seed}: explored ${r.explored} schedule(s) in ${seconds} s, `;
  if (!r.failing) {
    console.log(head + (r.exhausted ? 'space exhausted, no violation' : `not exhausted (--runs ${cmd.runs ?? 1000}), no violation`));
    return 0;
  }
  const path = cmd.out ?? defaultFailurePath(first.name, first.seed);
  writeFailureFile(path, failureRecord(ref, r.failing.plan, r.failing.run));
  console.log(head + `VIOLATION: ${ruleList(r.failing.run.rules)}`);
  if (r.failing.run.first) console.log(formatViolationReport(r.failing.run.first));
  console.log(`failure file: ${path} (schedule of ${r.failing.run.schedule.length} decisions, strategy sequential; digest ${r.failing.run.digest})`);
  console.log(`replay: epochlab replay ${path}`);
  return 1;
}

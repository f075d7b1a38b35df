/**
 * `run(scenario, options)`: one run on real threads with the contract
 * checker on (unless `check: false`), optionally writing every event to a
 * JSON Lines file (run_begin first, run_end last) and a Perfetto / Chrome
 * trace (`perfetto`, written while the run goes). Returns the report that
 * `epochlab run --json` prints, with the command line that re-runs it.
 * `checkDeterminism` runs a controlled plan twice and compares digests.
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import { runPlan } from '../runtime/runner.js';
import { applySettings, type RunPlan } from '../runtime/plan.js';
import { JsonlSink } from '../trace/jsonl.js';
import type { TraceEvent } from '../trace/decode.js';
import type { ViolationSite } from '../check/context.js';
import type { PerfettoRun } from '../view/perfetto.js';
import { openPerfetto } from '../view/export.js';
import { BadInput } from '../contract/bad-input.js';
import { runChecked, type CheckedReport } from '../harness/checked-run.js';
import { parseOptions, runOptionsSchema } from './options.js';
import type { RunOptionValues } from './option-types.js';
import { compileInput, scenarioWord, type ScenarioInput } from './scenario-arg.js';
import { VERSION } from './version.js';
import type { RunProgress } from '../runtime/progress.js';
import { RunPage, type PageReport } from './page.js';

/**
 * How far a run got (about every 200 ms while it goes), and which run of the
 * call it is: a long checked run is preceded by a short unchecked
 * calibration; checkDeterminism makes two.
 */
export interface RunProgressEvent extends RunProgress {
  stage: 'calibration' | 'run' | 'first of two' | 'second of two';
}

export type RunOptions = RunOptionValues & {
  /** Live progress (a display): no cost per operation. */
  onProgress?: (p: RunProgressEvent) => void;
};
type Listener = RunOptions['onProgress'];
type Settings = z.output<typeof runOptionsSchema>;

export interface RunResult extends CheckedReport {
  /** The command that runs this scenario again the same way, with a trace file. */
  rerun: string;
  /** Controlled mode: the SHA-256 digest of the trace (the same on every re-run); null free-running. */
  digest: string | null;
  /** The timeline page written (`html`), or null. */
  page: PageReport | null;
}

/** The plan of a run: the scenario compiled, the options applied. */
async function planFor(scenario: ScenarioInput, s: Settings): Promise<RunPlan> {
  const plan = await compileInput(scenario, { ...(s.cpus !== undefined ? { cpus: s.cpus } : {}), ...(s.seed !== undefined ? { seed: s.seed } : {}) });
  applySettings(plan, s);
  if (s.duration !== undefined && plan.workload) plan.workload.durationMs = s.duration;
  return plan;
}

/** `epochlab run ...` with every setting that changes what runs, so the line reproduces the run. */
export function rerunLine(plan: RunPlan, duration?: number): string {
  const parts = ['epochlab run', scenarioWord(plan), `--seed ${plan.seed}`, `--cpus ${plan.cpus}`];
  if (plan.profile !== 'documented') parts.push(`--profile ${plan.profile}`);
  if (plan.mode !== 'free') {
    parts.push(`--mode ${plan.mode}`, `--strategy ${plan.strategy}`);
    if (plan.strategy === 'pct') parts.push(`--pct-depth ${plan.pctDepth}`, `--pct-steps ${plan.pctSteps}`);
    if (plan.strategy === 'random' && plan.switchEvery > 1) parts.push(`--switch-every ${plan.switchEvery}`);
  }
  if (plan.mutant !== null) parts.push(`--mutant ${plan.mutant}`);
  if (duration !== undefined && plan.mode === 'free') parts.push(`--duration ${duration}ms`);
  parts.push('--trace trace.jsonl');
  return parts.join(' ');
}

/** What a Perfetto export says about the run it shows. */
export const perfettoRun = (plan: RunPlan): PerfettoRun =>
  ({ scenario: plan.name, seed: plan.seed, cpus: plan.cpus, profile: plan.profile, mode: plan.mode });

/** The first line of a trace file: what ran, and how (`mode` says what `t` counts). */
export function runBegin(plan: RunPlan): TraceEvent {
  return {
    seq: 0, t: 0, cpu: -1, irql: 'PASSIVE', event: 'run_begin', scenario: plan.name, source: plan.source, seed: plan.seed, cpus: plan.cpus,
    profile: plan.profile, mode: plan.mode, strategy: plan.mode === 'controlled' ? plan.strategy : null, mutant: plan.mutant, version: VERSION,
  };
}

function openTrace(path: string, plan: RunPlan): JsonlSink {
  let sink: JsonlSink;
  try {
    sink = new JsonlSink(path);
  } catch (err) {
    throw new BadInput('epochlab', '--trace', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  sink.write(runBegin(plan));
  return sink;
}

function closeTrace(sink: JsonlSink, report: CheckedReport, lastSeq: number, t: number): void {
  let seq = lastSeq;
  for (const v of report.violations.filter((x) => x.seq === 0)) {
    sink.write({ seq: ++seq, t, cpu: -1, irql: 'PASSIVE', event: 'violation', rule: v.rule, message: v.message });
  }
  sink.write({
    seq: seq + 1, t, cpu: -1, irql: 'PASSIVE', event: 'run_end', verdict: report.verdict,
    counts: { ops: report.ops, violations: report.violationCount, epochsAdvanced: report.epochsAdvanced, retired: report.blocksRetired, freed: report.blocksFreed, callbacks: report.callbacks },
  });
  sink.close();
}

/** Long checked workload runs first measure the same workload unchecked, briefly. */
const CALIBRATE_FROM_MS = 10_000;

/** A runtime listener that tags each report with its stage (none without a listener). */
const staged = (on: Listener, stage: RunProgressEvent['stage']): { onProgress?: (p: RunProgress) => void } =>
  (on ? { onProgress: (p) => on({ ...p, stage }) } : {});

async function uncheckedOpsPerSec(plan: RunPlan, on: Listener): Promise<number | null> {
  const w = plan.workload;
  if (w === null || w.durationMs < CALIBRATE_FROM_MS || plan.mode !== 'free') return null;
  const calibration = structuredClone(plan);
  (calibration.workload as NonNullable<RunPlan['workload']>).durationMs = Math.min(5000, Math.round(w.durationMs / 10));
  calibration.trace = false;
  return (await runPlan(calibration, staged(on, 'calibration'))).opsPerSec;
}

export async function run(scenario: ScenarioInput, options: RunOptions = {}): Promise<RunResult> {
  const { onProgress, ...rest } = options;
  const s = parseOptions(runOptionsSchema, rest, 'run options');
  const plan = await planFor(scenario, s);
  plan.trace = s.trace !== undefined || s.perfetto !== undefined || s.html !== undefined;
  const page = s.html !== undefined ? new RunPage(s.html, '--html') : null;
  const unchecked = s.check ? await uncheckedOpsPerSec(plan, onProgress) : null;
  const rerun = rerunLine(plan, s.duration);
  const perfetto = s.perfetto !== undefined ? openPerfetto(s.perfetto, perfettoRun(plan)) : null;
  const sink = s.trace !== undefined ? openTrace(s.trace, plan) : null;
  const controlled = plan.mode === 'controlled';
  const sinks = [...(sink ? [sink] : []), ...(perfetto ? [perfetto] : []), ...(page ? [page.sink] : [])];
  const r = await runChecked(plan, rerun, {
    check: s.check, digest: controlled, sinks, ...staged(onProgress, 'run'),
    ...(perfetto ? { onViolation: (v: ViolationSite) => perfetto.violation(v) } : {}),
  });
  if (unchecked !== null && r.report.opsPerSec > 0) {
    r.report.checkOverhead = { opsPerSecChecked: r.report.opsPerSec, opsPerSecUnchecked: unchecked, slowdown: unchecked / r.report.opsPerSec };
  }
  if (sink) closeTrace(sink, r.report, r.lastSeq, r.lastTime);
  perfetto?.finish();
  const written = page ? page.write(plan, r.report.check?.reports ?? [], rerun.replace(/--trace trace\.jsonl$/, `--html ${basename(page.path)}`)) : null;
  return { ...r.report, rerun, digest: controlled ? r.digest : null, page: written };
}

export interface DeterminismReport {
  scenario: string;
  strategy: string;
  seed: number;
  profile: string;
  runs: Array<{ digest: string; events: number; decisions: number; verdict: string }>;
  /** True when both runs produced the same trace digest. */
  same: boolean;
}

/** The same controlled run twice; the trace digests (every event, every field, in order) must be equal. */
export async function checkDeterminism(scenario: ScenarioInput, options: RunOptions = {}): Promise<DeterminismReport> {
  const { onProgress, ...rest } = options;
  const s = parseOptions(runOptionsSchema, { ...rest, mode: 'controlled' }, 'run options');
  const plan = await planFor(scenario, s);
  const runs: DeterminismReport['runs'] = [];
  for (const stage of ['first of two', 'second of two'] as const) {
    const { report, digest } = await runChecked(structuredClone(plan), 'determinism check', { digest: true, ...staged(onProgress, stage) });
    runs.push({ digest, events: report.traceEvents, decisions: report.schedule?.decisions ?? 0, verdict: report.verdict });
  }
  return { scenario: plan.name, strategy: plan.strategy, seed: plan.seed, profile: plan.profile, runs, same: runs[0]!.digest === runs[1]!.digest };
}

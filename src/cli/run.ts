/**
 * `epochlab run`: load and validate the scenario, run it on real threads with
 * the contract checker on (unless --no-check), write the trace (run_begin
 * first, run_end last), print the summary and the violation reports.
 */
import { loadScenario } from '../scenario/scenario.js';
import { formatSummary } from './summary.js';
import type { Command } from './args.js';
import { runPlan } from '../runtime/runner.js';
import { JsonlSink } from '../trace/jsonl.js';
import type { RunPlan } from '../runtime/plan.js';
import { runChecked, type CheckedReport } from '../harness/checked-run.js';
import { BadInput } from '../scenario/bad-input.js';
import { createRequire } from 'node:module';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

type RunCmd = Extract<Command, { kind: 'run' }>;

function openTrace(path: string, plan: RunPlan): JsonlSink {
  let sink: JsonlSink;
  try {
    sink = new JsonlSink(path);
  } catch (err) {
    throw new BadInput('epochlab', '--trace', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  sink.write({ seq: 0, cpu: -1, irql: 'PASSIVE', event: 'run_begin', scenario: plan.name, source: plan.source, seed: plan.seed, cpus: plan.cpus, profile: plan.profile, version: VERSION });
  return sink;
}

function closeTrace(sink: JsonlSink, report: CheckedReport, lastSeq: number): void {
  let seq = lastSeq;
  for (const v of report.violations.filter((x) => x.seq === 0)) {
    sink.write({ seq: ++seq, cpu: -1, irql: 'PASSIVE', event: 'violation', rule: v.rule, message: v.message });
  }
  sink.write({
    seq: seq + 1, cpu: -1, irql: 'PASSIVE', event: 'run_end', verdict: report.verdict,
    counts: { ops: report.ops, violations: report.violationCount, epochsAdvanced: report.epochsAdvanced, retired: report.blocksRetired, freed: report.blocksFreed, callbacks: report.callbacks },
  });
  sink.close();
}

/** The command that re-runs this scenario the same way, with a trace. */
export function rerunCommand(cmd: RunCmd, plan: RunPlan): string {
  const source = plan.source.startsWith('builtin:') ? plan.source.slice('builtin:'.length) : plan.source;
  const parts = ['epochlab run', source, `--seed ${plan.seed}`, `--cpus ${plan.cpus}`];
  if (plan.profile !== 'documented') parts.push(`--profile ${plan.profile}`);
  if (cmd.duration !== undefined) parts.push(`--duration ${cmd.duration}ms`);
  parts.push('--trace trace.jsonl');
  return parts.join(' ');
}

/**
 * --check-determinism: the same controlled run twice; the trace digests
 * (every event, every field, in order) must be equal. Exit 0 when they are.
 */
async function checkDeterminism(plan: RunPlan): Promise<number> {
  const digests: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { report, digest } = await runChecked(structuredClone(plan), 'determinism check', { digest: true });
    digests.push(`${digest} (${report.traceEvents} events, ${report.schedule?.decisions ?? 0} decisions, verdict ${report.verdict})`);
  }
  const same = digests[0]?.split(' ')[0] === digests[1]?.split(' ')[0];
  console.log(`determinism check: ${plan.name}, ${plan.strategy}, seed ${plan.seed}, profile ${plan.profile}`);
  digests.forEach((d, i) => console.log(`  run ${i + 1}: ${d}`));
  console.log(`  ${same ? 'SAME' : 'DIFFERENT'} trace digests`);
  return same ? 0 : 1;
}

/** Long checked workload runs first measure the same workload unchecked, briefly. */
const CALIBRATE_FROM_MS = 10_000;

async function uncheckedOpsPerSec(plan: RunPlan): Promise<number | null> {
  const w = plan.workload;
  if (w === null || w.durationMs < CALIBRATE_FROM_MS) return null;
  const calibration = structuredClone(plan);
  (calibration.workload as NonNullable<RunPlan['workload']>).durationMs = Math.min(5000, Math.round(w.durationMs / 10));
  calibration.trace = false;
  const r = await runPlan(calibration);
  return r.opsPerSec;
}

export async function runCommand(cmd: RunCmd): Promise<number> {
  const overrides: { cpus?: number; seed?: number } = {};
  if (cmd.cpus !== undefined) overrides.cpus = cmd.cpus;
  if (cmd.seed !== undefined) overrides.seed = cmd.seed;
  const plan = await loadScenario(cmd.scenario, overrides);
  plan.trace = cmd.trace !== undefined;
  plan.profile = cmd.profile;
  plan.mode = cmd.mode;
  plan.strategy = cmd.strategy;
  plan.mutant = cmd.mutant;
  if (cmd.checkDeterminism) return checkDeterminism(plan);
  if (cmd.duration !== undefined && plan.workload) plan.workload.durationMs = cmd.duration;
  const unchecked = cmd.check ? await uncheckedOpsPerSec(plan) : null;
  const sink = cmd.trace !== undefined ? openTrace(cmd.trace, plan) : null;
  const { report, lastSeq } = await runChecked(plan, rerunCommand(cmd, plan), { check: cmd.check, sinks: sink ? [sink] : [] });
  if (unchecked !== null && report.opsPerSec > 0) {
    report.checkOverhead = { opsPerSecChecked: report.opsPerSec, opsPerSecUnchecked: unchecked, slowdown: unchecked / report.opsPerSec };
  }
  if (sink) closeTrace(sink, report, lastSeq);
  console.log(cmd.json ? JSON.stringify(report, null, 2) : formatSummary(report));
  return report.exitCode;
}

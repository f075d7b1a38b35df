/**
 * `epochlab run`: load and validate the scenario, run it on real threads,
 * write the trace (run_begin first, run_end last), print the summary.
 */
import { loadScenario } from './scenario.js';
import { formatSummary } from './summary.js';
import type { Command } from './args.js';
import { runPlan } from '../runtime/runner.js';
import { JsonlSink } from '../trace/jsonl.js';
import type { RunReport } from '../runtime/report.js';
import type { RunPlan } from '../runtime/plan.js';
import { BadInput } from './bad-input.js';
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

function closeTrace(sink: JsonlSink, report: RunReport, lastSeq: number): void {
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

export async function runCommand(cmd: RunCmd): Promise<number> {
  const overrides: { cpus?: number; seed?: number } = {};
  if (cmd.cpus !== undefined) overrides.cpus = cmd.cpus;
  if (cmd.seed !== undefined) overrides.seed = cmd.seed;
  const plan = await loadScenario(cmd.scenario, overrides);
  plan.trace = cmd.trace !== undefined;
  plan.profile = cmd.profile;
  if (cmd.duration !== undefined && plan.workload) plan.workload.durationMs = cmd.duration;
  const sink = cmd.trace !== undefined ? openTrace(cmd.trace, plan) : null;
  let lastSeq = 0;
  const report = await runPlan(plan, { sinks: sink ? [sink] : [], onLastSeq: (s) => { lastSeq = s; } });
  if (sink) closeTrace(sink, report, lastSeq);
  console.log(cmd.json ? JSON.stringify(report, null, 2) : formatSummary(report));
  return report.exitCode;
}

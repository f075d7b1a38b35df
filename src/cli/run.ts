/**
 * `epochlab run`: the run (src/api/run.ts), printed as the summary and its
 * violation reports, or as JSON; `--check-determinism` prints both digests.
 */
import type { Command } from './args.js';
import { formatSummary } from './summary.js';
import { checkDeterminism, run, type RunOptions, type RunProgressEvent } from '../api/run.js';
import { ProgressLine } from './progress.js';
import { fmt } from './format.js';
import { pageLines } from './view.js';

type RunCmd = Extract<Command, { kind: 'run' }>;

/** The API options of a parsed `run` command. */
export function runOptionsOf(cmd: RunCmd): RunOptions {
  return {
    profile: cmd.profile, mode: cmd.mode, strategy: cmd.strategy, mutant: cmd.mutant, check: cmd.check,
    pctDepth: cmd.pctDepth, pctSteps: cmd.pctSteps, switchEvery: cmd.switchEvery,
    ...(cmd.cpus !== undefined ? { cpus: cmd.cpus } : {}),
    ...(cmd.seed !== undefined ? { seed: cmd.seed } : {}),
    ...(cmd.duration !== undefined ? { duration: cmd.duration } : {}),
    ...(cmd.trace !== undefined ? { trace: cmd.trace } : {}),
    ...(cmd.perfetto !== undefined ? { perfetto: cmd.perfetto } : {}),
    ...(cmd.html !== undefined ? { html: cmd.html } : {}),
  };
}

const STAGES: Record<RunProgressEvent['stage'], string> = {
  calibration: ' (unchecked calibration)', run: '', 'first of two': ' (run 1 of 2)', 'second of two': ' (run 2 of 2)',
};

/** `run default: 1,234,567 ops, 617,283 ops/s, 2,345 events, 2.0 of 10 s`. */
export function runProgressText(scenario: string, p: RunProgressEvent): string {
  const s = p.elapsedMs / 1000;
  const parts = [`${fmt(p.ops)} ops`, `${fmt(Math.round(p.ops / Math.max(s, 1e-3)))} ops/s`, `${fmt(p.events)} events`];
  if (p.decisions > 0) parts.push(`${fmt(p.decisions)} decisions`);
  parts.push(`${s.toFixed(1)}${p.plannedMs !== null ? ` of ${fmt(p.plannedMs / 1000)}` : ''} s`);
  return `run ${scenario}${STAGES[p.stage]}: ${parts.join(', ')}`;
}

/** The API options with a live progress line on stderr (when it is a terminal). */
function withProgress(cmd: RunCmd, progress: ProgressLine): RunOptions {
  const options = runOptionsOf(cmd);
  if (progress.live) options.onProgress = (p) => progress.update(runProgressText(cmd.scenario, p));
  return options;
}

async function determinismCommand(cmd: RunCmd): Promise<number> {
  const progress = new ProgressLine();
  const d = await checkDeterminism(cmd.scenario, withProgress(cmd, progress));
  progress.done();
  if (cmd.json) {
    console.log(JSON.stringify(d, null, 2));
  } else {
    console.log(`determinism check: ${d.scenario}, ${d.strategy}, seed ${d.seed}, profile ${d.profile}`);
    d.runs.forEach((r, i) => console.log(`  run ${i + 1}: ${r.digest} (${r.events} events, ${r.decisions} decisions, verdict ${r.verdict})`));
    console.log(`  ${d.same ? 'SAME' : 'DIFFERENT'} trace digests`);
  }
  return d.same ? 0 : 1;
}

export async function runCommand(cmd: RunCmd): Promise<number> {
  if (cmd.checkDeterminism) return determinismCommand(cmd);
  const progress = new ProgressLine();
  const report = await run(cmd.scenario, withProgress(cmd, progress));
  progress.done();
  console.log(cmd.json ? JSON.stringify(report, null, 2) : [formatSummary(report), ...(report.page ? pageLines(report.page) : [])].join('\n'));
  return report.exitCode;
}

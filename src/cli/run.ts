/**
 * `epochlab run`: the run (src/api/run.ts), printed as the summary and its
 * violation reports, or as JSON; `--check-determinism` prints both digests.
 */
import type { Command } from './args.js';
import { formatSummary } from './summary.js';
import { checkDeterminism, run, type RunOptions } from '../api/run.js';

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
  };
}

async function determinismCommand(cmd: RunCmd): Promise<number> {
  const d = await checkDeterminism(cmd.scenario, runOptionsOf(cmd));
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
  const report = await run(cmd.scenario, runOptionsOf(cmd));
  console.log(cmd.json ? JSON.stringify(report, null, 2) : formatSummary(report));
  return report.exitCode;
}

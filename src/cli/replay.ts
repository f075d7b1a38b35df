/**
 * `epochlab replay FILE [--trace out.jsonl]`: re-runs a failure file's plan
 * with its recorded schedule forced, and says whether the violation came
 * back (same rules, same trace digest). Exit 1 when it reproduced (it is
 * still a failure), 0 when the run was clean, 2 for a bad file.
 */
import type { Command } from './args.js';
import { BadInput } from '../scenario/bad-input.js';
import { loadFailureFile } from '../hunt/failure-file.js';
import { ruleList } from './stress.js';
import { hasAnyViolation } from '../hunt/hunt.js';
import { runOnce } from '../hunt/hunt.js';
import { JsonlSink } from '../trace/jsonl.js';
import { formatViolationReport } from '../check/violation-report.js';

type ReplayCmd = Extract<Command, { kind: 'replay' }>;

const sameRules = (a: Record<string, number>, b: Record<string, number>): boolean => {
  const keys = (r: Record<string, number>) => Object.keys(r).filter((k) => (r[k] ?? 0) > 0).sort();
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

export async function replayCommand(cmd: ReplayCmd): Promise<number> {
  const { plan, file } = await loadFailureFile(cmd.file);
  let sink: JsonlSink | null = null;
  if (cmd.trace !== undefined) {
    try {
      sink = new JsonlSink(cmd.trace);
    } catch (err) {
      throw new BadInput('epochlab', '--trace', `cannot write ${cmd.trace}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let run;
  try {
    run = await runOnce(plan, `epochlab replay ${cmd.file}`, sink ? [sink] : []);
  } finally {
    sink?.close();
  }
  console.log(`replay ${cmd.file}: ${file.scenario.name}, seed ${plan.seed}, ${plan.mode} ${plan.strategy}`
    + `${plan.mutant ? `, mutant ${plan.mutant}` : ''}, schedule of ${file.schedule.length} decisions forced`);
  console.log(`rules:  ${ruleList(run.rules) || 'none'}   (file: ${ruleList(file.rules) || 'none'})`);
  console.log(`digest: ${run.digest}   (file: ${file.digest})`);
  if (sink) console.log(`trace:  ${cmd.trace}`);
  if (!hasAnyViolation(run.rules)) {
    console.log('did NOT reproduce: the run is clean');
    return 0;
  }
  if (run.first) console.log(formatViolationReport(run.first));
  const rules = sameRules(run.rules, file.rules);
  const digest = run.digest === file.digest;
  console.log(rules && digest ? 'reproduced: same rules, same trace digest'
    : `reproduced a violation: ${rules ? 'same' : 'DIFFERENT'} rules, ${digest ? 'same' : 'DIFFERENT'} trace digest`);
  return 1;
}

/**
 * What `epochlab stress` does with the first failing run: shrink it (in
 * controlled mode, unless --no-shrink: the scenario, then the schedule; see
 * src/hunt/shrink-failure.ts), write the failure file, and describe it
 * (text or the `violation` part of the JSON summary).
 */
import type { RunPlan } from '../runtime/plan.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import type { HuntRun } from '../hunt/hunt.js';
import { firstReportOf } from '../hunt/hunt.js';
import { shrinkFailure, type ShrunkFailure } from '../hunt/shrink-failure.js';
import { formatViolationReport } from '../check/violation-report.js';
import { failureRecord, writeFailureFile, type ScenarioRef } from '../hunt/failure-file.js';

export interface FailureOutcome {
  path: string;
  /** null when not shrunk (free mode, --no-shrink), or when no trial reproduced the rule. */
  shrunk: ShrunkFailure | null;
  /** What the failure file replays: rules and digest. */
  rules: Record<string, number>;
  digest: string;
  scheduleLength: number;
}

/** Shrinks (when asked) and writes the failure file for the failing run. */
export async function recordFailure(ref: ScenarioRef, plan: RunPlan, run: HuntRun, path: string,
  opts: { shrink: boolean; targets: string[] | null; threads: ThreadPool }): Promise<FailureOutcome> {
  let shrunk: ShrunkFailure | null = null;
  if (plan.mode === 'controlled' && opts.shrink) {
    shrunk = await shrinkFailure(ref.json, plan, run, {
      source: ref.source, dir: ref.dir, threads: opts.threads, rerun: `epochlab replay ${path}`, ...(opts.targets ? { targets: opts.targets } : {}),
    });
  }
  const sched = shrunk?.schedule.run ? shrunk.schedule : null;
  const base = shrunk ?? { json: ref.json, plan, run };
  const record = failureRecord({ ...ref, json: base.json }, base.plan, base.run,
    sched ? { rules: sched.run!.rules, digest: sched.run!.digest, schedule: sched.schedule } : undefined);
  writeFailureFile(path, record);
  return { path, shrunk, rules: record.rules, digest: record.digest, scheduleLength: record.schedule.length };
}

/** The `violation` object of the JSON summary. */
export function failureJson(plan: RunPlan, run: HuntRun, f: FailureOutcome): Record<string, unknown> {
  const s = f.shrunk;
  return {
    seed: plan.seed, rules: run.rules, digest: run.digest, scheduleLength: run.schedule.length,
    shrunk: s ? {
      rule: s.schedule.rule,
      scenario: { before: s.scenario.before, after: s.scenario.after, runs: s.scenario.runs },
      calmer: s.calmer,
      schedule: { before: s.schedule.before, after: s.schedule.after, runs: s.schedule.runs },
      digest: f.digest,
    } : false,
    failureFile: f.path, replay: `epochlab replay ${f.path}`,
  };
}

/** The text after the VIOLATION line: the report, the shrink, the failure file, the replay command. */
export function failureText(run: HuntRun, targets: string[] | null, f: FailureOutcome): string[] {
  const lines: string[] = [];
  const shown = firstReportOf(run, targets);
  if (shown) lines.push(formatViolationReport(shown));
  else for (const v of run.report.violations) lines.push(`VIOLATION ${v.rule}: ${v.message}`);
  const s = f.shrunk;
  if (s) {
    const a = s.scenario.before, b = s.scenario.after;
    const size = (z: { cpus: number; ops: number }): string => `${z.cpus} CPU${z.cpus === 1 ? '' : 's'}, ${z.ops} operations`;
    lines.push(`shrunk scenario: ${size(a)} -> ${size(b)} (${s.scenario.runs} runs)`);
    const k = s.calmer;
    if (k) lines.push(`found again under random --switch-every ${k.switchEvery}, seed ${k.seed}: ${k.preemptionsBefore} -> ${k.preemptionsAfter} preemptions`);
    const c = s.schedule.before, d = s.schedule.after;
    lines.push(`shrunk schedule: ${c.decisions} decisions, ${c.preemptions} preemptions -> ${d.decisions} decisions, ${d.preemptions} preemptions (${s.schedule.runs} runs)`);
  }
  const how = s?.schedule.run ? `shrunk schedule, strategy sequential, rule ${s.schedule.rule}` : s ? 'shrunk scenario, schedule not shrunk' : 'not shrunk';
  lines.push(`failure file: ${f.path} (${f.scheduleLength} decisions, ${how}; digest ${f.digest})`);
  lines.push(`replay: epochlab replay ${f.path}`);
  return lines;
}

/**
 * What stress does with the first failing run: shrink it (in controlled
 * mode, unless asked not to: the scenario, then the schedule; see
 * ./shrink-failure.ts) and write the failure file that `epochlab replay`
 * re-runs exactly.
 */
import type { RunPlan } from '../runtime/plan.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import type { HuntRun } from './hunt.js';
import type { SwarmConfig } from './swarm.js';
import { shrinkFailure, type ShrunkFailure } from './shrink-failure.js';
import { failureRecord, writeFailureFile, type ScenarioRef } from './failure-file.js';

export interface FailureOutcome {
  path: string;
  /** null when not shrunk (free mode, shrinking off). */
  shrunk: ShrunkFailure | null;
  /** What the failure file replays: rules and digest. */
  rules: Record<string, number>;
  digest: string;
  scheduleLength: number;
}

/** Shrinks (when asked) and writes the failure file for the failing run. */
export async function recordFailure(ref: ScenarioRef, plan: RunPlan, run: HuntRun, path: string,
  opts: { shrink: boolean; targets: string[] | null; threads: ThreadPool; swarm?: SwarmConfig | null }): Promise<FailureOutcome> {
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
  if (opts.swarm) record.swarm = opts.swarm;
  writeFailureFile(path, record);
  return { path, shrunk, rules: record.rules, digest: record.digest, scheduleLength: record.schedule.length };
}

/**
 * Schedule shrinking: from a failing controlled run, a smaller schedule that
 * still fails with the same rule. A trial forces a candidate prefix and lets
 * the 'sequential' strategy continue (it never preempts), so the forced
 * prefix is the whole story of the run's interleaving.
 *
 * (a) the shortest failing prefix, by binary search over its length (the
 *     property is not monotone: the best failing length found is kept);
 * (b) fewer preemptions, ddmin-style: chunks of context switches are
 *     removed (the lane before the switch keeps running through the
 *     switched-to segment), chunk sizes halving, while the run still fails.
 * Every trial is one runOnce; opts.maxRuns bounds them (default 200).
 */
import type { RunPlan } from '../runtime/plan.js';
import { runOnce, type HuntRun } from './hunt.js';
import type { ThreadPool } from '../runtime/thread-pool.js';

export interface ScheduleSize {
  decisions: number;
  preemptions: number;
}

export interface ShrinkResult {
  /** The smallest failing schedule found (a prefix to force with strategy 'sequential'). */
  schedule: number[];
  /** The target rule: the first rule of the failing run. */
  rule: string;
  before: ScheduleSize;
  after: ScheduleSize;
  /** Trials run. */
  runs: number;
  /** The run of the shrunk schedule (null if no trial reproduced the rule: schedule is then the original). */
  run: HuntRun | null;
}

export interface ShrinkOptions {
  maxRuns?: number;
  /** The rerun hint for violation reports of trial runs. */
  rerun?: string;
  /** Threads reused by every trial. */
  threads?: ThreadPool;
  /** The rules the shrunk run must still break (the first that fired is the target). */
  targets?: string[];
}

/** Context switches: the number of i with schedule[i] !== schedule[i - 1]. */
export function countPreemptions(schedule: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < schedule.length; i++) if (schedule[i] !== schedule[i - 1]) n++;
  return n;
}

function switchPoints(schedule: readonly number[]): number[] {
  const points: number[] = [];
  for (let i = 1; i < schedule.length; i++) if (schedule[i] !== schedule[i - 1]) points.push(i);
  return points;
}

/** The schedule with the switches at `points` removed: each switched-to segment runs the previous lane instead. */
function withoutSwitches(schedule: readonly number[], points: readonly number[]): number[] {
  const s = [...schedule];
  const remove = new Set(points);
  for (let i = 1; i < s.length; i++) {
    if (!remove.has(i)) continue;
    const from = schedule[i];
    for (let k = i; k < s.length && schedule[k] === from && (k === i || !remove.has(k)); k++) s[k] = s[i - 1] as number;
  }
  return s;
}

const size = (s: readonly number[]): ScheduleSize => ({ decisions: s.length, preemptions: countPreemptions(s) });

/** The rule a shrink keeps: the first of `targets` (default: every rule) that the failing run broke. */
export function targetRule(rules: Record<string, number>, targets?: readonly string[]): string {
  const keys = targets ?? Object.keys(rules);
  const rule = keys.find((k) => (rules[k] ?? 0) > 0) ?? keys[0];
  if (rule === undefined) throw new Error('shrink: the failing run has no violation');
  return rule;
}

export async function shrinkSchedule(plan: RunPlan, failing: { rules: Record<string, number>; schedule: number[] },
  opts: ShrinkOptions = {}): Promise<ShrinkResult> {
  const maxRuns = opts.maxRuns ?? 200;
  const rule = targetRule(failing.rules, opts.targets);
  const original = [...failing.schedule];
  let runs = 0;
  let best = original;
  let bestRun: HuntRun | null = null;

  const trial = async (candidate: number[]): Promise<HuntRun | null> => {
    runs++;
    const p = structuredClone(plan);
    p.mode = 'controlled';
    p.strategy = 'sequential';
    p.schedule = candidate;
    const run = await runOnce(p, opts.rerun ?? 'epochlab replay', [], opts.threads);
    return (run.rules[rule] ?? 0) > 0 ? run : null;
  };
  /** Tries a candidate; keeps it if it fails and is smaller than the best. */
  const accept = async (candidate: number[]): Promise<boolean> => {
    const run = await trial(candidate);
    if (!run) return false;
    const c = size(candidate), b = size(best);
    if (bestRun === null || c.decisions < b.decisions || (c.decisions === b.decisions && c.preemptions <= b.preemptions)) {
      best = candidate;
      bestRun = run;
    }
    return true;
  };

  /** Binary search for the shortest failing prefix of `from` (known to fail at full length). */
  const shortestPrefix = async (from: number[]): Promise<void> => {
    let lo = 0;
    let hi = from.length;
    while (lo < hi && runs < maxRuns) {
      const mid = Math.floor((lo + hi) / 2);
      if (await accept(from.slice(0, mid))) hi = mid;
      else lo = mid + 1;
    }
  };

  // (a) The shortest failing prefix. The full schedule first: it replays the failing run.
  if (runs < maxRuns && await accept(original)) {
    await shortestPrefix(original);

    // (b) Fewer preemptions: ddmin over the switch points, chunk sizes halving.
    let points = switchPoints(best);
    let chunk = points.length;
    while (chunk >= 1 && points.length > 0 && runs < maxRuns) {
      let start = 0;
      while (start < points.length && runs < maxRuns) {
        const removed = points.slice(start, start + chunk);
        const candidate = withoutSwitches(best, removed);
        if (countPreemptions(candidate) < countPreemptions(best) && await accept(candidate)) {
          points = switchPoints(best);
          // Same position: the points after the removed chunk moved down.
        } else {
          start += chunk;
        }
      }
      if (chunk === 1) break;
      chunk = Math.max(1, Math.floor(chunk / 2));
      chunk = Math.min(chunk, Math.max(1, points.length));
    }
    // (c) With fewer switches, a shorter prefix may do again.
    if (runs < maxRuns && best.length > 0) await shortestPrefix(best);
  }

  return { schedule: best, rule, before: size(original), after: size(best), runs, run: bestRun };
}

/**
 * Preemption-bounded exhaustive search (CHESS-style iterative context
 * bounding) over the schedules of a small scenario. Each run forces a prefix
 * of decisions and lets the rest run without preemption (the `sequential`
 * strategy); the log of the run gives, at every decision, the lanes that
 * could have run. The next prefix is the deepest untried alternative whose
 * preemptions stay within the bound. When none is left, the space is
 * exhausted: every schedule with at most `bound` preemptions was run.
 */
import type { RunPlan } from '../runtime/plan.js';
import { HuntRun, hasAnyViolation, runOnce } from './hunt.js';
import type { ThreadPool } from '../runtime/thread-pool.js';

export interface DfsOptions {
  /** Most preemptions (switches away from a lane that could go on) per schedule. */
  preemptionBound: number;
  maxRuns: number;
  onRun?: (run: HuntRun, explored: number) => void;
  /** Threads reused by every run. */
  threads?: ThreadPool;
}

export interface DfsResult {
  explored: number;
  exhausted: boolean;
  failing: { run: HuntRun; plan: RunPlan } | null;
}

const has = (mask: number, lane: number): boolean => lane >= 0 && ((mask >>> lane) & 1) === 1;

/** preemptions[i] = preemptions among decisions 0..i-1 of schedule `s`. */
function preemptionsBefore(s: readonly number[], c: readonly number[]): number[] {
  const out = [0];
  for (let i = 1; i < s.length; i++) {
    const preempted = s[i] !== s[i - 1] && has(c[i] as number, s[i - 1] as number);
    out.push((out[i - 1] as number) + (preempted ? 1 : 0));
  }
  return out;
}

/**
 * The next prefix to run after schedule `s` (candidates `c`), or null when
 * the bounded space is exhausted. `tried[i]` holds the choices already run at
 * depth i on the current path.
 */
export function nextPrefix(s: readonly number[], c: readonly number[], tried: Array<Set<number>>, bound: number): number[] | null {
  for (let j = tried.length; j < s.length; j++) tried.push(new Set([s[j] as number]));
  const pre = preemptionsBefore(s, c);
  for (let i = s.length - 1; i >= 0; i--) {
    const mask = c[i] as number;
    const prev = i > 0 ? s[i - 1] as number : -1;
    for (let lane = 0; lane < 24; lane++) {
      if (!has(mask, lane) || (tried[i] as Set<number>).has(lane)) continue;
      const extra = lane !== prev && has(mask, prev) ? 1 : 0;
      if ((pre[i] as number) + extra > bound) continue;
      (tried[i] as Set<number>).add(lane);
      tried.length = i + 1;
      return [...s.slice(0, i), lane];
    }
  }
  return null;
}

export async function exploreDfs(plan: RunPlan, opts: DfsOptions): Promise<DfsResult> {
  const tried: Array<Set<number>> = [];
  let prefix: number[] = [];
  for (let explored = 1; explored <= opts.maxRuns; explored++) {
    const p = structuredClone(plan);
    p.mode = 'controlled';
    p.strategy = 'sequential';
    p.schedule = prefix;
    const run = await runOnce(p, 'epochlab stress --strategy dfs', [], opts.threads);
    opts.onRun?.(run, explored);
    if (hasAnyViolation(run.rules)) return { explored, exhausted: false, failing: { run, plan: p } };
    const next = nextPrefix(run.schedule, run.candidates, tried, opts.preemptionBound);
    if (next === null) return { explored, exhausted: true, failing: null };
    prefix = next;
  }
  return { explored: opts.maxRuns, exhausted: false, failing: null };
}

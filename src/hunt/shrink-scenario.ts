/**
 * Scenario shrinking: from a failing controlled run, a smaller scenario
 * (fewer CPUs, fewer operations) whose run with the same seed and strategy
 * still breaks the same rule. Schedule shrinking (./shrink.ts) then works on
 * the smaller run.
 *
 * Why re-running the same seed works: a strategy's choices depend only on
 * the seed and on which lanes can run, and a CPU's operation stream only on
 * (seed, cpu). Cutting operations after the failing one leaves the run
 * identical up to the failure, so the smallest failing operation count is
 * found by binary search. Fewer CPUs change the whole run; they are tried
 * first, once per count.
 *
 * The candidates, in order, each kept when its run still fails:
 *   1. one CPU fewer (threads, stall and temporary-buffer faults of the removed CPU go too);
 *   2. workload.controlledOpsPerCpu, binary search;
 *   3. each thread's controlledRepeat, binary search;
 *   4. each thread's op list, ddmin (chunks removed, halving).
 * Every trial is one runOnce; maxRuns bounds them (default 40).
 */
import { applySettings, type RunPlan } from '../runtime/plan.js';
import type { ThreadPool } from '../runtime/thread-pool.js';
import { compileScenario } from '../scenario/scenario.js';
import { DEFAULT_CONTROLLED_OPS_PER_CPU } from '../scenario/schema.js';
import { BadInput } from '../contract/bad-input.js';
import { runOnce, type HuntRun } from './hunt.js';

export interface ScenarioSize {
  cpus: number;
  /** Operations the run executed. */
  ops: number;
}

export interface ScenarioShrinkResult {
  /** The smallest failing scenario found (the original if nothing smaller failed). */
  json: Record<string, unknown>;
  plan: RunPlan;
  /** Its failing run (same seed and strategy as the original). */
  run: HuntRun;
  before: ScenarioSize;
  after: ScenarioSize;
  runs: number;
}

export interface ScenarioShrinkOptions {
  rule: string;
  /** Where the scenario came from (for compiling: provider paths resolve against dir). */
  source: string;
  dir: string;
  maxRuns?: number;
  threads?: ThreadPool;
  rerun?: string;
}

type Json = Record<string, unknown>;

export const sizeOf = (plan: RunPlan, run: HuntRun): ScenarioSize => ({ cpus: plan.cpus, ops: run.report.ops });

export async function shrinkScenario(json: Json, plan: RunPlan, failing: HuntRun, opts: ScenarioShrinkOptions): Promise<ScenarioShrinkResult> {
  const maxRuns = opts.maxRuns ?? 40;
  let best = { json: structuredClone(json), plan, run: failing };
  let runs = 0;
  /** Runs a candidate scenario; keeps it when the rule still fires. */
  const accept = async (candidate: Json): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const p = await compileLike(candidate, plan, opts);
    if (p === null) return false;
    const run = await runOnce(p, opts.rerun ?? 'epochlab replay', [], opts.threads);
    if ((run.rules[opts.rule] ?? 0) === 0) return false;
    best = { json: candidate, plan: p, run };
    return true;
  };
  const edit = (change: (s: Json) => void): Json => {
    const s = structuredClone(best.json);
    change(s);
    return s;
  };

  while (cpusOf(best.json) > 1 && await accept(edit((s) => dropLastCpu(s)))) { /* one CPU fewer again */ }
  const w = best.json['workload'] as Json | undefined;
  if (w !== undefined) {
    const n = Math.min(w['opsPerCpu'] as number, (w['controlledOpsPerCpu'] as number | undefined) ?? DEFAULT_CONTROLLED_OPS_PER_CPU);
    await smallestFailing(n, (k) => accept(edit((s) => { (s['workload'] as Json)['controlledOpsPerCpu'] = k; })));
  }
  for (let t = 0; t < threadsOf(best.json).length; t++) {
    const thread = threadsOf(best.json)[t]!;
    const n = (thread['controlledRepeat'] as number | undefined) ?? (thread['repeat'] as number | undefined) ?? 1;
    await smallestFailing(n, (k) => accept(edit((s) => { threadsOf(s)[t]!['controlledRepeat'] = k; })));
    await ddminOps(() => threadsOf(best.json)[t]!['ops'] as unknown[],
      (ops) => accept(edit((s) => { threadsOf(s)[t]!['ops'] = ops; })), () => runs < maxRuns);
  }
  return { json: best.json, plan: best.plan, run: best.run, before: sizeOf(plan, failing), after: sizeOf(best.plan, best.run), runs };
}

/** Binary search for the smallest k in [1, n) for which tryK fails (n is known to fail). */
async function smallestFailing(n: number, tryK: (k: number) => Promise<boolean>): Promise<void> {
  let lo = 1;
  let hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await tryK(mid)) hi = mid;
    else lo = mid + 1;
  }
}

/** ddmin over a list: remove chunks (halving) while the rest still fails. */
async function ddminOps(current: () => unknown[], tryOps: (ops: unknown[]) => Promise<boolean>, more: () => boolean): Promise<void> {
  let chunk = Math.max(1, Math.floor(current().length / 2));
  while (more()) {
    let start = 0;
    while (start < current().length && more()) {
      const ops = current();
      const rest = [...ops.slice(0, start), ...ops.slice(start + chunk)];
      if (rest.length === 0 || !(await tryOps(rest))) start += chunk;
    }
    if (chunk === 1) return;
    chunk = Math.max(1, Math.floor(chunk / 2));
  }
}

/** Compiles a candidate with the original run's settings; null when it is not a valid scenario. */
export async function compileLike(candidate: Json, like: RunPlan, opts: { source: string; dir: string }): Promise<RunPlan | null> {
  let p: RunPlan;
  try {
    p = await compileScenario(candidate, opts.source, opts.dir, { seed: like.seed, cpus: cpusOf(candidate) });
  } catch (err) {
    if (err instanceof BadInput) return null; // e.g. an op list that no longer creates a map a later op needs
    throw err;
  }
  return applySettings(p, { ...like, mode: 'controlled' });
}

const cpusOf = (s: Json): number => (typeof s['cpus'] === 'number' ? s['cpus'] : 2);
const threadsOf = (s: Json): Json[] => (Array.isArray(s['threads']) ? s['threads'] as Json[] : []);

/** One CPU fewer: the last CPU's thread, stall faults and temporary-buffer faults go with it. */
function dropLastCpu(s: Json): void {
  const cpus = cpusOf(s) - 1;
  s['cpus'] = cpus;
  if (Array.isArray(s['threads'])) s['threads'] = threadsOf(s).filter((t) => (t['cpu'] as number) < cpus);
  const faults = s['faults'] as Json | undefined;
  if (faults && Array.isArray(faults['stall'])) faults['stall'] = (faults['stall'] as Json[]).filter((f) => (f['cpu'] as number) < cpus);
  if (faults && Array.isArray(faults['tempBufferFailAt'])) {
    faults['tempBufferFailAt'] = (faults['tempBufferFailAt'] as Json[]).filter((f) => (f['cpu'] as number) < cpus);
  }
}

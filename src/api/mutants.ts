/**
 * `mutants(options)`: plants each known bug (src/contract/mutants.ts) and
 * hunts it with its own plan (src/hunt/mutant-hunts.ts: a small two-CPU
 * scenario, a strategy, a seed budget), seeds 1..N, stopping at the first
 * seed that breaks one of the plan's rules; then shrinks that run (scenario,
 * then schedule) and reports the sizes. Returns what `epochlab mutants
 * --json` prints.
 */
import { withThreadPool, type ThreadPool } from '../runtime/thread-pool.js';
import type { RunPlan } from '../runtime/plan.js';
import type { HuntRun } from '../hunt/hunt.js';
import { MUTANT_HUNTS, type MutantHunt, huntPlan, huntScenario } from '../hunt/mutant-hunts.js';
import { shrinkFailure } from '../hunt/shrink-failure.js';
import { countPreemptions } from '../hunt/shrink.js';
import { stressLoop, type RunRecord, type StressTotals } from '../hunt/stress-loop.js';
import { mutantsOptionsSchema, parseOptions } from './options.js';
import type { MutantsOptionValues } from './option-types.js';

export type MutantsOptions = MutantsOptionValues & {
  /** Called as each mutant's hunt ends (progress display). */
  onMutant?: (result: MutantResult, index: number, total: number) => void;
  /** Called after every run of a hunt: which mutant (index of total), and the hunt's totals so far (progress display). */
  onRun?: (mutant: string, index: number, total: number, totals: StressTotals) => void;
};

type RunListener = (r: RunRecord, totals: StressTotals) => void;

export interface MutantResult {
  mutant: string;
  detected: boolean;
  /** How it was hunted: strategy and workload IRQL. */
  strategy: string;
  irql: 'PASSIVE' | 'mixed';
  rules: Record<string, number>;
  seed: number | null;
  runs: number;
  seconds: number;
  scheduleLength: number | null;
  /** After shrinking (scenario, then schedule): decisions and preemptions of the failing schedule, and operations run. */
  shrunk: { decisions: number; preemptions: number; ops: number; seconds: number } | null;
}

export interface MutantsReport {
  results: MutantResult[];
  medianSecondsToDetect: number | null;
}

/** Hunts one mutant with its plan, seeds 1..budget. */
async function huntOne(h: MutantHunt, budget: number, threads: ThreadPool, onRun?: RunListener): Promise<MutantResult> {
  const result = await stressLoop({ runs: budget, timeMs: null, seedStart: 1, shard: 1, shards: 1 },
    (seed) => huntPlan(h, seed), (plan) => `epochlab mutants (mutant ${h.mutant}, seed ${plan.seed})`, onRun, threads);
  const base = { mutant: h.mutant, strategy: h.strategy, irql: h.irql, runs: result.records.length, seconds: result.elapsedMs / 1000 };
  if (!result.failing) return { ...base, detected: false, rules: {}, seed: null, scheduleLength: null, shrunk: null };
  const { plan, run } = result.failing;
  return {
    ...base, detected: true, rules: run.rules, seed: plan.seed, scheduleLength: run.schedule.length,
    shrunk: await shrinkHunt(h, plan, run, threads),
  };
}

/** Shrinks a hunt's failing run (scenario, then schedule) to one of the hunt's rules. */
async function shrinkHunt(h: MutantHunt, plan: RunPlan, run: HuntRun, threads: ThreadPool): Promise<MutantResult['shrunk']> {
  const started = performance.now();
  const s = await shrinkFailure(huntScenario(h), plan, run, {
    source: 'builtin:mutant-hunt', dir: process.cwd(), targets: h.rules, threads, rerun: `epochlab mutants (mutant ${h.mutant})`,
  });
  const after = s.schedule.run ? s.schedule.after : { decisions: s.run.schedule.length, preemptions: countPreemptions(s.run.schedule) };
  return { ...after, ops: s.scenario.after.ops, seconds: (performance.now() - started) / 1000 };
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Every mutant, its own hunt; `runs` overrides each hunt's seed budget. */
export async function mutants(options: MutantsOptions = {}): Promise<MutantsReport> {
  const { onMutant, onRun, ...rest } = options;
  const s = parseOptions(mutantsOptionsSchema, rest, 'mutants options');
  const total = MUTANT_HUNTS.length;
  const results = await withThreadPool(async (threads) => {
    const out: MutantResult[] = [];
    for (const h of MUTANT_HUNTS) {
      const index = out.length;
      const r = await huntOne(h, s.runs ?? h.budget, threads, onRun && ((_, t) => onRun(h.mutant, index, total, t)));
      out.push(r);
      onMutant?.(r, index, total);
    }
    return out;
  });
  return { results, medianSecondsToDetect: median(results.filter((r) => r.detected).map((r) => r.seconds)) };
}

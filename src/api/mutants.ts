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
import { MUTANT_HUNTS, type MutantHunt, huntPlan, huntScenario, huntTargets } from '../hunt/mutant-hunts.js';
import { shrinkFailure } from '../hunt/shrink-failure.js';
import { countPreemptions } from '../hunt/shrink.js';
import { stressLoop, type RunRecord, type StressTotals } from '../hunt/stress-loop.js';
import { mutantsOptionsSchema, parseOptions } from './options.js';
import type { MutantsOptionValues } from './option-types.js';
import { huntUntuned, UNTUNED_RUNS, type UntunedResult } from './mutants-untuned.js';
import type { ScenarioInput } from './scenario-arg.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type MutantsOptions = MutantsOptionValues & {
  /** Also hunt every mutant on this scenario with plain stress settings (a built-in name, a .json path, or the object). */
  scenario?: ScenarioInput;
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
  /** With `scenario`: each mutant hunted on it by plain stress (no hunt plan); null otherwise. */
  untuned: UntunedReport | null;
  /** Each mutant hunted with its own plan (the tuned table). */
  results: MutantResult[];
  medianSecondsToDetect: number | null;
}

export interface UntunedReport {
  scenario: string;
  runsPerMutant: number;
  results: UntunedResult[];
  medianSecondsToDetect: number | null;
  maxSecondsToDetect: number | null;
}

/** Hunts one mutant with its plan, seeds 1..budget. */
async function huntOne(h: MutantHunt, budget: number, threads: ThreadPool, onRun?: RunListener): Promise<MutantResult> {
  const result = await stressLoop({ runs: budget, timeMs: null, seedStart: 1, shard: 1, shards: 1, rules: huntTargets(h) },
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
  const { onMutant, onRun, scenario, ...rest } = options;
  const s = parseOptions(mutantsOptionsSchema, rest, 'mutants options');
  const untuned = scenario === undefined ? null : await untunedReport(scenario, s.runs ?? UNTUNED_RUNS, options);
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
  return { untuned, results, medianSecondsToDetect: median(results.filter((r) => r.detected).map((r) => r.seconds)) };
}

/** The untuned section: stress per mutant on the user's scenario; its failure files go to a scratch folder, removed after. */
async function untunedReport(scenario: ScenarioInput, runs: number, o: MutantsOptions): Promise<UntunedReport> {
  const dir = mkdtempSync(join(tmpdir(), 'epochlab-mutants-'));
  try {
    const results = await huntUntuned(scenario, runs, join(dir, 'failure.json'), o.onRun,
      o.onMutant && ((r, i, n) => o.onMutant!({ ...r, strategy: 'swarm', irql: 'mixed', scheduleLength: null, shrunk: null }, i, n)));
    const found = results.filter((r) => r.detected).map((r) => r.seconds);
    return {
      scenario: typeof scenario === 'string' ? scenario : String(scenario['name'] ?? 'inline'), runsPerMutant: runs, results,
      medianSecondsToDetect: median(found), maxSecondsToDetect: found.length === 0 ? null : Math.max(...found),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

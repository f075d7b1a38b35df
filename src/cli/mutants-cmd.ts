/**
 * `epochlab mutants [--json] [--runs N]`: plants each known bug
 * (src/contract/mutants.ts) and hunts it with its own plan
 * (src/hunt/mutant-hunts.ts: a small two-CPU scenario, a strategy, a seed
 * budget), seeds 1..N, stopping at the first seed that breaks one of the
 * plan's rules; then shrinks that run (scenario, then schedule) and reports
 * the sizes. Exit 0 when every mutant was detected.
 */
import type { Command } from './args.js';
import { stressLoop, ruleList } from './stress.js';
import { MUTANT_HUNTS, MutantHunt, huntPlan, huntScenario } from '../hunt/mutant-hunts.js';
import { shrinkFailure } from '../hunt/shrink-failure.js';
import { countPreemptions } from '../hunt/shrink.js';
import type { HuntRun } from '../hunt/hunt.js';
import type { RunPlan } from '../runtime/plan.js';
import { ThreadPool, withThreadPool } from '../runtime/thread-pool.js';

type MutantsCmd = Extract<Command, { kind: 'mutants' }>;

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

/** Hunts one mutant with its plan (src/hunt/mutant-hunts.ts), seeds 1..budget. */
async function huntOne(h: MutantHunt, budget: number, threads: ThreadPool): Promise<MutantResult> {
  const result = await stressLoop({ runs: budget, timeMs: null, seedStart: 1, shard: 1, shards: 1 },
    (seed) => huntPlan(h, seed), (plan) => `epochlab mutants (mutant ${h.mutant}, seed ${plan.seed})`, undefined, threads);
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

export function formatMutantTable(results: MutantResult[]): string {
  const header = ['mutant', 'detected', 'strategy', 'irql', 'rule(s)', 'runs', 'seconds', 'schedule', 'shrunk to', 'ops'];
  const rows = results.map((r) => [
    r.mutant, r.detected ? 'yes' : 'no', r.strategy, r.irql,
    r.detected ? Object.keys(r.rules).filter((k) => (r.rules[k] ?? 0) > 0).join(', ') : '-',
    r.detected ? String(r.runs) : `>${r.runs}`, r.seconds.toFixed(1),
    r.scheduleLength === null ? '-' : String(r.scheduleLength),
    r.shrunk === null ? '-' : `${r.shrunk.decisions} (${r.shrunk.preemptions} preemptions)`, r.shrunk === null ? '-' : String(r.shrunk.ops),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const detected = results.filter((r) => r.detected);
  const med = median(detected.map((r) => r.seconds));
  return [
    'mutants: each hunted with its own plan (src/hunt/mutant-hunts.ts) in controlled mode, scenario builtin:mutant-hunt',
    line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line),
    `${detected.length}/${results.length} detected; median seconds to detect: ${med === null ? '-' : med.toFixed(2)}`,
  ].join('\n');
}

/** `epochlab mutants`: every mutant, its own hunt; --runs overrides each budget. */
export async function mutantsCommand(cmd: MutantsCmd): Promise<number> {
  const results = await withThreadPool(async (threads) => {
    const out: MutantResult[] = [];
    for (const h of MUTANT_HUNTS) {
      const r = await huntOne(h, cmd.runsGiven ? cmd.runs : h.budget, threads);
      out.push(r);
      if (!cmd.json) process.stderr.write(`  ${h.mutant}: ${r.detected ? `detected by seed ${r.seed} (${ruleList(r.rules)})` : `not detected in ${r.runs} runs`}\n`);
    }
    return out;
  });
  const detectedSecs = results.filter((r) => r.detected).map((r) => r.seconds);
  if (cmd.json) console.log(JSON.stringify({ results, medianSecondsToDetect: median(detectedSecs) }, null, 2));
  else console.log(formatMutantTable(results));
  return results.every((r) => r.detected) ? 0 : 1;
}

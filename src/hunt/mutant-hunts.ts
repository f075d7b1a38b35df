/**
 * How to hunt each mutant: the scenario knobs and the strategy that expose
 * it, and a seed budget. Used by `epochlab mutants` and by the mutant tests,
 * so the command a user runs is the one the tests check.
 *
 * Reclamation bugs need a reader paused between finding a value and reading
 * it while a writer replaces it (PCT's change points give exactly that);
 * issue 4920's lagging stamp needs the epoch manager to tick inside long
 * program batches (random scheduling does), and the per-CPU model's version
 * of it (percpu-local-stamp, profile ebpf-for-windows) needs CPUs to run
 * between two hops of one computation, PASSIVE user ops on one key under
 * random scheduling; failed updates need a full map
 * (a wider key range); helper and IRQL bugs need a DISPATCH CPU (mixed).
 */
import { compileScenario } from '../scenario/scenario.js';
import { applySettings, type RunPlan } from '../runtime/plan.js';
import type { ProfileName } from '../runtime/profile.js';

export interface MutantHunt {
  mutant: string;
  /** Rules any of which proves the bug was caught. */
  rules: string[];
  irql: 'PASSIVE' | 'mixed';
  keyRange: number;
  opsPerCpu: number;
  strategy: 'pct' | 'random';
  pctDepth: number;
  pctSteps: number;
  /** Seeds 1..budget are tried. */
  budget: number;
  /** The runtime profile the bug lives in (a mutant of the per-CPU epoch model needs ebpf-for-windows). */
  profile: ProfileName;
}

const hunt = (mutant: string, rules: string[], knobs: Partial<MutantHunt> = {}): MutantHunt => ({
  mutant, rules, irql: 'PASSIVE', keyRange: 2, opsPerCpu: 60, strategy: 'pct', pctDepth: 3, pctSteps: 1500, budget: 80, profile: 'documented', ...knobs,
});

export const MUTANT_HUNTS: readonly MutantHunt[] = [
  hunt('free-immediately', ['memory.use-after-free']),
  hunt('release-off-by-one', ['memory.use-after-free']),
  hunt('local-epoch-stamp', ['age.window', 'memory.use-after-free'],
    { irql: 'mixed', keyRange: 1, opsPerCpu: 200, strategy: 'random', budget: 40 }),
  hunt('skip-cpu', ['memory.use-after-free'], { irql: 'mixed', pctSteps: 3000, budget: 300 }),
  hunt('callback-under-lock', ['delete.post-after-unlock'], { budget: 10 }),
  hunt('missing-undo', ['update.undo-once', 'memory.leak'], { irql: 'mixed', keyRange: 10, strategy: 'random', budget: 40 }),
  hunt('double-delete-callback', ['update.replace-once', 'delete.exactly-once'], { budget: 10 }),
  hunt('unlocked-writer', ['memory.double-free', 'memory.leak', 'delete.exactly-once']),
  hunt('helper-not-blocked', ['blocking.helper-crud'], { irql: 'mixed', keyRange: 10, strategy: 'random', budget: 10 }),
  hunt('cleanup-flags', ['cleanup.flags'], { budget: 10 }),
  hunt('exit-other-irql', ['epoch.exit-irql'], { irql: 'mixed', keyRange: 10, strategy: 'random', budget: 10 }),
  hunt('percpu-local-stamp', ['age.window', 'memory.use-after-free'],
    { keyRange: 1, opsPerCpu: 200, strategy: 'random', budget: 40, profile: 'ebpf-for-windows' }),
];

/**
 * The rules a hunt's run must break to count as finding its bug: any rule
 * under documented (a clean runtime breaks none), the hunt's own rules under
 * ebpf-for-windows, where the as-built departures (contract-diff) fire anyway.
 */
export function huntTargets(h: MutantHunt): string[] | null {
  return h.profile === 'documented' ? null : h.rules;
}

/** The profile a mutant needs to have any effect (documented for all but the per-CPU epoch model's). */
export function mutantProfile(mutant: string): ProfileName {
  return MUTANT_HUNTS.find((h) => h.mutant === mutant)?.profile ?? 'documented';
}

/** The hunting scenario: two CPUs, an object map and a passthrough map, a few keys. */
export function huntScenario(h: MutantHunt): Record<string, unknown> {
  return {
    name: 'mutant-hunt', cpus: 2,
    maps: {
      objects: { provider: 'object', keySize: 4, valueSize: 4, maxEntries: 8 },
      values: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 8 },
    },
    workload: { findPct: 40, updatePct: 40, deletePct: 20, keyRange: h.keyRange, opsPerCpu: h.opsPerCpu, batchSize: 8, irql: h.irql },
  };
}

/** The controlled plan for one seed of a hunt (mutant: null for the correct runtime). */
export async function huntPlan(h: MutantHunt, seed: number, mutant: string | null = h.mutant): Promise<RunPlan> {
  const plan = await compileScenario(huntScenario(h), 'builtin:mutant-hunt', process.cwd(), { seed });
  return applySettings(plan, { ...plan, profile: h.profile, mode: 'controlled', strategy: h.strategy, pctDepth: h.pctDepth, pctSteps: h.pctSteps, mutant });
}

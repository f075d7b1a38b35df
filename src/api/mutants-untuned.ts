/**
 * `mutants({ scenario })`: every mutant hunted on the user's scenario with
 * plain `stress` settings (swarm and near-miss feedback, no hunt plan), one
 * stress per mutant, stopping at its first violation. What a user gets
 * from `epochlab stress SCENARIO --mutant M` with no other option.
 */
import { MUTANT_NAMES } from '../contract/mutants.js';
import { MUTANT_HUNTS, huntTargets } from '../hunt/mutant-hunts.js';
import type { StressTotals } from '../hunt/stress-loop.js';
import { stress } from './stress.js';
import type { ScenarioInput } from './scenario-arg.js';

/** Runs per mutant when not given. */
export const UNTUNED_RUNS = 3000;

export interface UntunedResult {
  mutant: string;
  detected: boolean;
  rules: Record<string, number>;
  seed: number | null;
  runs: number;
  seconds: number;
  /** The swarm configuration of the run that found it (null when not found, or without swarm). */
  config: string | null;
}

/** A mutant of the per-CPU epoch model runs under its profile, stopping only at its own rules (the as-built departures fire anyway). */
function untunedProfile(mutant: string): { profile?: 'ebpf-for-windows'; rules?: string[] } {
  const h = MUTANT_HUNTS.find((x) => x.mutant === mutant);
  const targets = h === undefined ? null : huntTargets(h);
  return h === undefined || targets === null ? {} : { profile: 'ebpf-for-windows', rules: targets };
}

/** Hunts each mutant with `stress(scenario, { mutant, runs })`, not shrinking the failure; no failure file is left behind. */
export async function huntUntuned(scenario: ScenarioInput, runs: number, out: string,
  onRun?: (mutant: string, index: number, total: number, totals: StressTotals) => void,
  onMutant?: (r: UntunedResult, index: number, total: number) => void): Promise<UntunedResult[]> {
  const results: UntunedResult[] = [];
  for (const [index, mutant] of MUTANT_NAMES.entries()) {
    const r = await stress(scenario, {
      mutant, runs, shrink: false, out, ...untunedProfile(mutant), ...(onRun ? { onRun: (_: unknown, t: StressTotals) => onRun(mutant, index, MUTANT_NAMES.length, t) } : {}),
    });
    const v = r.violation;
    const result: UntunedResult = {
      mutant, detected: v !== null, rules: v?.rules ?? {}, seed: v?.seed ?? null, runs: r.runs, seconds: r.seconds, config: v?.config ?? null,
    };
    results.push(result);
    onMutant?.(result, index, MUTANT_NAMES.length);
  }
  return results;
}

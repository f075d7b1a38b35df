/**
 * Scheduling strategies of controlled mode. A strategy picks the lane that
 * runs next among the runnable ones. Its only state lives in shared memory
 * (the Baton's PRNG word), so whichever lane holds the baton makes the same
 * decision the others would: the schedule depends only on the seed.
 */
import type { Baton } from '../shm/baton.js';

export const StrategyId = { Random: 0, RoundRobin: 1, Pct: 2, Sequential: 3 } as const;
export type StrategyName = 'random' | 'round-robin' | 'pct' | 'sequential';
export const STRATEGY_NAMES: readonly StrategyName[] = ['random', 'round-robin', 'pct', 'sequential'];

export function strategyId(name: StrategyName): number {
  switch (name) {
    case 'random': return StrategyId.Random;
    case 'round-robin': return StrategyId.RoundRobin;
    case 'pct': return StrategyId.Pct;
    case 'sequential': return StrategyId.Sequential;
  }
}

/**
 * Picks the next lane. `candidates` is sorted and non-empty; `current` is
 * the lane deciding (it may be among the candidates).
 */
export function pickNext(strategy: number, baton: Baton, current: number, candidates: readonly number[]): number {
  if (candidates.length === 1) return candidates[0] as number;
  // Sequential (continuation after a forced prefix, used by the shrinker):
  // keep the current lane while it can run, else the lowest candidate. No preemptions.
  if (strategy === StrategyId.Sequential) return candidates.includes(current) ? current : candidates[0] as number;
  if (strategy === StrategyId.Pct) return pickPct(baton, current, candidates);
  if (strategy === StrategyId.RoundRobin) {
    // Switch at every point: the first candidate after the current lane, wrapping around.
    for (const lane of candidates) if (lane > current) return lane;
    return candidates[0] as number;
  }
  return candidates[Math.floor((baton.nextRandom() / 4294967296) * candidates.length)] as number;
}

/**
 * PCT (probabilistic concurrency testing, Burckhardt et al., ASPLOS 2010):
 * lanes have distinct random priorities and the highest-priority runnable
 * lane runs; at each of d - 1 change points (decision indexes drawn from
 * [0, k)) the running lane drops below every other. A bug of depth d is
 * found in one run with probability at least 1 / (n * k^(d - 1)).
 */
function pickPct(baton: Baton, current: number, candidates: readonly number[]): number {
  const n = baton.decisions();
  if (current >= 0 && baton.isChangePoint(n)) baton.setPriority(current, -1 - n);
  let best = candidates[0] as number;
  for (const lane of candidates) if (baton.priority(lane) > baton.priority(best)) best = lane;
  return best;
}

/**
 * Scheduling strategies of controlled mode. A strategy picks the lane that
 * runs next among the runnable ones. Its only state lives in shared memory
 * (the Baton's PRNG word), so whichever lane holds the baton makes the same
 * decision the others would: the schedule depends only on the seed.
 */
import type { Baton } from '../shm/baton.js';

export const StrategyId = { Random: 0, RoundRobin: 1, Pct: 2, Sequential: 3 } as const;
export type StrategyName = 'random' | 'round-robin' | 'pct' | 'sequential';
export const STRATEGY_NAMES = ['random', 'round-robin', 'pct', 'sequential'] as const satisfies readonly StrategyName[];

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
export function pickNext(strategy: number, baton: Baton, current: number, candidates: readonly number[], switchEvery = 1): number {
  if (candidates.length === 1) return candidates[0] as number;
  // Sequential (continuation after a forced prefix, used by the shrinker):
  // keep the current lane while it can run, else the next lane after it.
  // No preemptions. "Next after", not "lowest": when two lanes spin on locks
  // that a third holds, always picking the lowest would never run the third.
  if (strategy === StrategyId.Sequential) return candidates.includes(current) ? current : nextAfter(current, candidates);
  if (strategy === StrategyId.Pct) return pickPct(baton, current, candidates);
  // Round-robin switches at every point.
  if (strategy === StrategyId.RoundRobin) return nextAfter(current, candidates);
  if (switchEvery > 1) return pickSticky(baton, current, candidates, switchEvery);
  return candidates[Math.floor((baton.nextRandom() / 4294967296) * candidates.length)] as number;
}

/** The first candidate after `current`, wrapping around. */
function nextAfter(current: number, candidates: readonly number[]): number {
  for (const lane of candidates) if (lane > current) return lane;
  return candidates[0] as number;
}

/**
 * Random with runs (`--switch-every N`, N > 1): the current lane keeps
 * running with probability 1 - 1/N, else a uniformly chosen other lane
 * takes over. Runs of about N steps model a thread that the OS leaves alone
 * for a while, then preempts at an arbitrary point and keeps off the CPU
 * for a few runs of the others: the shape of many use-after-free windows
 * (a reader between its lookup and its read), which switching at every
 * point almost never leaves open. Coyote's "probabilistic" strategy does
 * the same with a switch probability of 0.5^N (1/8 by default).
 */
function pickSticky(baton: Baton, current: number, candidates: readonly number[], switchEvery: number): number {
  const at = candidates.indexOf(current);
  if (at >= 0 && baton.nextRandom() % switchEvery !== 0) return current;
  if (at < 0) return candidates[baton.nextRandom() % candidates.length] as number;
  const k = baton.nextRandom() % (candidates.length - 1); // an independent draw: not the one that decided to switch
  return candidates[k >= at ? k + 1 : k] as number;
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

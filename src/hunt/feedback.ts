/**
 * Feedback from near misses: which swarm configuration the next run uses.
 *
 * A small bandit over a pool of configurations (arms). The pool always
 * holds the scenario as written (configuration 0, the first run), so a
 * scenario tuned by hand keeps its share of the runs. The next runs each
 * draw a fresh configuration; after that, one run in FRESH_EVERY draws a
 * fresh one into the pool (replacing the arm that has done worst, so the
 * pool keeps exploring), and the others take the arm with the best upper
 * confidence bound (UCB, with a small exploration weight) on its near-miss
 * reward. A run's reward is in [0, 1]. A read of a retired block weighs
 * most (WEIGHTS): it is the very window of the reclamation bugs, a reader
 * holding a block that the next tick may free, and it is rare. Each kind
 * saturates (SATURATE), so a configuration that comes close in several
 * ways beats one that comes close in one way many times.
 *
 * Everything is decided by the seeds and the runs' results, and controlled
 * runs are deterministic, so a stress from the same first seed makes the
 * same choices.
 */
import { NEAR_MISS_KINDS, WINDOW_KINDS, type NearMissKind, type NearMisses, type Windows } from '../check/near-miss.js';
import { AS_WRITTEN, type SwarmConfig } from './swarm.js';

export interface Arm {
  config: SwarmConfig;
  runs: number;
  reward: number;
  /** Near misses summed over the arm's runs. */
  nearMisses: NearMisses;
}

const POOL = 8;
const FRESH_EVERY = 3;
const SATURATE: Readonly<Record<NearMissKind, number>> = { retiredRead: 2, freeAfterRead: 4, lockHandoff: 4, keyOverlap: 4 };
const WEIGHTS: Readonly<Record<NearMissKind, number>> = { retiredRead: 0.55, freeAfterRead: 0.15, lockHandoff: 0.15, keyOverlap: 0.15 };
/** UCB's exploration weight: below UCB1's sqrt(2), because fresh draws already explore. */
const EXPLORE = 0.5;

export const emptyNearMisses = (): NearMisses => ({ retiredRead: 0, freeAfterRead: 0, lockHandoff: 0, keyOverlap: 0 });

export const emptyWindows = (): Windows => Object.fromEntries(WINDOW_KINDS.map((k) => [k, 0])) as Windows;

/** Adds `b` into `a`, kind by kind. */
export function addCounts<T extends Record<string, number>>(a: T, b: T): void {
  for (const k of Object.keys(b) as Array<keyof T>) (a[k] as number) += b[k] as number;
}

/** A run's reward from its near misses, in [0, 1]. */
export function rewardOf(n: NearMisses): number {
  let r = 0;
  for (const k of NEAR_MISS_KINDS) r += (WEIGHTS[k] * Math.min(n[k], SATURATE[k])) / SATURATE[k];
  return r;
}

export class SwarmBandit {
  private readonly pool: Arm[] = [];
  private runs = 0;
  /** Every configuration a run used, by id. */
  readonly used = new Set<number>();

  /** `draw(seed)` makes the fresh configuration of a seed. */
  constructor(private readonly draw: (seed: number) => SwarmConfig) {
    this.pool.push({ config: AS_WRITTEN, runs: 0, reward: 0, nearMisses: emptyNearMisses() });
  }

  /** The arm for the run of `seed`. */
  next(seed: number): Arm {
    this.runs++;
    const fresh = this.runs > 1 && (this.pool.length < POOL || this.runs % FRESH_EVERY === 0);
    const arm = this.runs === 1 ? this.pool[0] as Arm : fresh ? this.admit(this.draw(seed)) : this.best();
    this.used.add(arm.config.id);
    return arm;
  }

  /** Credits a finished run to its arm. */
  record(arm: Arm, near: NearMisses): void {
    arm.runs++;
    arm.reward += rewardOf(near);
    for (const k of NEAR_MISS_KINDS) arm.nearMisses[k] += near[k];
  }

  /** The pool, best mean reward first (for reports). */
  arms(): Arm[] {
    return [...this.pool].sort((a, b) => mean(b) - mean(a));
  }

  private admit(config: SwarmConfig): Arm {
    const arm: Arm = { config, runs: 0, reward: 0, nearMisses: emptyNearMisses() };
    if (this.pool.length < POOL) {
      this.pool.push(arm);
      return arm;
    }
    // The scenario as written (index 0) stays.
    let worst = 1;
    for (let i = 2; i < this.pool.length; i++) if (mean(this.pool[i] as Arm) < mean(this.pool[worst] as Arm)) worst = i;
    this.pool[worst] = arm;
    return arm;
  }

  private best(): Arm {
    const total = Math.max(1, this.pool.reduce((n, a) => n + a.runs, 0));
    let best = this.pool[0] as Arm;
    let bestScore = -Infinity;
    for (const arm of this.pool) {
      const score = arm.runs === 0 ? Infinity : mean(arm) + EXPLORE * Math.sqrt(Math.log(total) / arm.runs);
      if (score > bestScore) { best = arm; bestScore = score; }
    }
    return best;
  }
}

const mean = (a: Arm): number => (a.runs === 0 ? 0 : a.reward / a.runs);

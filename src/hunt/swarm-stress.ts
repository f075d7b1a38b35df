/**
 * Stress with swarm configurations and near-miss feedback: for each seed,
 * the bandit (./feedback.ts) picks a configuration (./swarm.ts), the
 * scenario object is swarmed and compiled, and the run's near misses are
 * credited back. It also sums what a clean stress reports: distinct
 * configurations and runs, near misses, and the windows of each bug class
 * (./confidence.ts).
 */
import type { RunPlan, RunSettings } from '../runtime/plan.js';
import { applySettings } from '../runtime/plan.js';
import { compileScenario } from '../scenario/scenario.js';
import type { NearMisses, Windows } from '../check/near-miss.js';
import type { ScenarioRef } from './failure-file.js';
import type { RunRecord } from './stress-loop.js';
import { applySwarm, describeSwarm, drawSwarm, type SwarmConfig } from './swarm.js';
import { SwarmBandit, addCounts, emptyNearMisses, emptyWindows, type Arm } from './feedback.js';
import { reachOf, type ClassReach } from './confidence.js';

type Json = Record<string, unknown>;

export interface SwarmSummary {
  /** Whether the strategy was the user's (else each configuration drew its own). */
  pinned: boolean;
  /** Distinct configurations the runs used. */
  configs: number;
  /** Distinct runs (distinct trace digests). */
  schedules: number;
  nearMisses: NearMisses;
  windows: Windows;
  reach: ClassReach[];
  /** The configurations with the most near misses per run, best first (at most 3). */
  best: Array<{ config: string; runs: number; nearMissesPerRun: number }>;
}

export class SwarmStress {
  private readonly bandit: SwarmBandit;
  /** The run in progress (runs go one at a time, and a stress ends at its failing run). */
  private current: { seed: number; arm: Arm; json: Json } | null = null;
  private readonly nearMisses = emptyNearMisses();
  private readonly windows = emptyWindows();
  private readonly digests = new Set<string>();

  /** `cpus` resolves the all-cores sentinel and overrides the scenario's count when given. */
  constructor(private readonly ref: ScenarioRef, private readonly settings: RunSettings, private readonly cpus: { cpus?: number },
    resolvedCpus: number, private readonly pinned: boolean) {
    this.bandit = new SwarmBandit((seed) => drawSwarm(ref.json, seed, resolvedCpus, pinned));
  }

  /** The plan of seed `seed`: its arm's configuration applied to the scenario. */
  async plan(seed: number): Promise<RunPlan> {
    const arm = this.bandit.next(seed);
    const json = applySwarm(this.ref.json, arm.config);
    const plan = await compileScenario(json, this.ref.source, this.ref.dir, { seed, ...this.cpus });
    this.current = { seed, arm, json };
    return applySettings(plan, { ...this.settings, ...(arm.config.strategy ?? {}) });
  }

  /** Credits a finished run to its configuration. */
  record(r: RunRecord): void {
    const p = this.current;
    if (p === null || p.seed !== r.seed) return;
    this.bandit.record(p.arm, r.nearMisses);
    addCounts(this.nearMisses, r.nearMisses);
    addCounts(this.windows, r.windows);
    this.digests.add(r.digest);
  }

  /** The swarmed scenario of a seed's run, as its failure file records it. */
  refOf(seed: number): ScenarioRef {
    const p = this.current;
    return p === null || p.seed !== seed ? this.ref : { ...this.ref, json: p.json };
  }

  configOf(seed: number): SwarmConfig | null {
    return this.current !== null && this.current.seed === seed ? this.current.arm.config : null;
  }

  summary(): SwarmSummary {
    const best = this.bandit.arms().filter((a) => a.runs > 0).slice(0, 3).map((a) => ({
      config: describeSwarm(a.config), runs: a.runs,
      nearMissesPerRun: Object.values(a.nearMisses).reduce((x, y) => x + y, 0) / a.runs,
    }));
    return {
      pinned: this.pinned, configs: this.bandit.used.size, schedules: this.digests.size, nearMisses: { ...this.nearMisses }, windows: { ...this.windows },
      reach: reachOf(this.windows), best,
    };
  }
}

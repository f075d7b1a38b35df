/**
 * The main thread's part in controlled mode: it seeds the strategy, forces a
 * replayed prefix, and opens each phase of the run (setup, CPUs, teardown,
 * final drain) only when no lane runs, so which lanes take part in a phase,
 * and so every decision, depends on the seed alone.
 */
import { Shm } from '../shm/shm.js';
import { Baton } from '../shm/baton.js';
import { Ctl, MAX_PCT_DEPTH, SchedState } from '../shm/layout.js';
import { Prng } from '../sched/prng.js';
import { strategyId } from '../sched/strategy.js';
import type { RunPlan } from './plan.js';

/** Room for this many decisions in the schedule log (16 MiB of the buffer, touched only as used). */
export const SCHEDULE_WORDS = 1 << 22;
const JOIN_TIMEOUT_MS = 10_000;

export interface ScheduleSummary {
  strategy: string;
  /** PCT only: the depth d and the step count k assumed. */
  pctDepth?: number;
  pctSteps?: number;
  /** Random with runs only: the mean run length. */
  switchEvery?: number;
  decisions: number;
  preemptions: number;
  /** True when the whole schedule fit in the log (a replayable run). */
  complete: boolean;
}

export class ControlledPhases {
  readonly baton: Baton;
  private readonly managerLane: number;

  constructor(private readonly shm: Shm, private readonly plan: RunPlan) {
    this.baton = new Baton(shm);
    this.managerLane = plan.cpus;
    const i32 = shm.i32;
    i32[Ctl.SchedMode] = 1;
    i32[Ctl.SchedBaton] = -1;
    i32[Ctl.SchedStrategy] = strategyId(plan.strategy);
    i32[Ctl.SchedRng] = new Prng(plan.seed, 0x5c4ed).nextU32() | 0;
    if (plan.strategy === 'pct') this.seedPct();
    this.baton.force(plan.schedule);
  }

  /** PCT: distinct random priorities for every lane, and d - 1 change points in [0, k). */
  private seedPct(): void {
    const rng = new Prng(this.plan.seed, 0x9c7);
    const lanes = Array.from({ length: this.managerLane + 1 }, (_, i) => i);
    for (let i = lanes.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [lanes[i], lanes[j]] = [lanes[j] as number, lanes[i] as number];
    }
    lanes.forEach((lane, rank) => this.baton.setPriority(lane, rank + 1));
    const depth = Math.max(1, Math.min(MAX_PCT_DEPTH, this.plan.pctDepth));
    const points = Array.from({ length: depth - 1 }, () => rng.below(this.plan.pctSteps));
    this.baton.setPct(depth, this.plan.pctSteps, points);
  }

  /** Resolves once the epoch manager has joined the schedule (it joins first, every time). */
  async managerJoined(): Promise<void> {
    const until = performance.now() + JOIN_TIMEOUT_MS;
    while (this.baton.state(this.managerLane) !== SchedState.Runnable) {
      if (performance.now() > until) throw new Error('controlled mode: the epoch manager did not join the schedule');
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Opens a phase that starts when `lanes` CPU lanes have joined. */
  start(lanes: number): void {
    this.baton.startPhase(lanes);
  }

  /** The final drain: the manager runs alone. */
  handToManager(): void {
    this.baton.hand(this.managerLane);
  }

  summary(): ScheduleSummary {
    const decisions = this.baton.decisions();
    return {
      strategy: this.plan.strategy,
      ...(this.plan.strategy === 'pct' ? { pctDepth: this.plan.pctDepth, pctSteps: this.plan.pctSteps } : {}),
      ...(this.plan.strategy === 'random' && this.plan.switchEvery > 1 ? { switchEvery: this.plan.switchEvery } : {}),
      decisions,
      preemptions: this.shm.load(Ctl.SchedPreemptions),
      complete: decisions <= SCHEDULE_WORDS,
    };
  }
}

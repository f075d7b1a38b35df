/**
 * The main thread's part in controlled mode: it forces a replayed prefix,
 * and opens each phase of the run (setup, CPUs, teardown, final drain) only
 * when no lane runs, so which lanes take part in a phase, and so every
 * decision, depends on the seed alone. The strategy itself is the
 * scheduler's (src/runtime/scheduler.ts): the epoch manager's task seeds it
 * before it joins.
 */
import { Shm } from '../shm/shm.js';
import { Baton } from '../shm/baton.js';
import { Ctl, SchedState } from '../shm/layout.js';
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
    this.baton.force(plan.schedule);
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

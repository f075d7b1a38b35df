/**
 * Progress of a run while it goes, for a live display: a main-thread timer
 * that every few hundred milliseconds reads the lanes' operation counters
 * from shared memory (the words report.ts sums at the end), the monitor's
 * event count and, in controlled mode, the decision count. The lanes do
 * nothing for it: no cost per operation.
 */
import type { Shm } from '../shm/shm.js';
import { Counter, Ctl, counterWord } from '../shm/layout.js';
import type { Monitor } from '../trace/monitor.js';
import type { RunPlan } from './plan.js';

export interface RunProgress {
  /** Map operations completed so far, all CPUs. */
  ops: number;
  /** Trace events merged so far (0 when nothing is recorded). */
  events: number;
  /** Controlled mode: scheduling decisions so far (0 free-running). */
  decisions: number;
  /** Since the run began (setup included). */
  elapsedMs: number;
  /** A generated free-running workload's planned length; null otherwise. */
  plannedMs: number | null;
}

export type ProgressListener = (p: RunProgress) => void;

export const PROGRESS_EVERY_MS = 200;

/** Operations completed so far: the Ops counter of every lane. */
export function opsSoFar(shm: Shm): number {
  let ops = 0;
  for (let lane = 0; lane < shm.layout.lanes; lane++) ops += shm.load(counterWord(shm.layout, lane, Counter.Ops));
  return ops;
}

/** Starts the timer (none without a listener); the returned function stops it. */
export function startProgress(shm: Shm, monitor: Monitor, plan: RunPlan, listener: ProgressListener | undefined,
  everyMs = PROGRESS_EVERY_MS): () => void {
  if (!listener) return () => {};
  const plannedMs = plan.mode === 'free' && plan.workload ? plan.workload.durationMs : null;
  const started = performance.now();
  const timer = setInterval(() => {
    const decisions = shm.load(Ctl.SchedDecisions);
    listener({ ops: opsSoFar(shm), events: monitor.eventCount, decisions, elapsedMs: performance.now() - started, plannedMs });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

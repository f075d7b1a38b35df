/**
 * The scheduling seam. Every step that touches shared state calls
 * `gate.point(step)` first, from the shared-memory gateway (src/shm/). In
 * free-running mode the gate does nothing and threads race for real; a
 * controlled scheduler (later) installs a gate that blocks here until the
 * scheduler hands this lane the baton, so that exactly one lane runs between
 * two points.
 */

/** What kind of shared-state step a lane is about to take. */
export const Step = {
  EpochRead: 0, ///< load of the published epoch (enter, retire)
  EpochAnnounce: 1, ///< store of the lane's oldest active epoch
  EpochAdvance: 2, ///< the manager advances the published epoch
  EpochScan: 3, ///< the manager reads a lane's announcement
  LockTry: 4, ///< compare-exchange on a spinlock word
  LockRelease: 5,
  BucketRead: 6, ///< load of a bucket pointer
  BucketPublish: 7, ///< store of a new bucket pointer
  BlockRead: 8, ///< read of a block's bytes (value, bucket entries, object)
  BlockWrite: 9,
  BlockState: 10, ///< allocate / retire / free transition of a block
  Counter: 11, ///< atomic counter update (entry count, ref counts)
  TraceAppend: 12,
  Wait: 13, ///< a bounded wait, a sleep, the manager between ticks: a yield
  LockSpin: 14, ///< another try at a spinlock that was held: a yield
  Stall: 15, ///< one microsecond of a busy wait (KeStallExecutionProcessor): a point, not a yield
} as const;

/** Steps at which the lane gives way: the scheduler picks another runnable lane if there is one. */
export const isYield = (step: StepKind): boolean => step === Step.Wait || step === Step.LockSpin;
export type StepKind = (typeof Step)[keyof typeof Step];

export interface StepGate {
  /** Called before the step is taken. May block (controlled mode). */
  point(step: StepKind): void;
}

/** Free-running mode: no control, no cost beyond the call. */
export class FreeGate implements StepGate {
  point(_step: StepKind): void {
    // Free-running: the OS scheduler decides.
  }
}

export const freeGate: StepGate = new FreeGate();

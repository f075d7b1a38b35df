/**
 * Controlled mode's gate: exactly one lane runs between two scheduling
 * points. At every point the running lane asks the strategy who runs next,
 * records the decision, and if it is another lane hands it the baton and
 * waits for its own turn. The epoch manager's lane is scheduled like a CPU,
 * so its ticks are decisions too; it is a candidate only while some CPU lane
 * is runnable (between phases nothing runs, so nothing depends on the clock).
 */
import { Step, isYield, type StepKind } from '../shm/gate.js';
import type { LaneGate } from '../runtime/scheduler.js';
import { Baton } from '../shm/baton.js';
import { SchedState } from '../shm/layout.js';
import { StrategyId, pickNext } from './strategy.js';

export class ControlledGate implements LaneGate {
  private readonly candidates: number[] = [];

  constructor(
    private readonly baton: Baton,
    private readonly lane: number,
    private readonly managerLane: number,
    private readonly strategy: number,
    /** Random strategy: mean run length between switches (1: decide afresh at every point). */
    private readonly switchEvery = 1,
  ) {}

  /** A CPU lane's task begins: join the phase; the last lane to join makes the first decision. */
  joinPhase(): void {
    const joined = this.baton.joinPhase(this.lane);
    // Which lane joins last is up to the OS; the first decision must not depend on it.
    if (joined === this.baton.expected()) this.baton.hand(this.decide(-1));
    this.baton.awaitTurn(this.lane);
  }

  /** The epoch manager's task begins: runnable from now on, waits to be scheduled. */
  joinAsManager(): void {
    this.baton.setState(this.lane, SchedState.Runnable);
    this.baton.awaitTurn(this.lane);
  }

  point(step: StepKind): void {
    // PCT: a lane spinning on a held lock drops below every other lane (as a
    // blocked thread would), or it and a busy lane could starve the holder.
    if (step === Step.LockSpin && this.strategy === StrategyId.Pct) this.baton.setPriority(this.lane, -1 - this.baton.decisions());
    const next = this.decide(this.lane, isYield(step));
    if (next === this.lane) return;
    this.baton.hand(next);
    this.baton.awaitTurn(this.lane);
  }

  /** The lane's task ends: it leaves the schedule and hands the baton on (or to nobody). */
  leave(): void {
    if (this.baton.holder() !== this.lane) return; // aborted, or never scheduled
    this.baton.setState(this.lane, SchedState.Done);
    this.baton.hand(this.decide(this.lane));
  }

  /**
   * Who runs next after `current` (-1 at the start of a phase): a strategy
   * choice among runnable lanes, or a forced choice when replaying.
   */
  private decide(current: number, yielding = false): number {
    const c = this.runnable();
    if (c.length === 0) return -1;
    // A yielding lane (spinning on a held lock, sleeping, the manager between
    // ticks) gives way when anyone else can run: no strategy can livelock on it.
    const at = c.indexOf(current);
    if (yielding && c.length > 1 && at >= 0) c.splice(at, 1);
    const forced = this.baton.forced(this.baton.decisions());
    const next = forced >= 0 && c.includes(forced) ? forced : pickNext(this.strategy, this.baton, current, c, this.switchEvery);
    let mask = 0;
    for (const lane of c) mask |= 1 << lane;
    this.baton.record(next, current >= 0 && next !== current && c.includes(current), mask);
    return next;
  }

  /** Runnable CPU lanes, plus the manager while any CPU lane is runnable (or while it runs alone). */
  private runnable(): number[] {
    const c = this.candidates;
    c.length = 0;
    for (let lane = 0; lane < this.managerLane; lane++) if (this.baton.state(lane) === SchedState.Runnable) c.push(lane);
    const managerRuns = this.baton.state(this.managerLane) === SchedState.Runnable;
    if (managerRuns && (c.length > 0 || this.lane === this.managerLane)) c.push(this.managerLane);
    return c;
  }
}

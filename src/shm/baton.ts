/**
 * The baton of controlled mode, in shared memory: which lane may run
 * (Ctl.SchedBaton), each lane's part (Lane.SchedState), the strategy's PRNG
 * state and the schedule log. Only the lane holding the baton writes any of
 * it (the main thread writes it between phases, when no lane runs).
 *
 * SYNC: handing the baton is an Atomics.store followed by Atomics.notify;
 * taking it is an Atomics.load that sees it. Everything the previous holder
 * wrote, plain or atomic, happens before the next holder's first step.
 */
import { Ctl, Lane, SCHED_CHANGE_BASE, SchedState, laneWord } from './layout.js';
import { Shm } from './shm.js';

/** Every wait for the baton is bounded; the loop re-checks the run state. */
const BATON_WAIT_SLICE_MS = 50;

export class Baton {
  private readonly i32: Int32Array;

  constructor(private readonly shm: Shm) {
    this.i32 = shm.i32;
  }

  holder(): number {
    return Atomics.load(this.i32, Ctl.SchedBaton);
  }

  /** Hands the baton to `lane` (-1: nobody runs until the next phase). */
  hand(lane: number): void {
    Atomics.store(this.i32, Ctl.SchedBaton, lane);
    Atomics.notify(this.i32, Ctl.SchedBaton);
  }

  /** Blocks until `lane` holds the baton (bounded slices; throws RunAborted on abort). */
  awaitTurn(lane: number): void {
    for (;;) {
      const holder = Atomics.load(this.i32, Ctl.SchedBaton);
      if (holder === lane) return;
      this.shm.throwIfAborted();
      Atomics.wait(this.i32, Ctl.SchedBaton, holder, BATON_WAIT_SLICE_MS);
    }
  }

  state(lane: number): number {
    return Atomics.load(this.i32, laneWord(this.shm.layout, lane, Lane.SchedState));
  }

  setState(lane: number, state: number): void {
    Atomics.store(this.i32, laneWord(this.shm.layout, lane, Lane.SchedState), state);
  }

  /** Marks `lane` runnable in the current phase; returns how many lanes have joined it. */
  joinPhase(lane: number): number {
    this.setState(lane, SchedState.Runnable);
    return Atomics.add(this.i32, Ctl.SchedJoined, 1) + 1;
  }

  expected(): number {
    return Atomics.load(this.i32, Ctl.SchedExpected);
  }

  /** Main thread, between phases: the next phase starts once `lanes` lanes joined. */
  startPhase(lanes: number): void {
    Atomics.store(this.i32, Ctl.SchedJoined, 0);
    Atomics.store(this.i32, Ctl.SchedExpected, lanes);
  }

  /** Seeds the strategy: its id (for readers of the buffer) and the PRNG state. Before any lane joins. */
  seedStrategy(strategy: number, randomState: number): void {
    Atomics.store(this.i32, Ctl.SchedStrategy, strategy);
    Atomics.store(this.i32, Ctl.SchedRng, randomState);
  }

  /** The shared strategy PRNG (Mulberry32 over one word), advanced by the baton holder. */
  nextRandom(): number {
    let t = (Atomics.load(this.i32, Ctl.SchedRng) + 0x6d2b79f5) | 0;
    Atomics.store(this.i32, Ctl.SchedRng, t);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  priority(lane: number): number {
    return Atomics.load(this.i32, laneWord(this.shm.layout, lane, Lane.SchedPriority));
  }

  setPriority(lane: number, priority: number): void {
    Atomics.store(this.i32, laneWord(this.shm.layout, lane, Lane.SchedPriority), priority);
  }

  /** PCT: true when decision `n` is one of the d - 1 priority change points. */
  isChangePoint(n: number): boolean {
    const d = Atomics.load(this.i32, Ctl.SchedPctDepth);
    for (let i = 0; i < d - 1; i++) if (Atomics.load(this.i32, SCHED_CHANGE_BASE + i) === n) return true;
    return false;
  }

  /** Main thread, before a PCT run: d - 1 change points drawn from [0, k). */
  setPct(depth: number, steps: number, changePoints: readonly number[]): void {
    Atomics.store(this.i32, Ctl.SchedPctDepth, depth);
    Atomics.store(this.i32, Ctl.SchedPctSteps, steps);
    changePoints.forEach((p, i) => Atomics.store(this.i32, SCHED_CHANGE_BASE + i, p));
  }

  /** Decisions recorded so far. */
  decisions(): number {
    return Atomics.load(this.i32, Ctl.SchedDecisions);
  }

  /** Appends a decision to the schedule log; returns its index. */
  /**
   * Appends a decision to the schedule log; returns its index. A log word
   * holds the choice (low 8 bits) and the bitmask of the lanes that could
   * have been chosen (the rest; kept for up to 23 lanes, 0 beyond), which a
   * systematic search needs to know its alternatives.
   */
  record(choice: number, preempted: boolean, candidates = 0): number {
    const n = Atomics.add(this.i32, Ctl.SchedDecisions, 1);
    Atomics.add(this.i32, Ctl.SchedSteps, 1);
    if (preempted) Atomics.add(this.i32, Ctl.SchedPreemptions, 1);
    const cap = this.shm.layout.config.scheduleWords ?? 0;
    const mask = candidates < 1 << 23 ? candidates : 0;
    if (n < cap) Atomics.store(this.i32, this.shm.layout.scheduleBase + n, choice | (mask << 8));
    return n;
  }

  /** The forced choice for decision `n` (replay), or -1 past the forced prefix. */
  forced(n: number): number {
    if (n >= Atomics.load(this.i32, Ctl.SchedForced)) return -1;
    return Atomics.load(this.i32, this.shm.layout.scheduleBase + n) & 0xff;
  }

  /** The schedule log so far (main thread, at rest). */
  schedule(): number[] {
    return this.logWords().map((w) => w & 0xff);
  }

  /** For each decision, the bitmask of lanes that could have been chosen (main thread, at rest). */
  candidates(): number[] {
    return this.logWords().map((w) => w >>> 8);
  }

  private logWords(): number[] {
    const n = Math.min(Atomics.load(this.i32, Ctl.SchedDecisions), this.shm.layout.config.scheduleWords ?? 0);
    return Array.from(this.i32.subarray(this.shm.layout.scheduleBase, this.shm.layout.scheduleBase + n));
  }

  /** Main thread, before a replay: forces the first decisions. */
  force(choices: readonly number[]): void {
    const base = this.shm.layout.scheduleBase;
    const n = Math.min(choices.length, this.shm.layout.config.scheduleWords ?? 0);
    for (let i = 0; i < n; i++) Atomics.store(this.i32, base + i, choices[i] as number);
    Atomics.store(this.i32, Ctl.SchedForced, n);
  }
}

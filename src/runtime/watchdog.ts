/**
 * The watchdog ends a run only when nothing moves. Every lane that has work
 * in flight (a CPU whose LastOp is not idle, the system lane inside a map
 * cleanup, the epoch manager once it ticks) bumps a heartbeat as it goes: per
 * operation, per invocation of a program batch, per slice of a stall. A lane
 * whose heartbeat has not moved for `watchdogMs` is stuck; the run is ended
 * when some lane is stuck and no busy CPU or system lane moved within
 * `watchdogMs` either (so one long batch is progress, and a CPU stuck while
 * others still work is named once they are done). Ending it: the run state
 * becomes Aborted (every spin and wait in the runtime checks it), and a
 * report names each stuck lane as the trace does (CPU n, the system lane
 * (cpu -1), the epoch manager), the callback it is in, and each lane's IRQL,
 * operation in flight and last events. A run never hangs: tasks that do not
 * come back within a grace period are abandoned and their threads
 * terminated. The manager gets a longer allowance before its first tick (a
 * thread starting up on a busy machine is not stuck).
 *
 * Controlled mode: lanes wait for the baton in turn, so a lane's own
 * heartbeat says little; the run is stuck when the scheduler makes no
 * decision for watchdogMs, or when it keeps deciding but no CPU starts an
 * operation for watchdogMs (a livelock: lanes spinning on each other).
 */
import { Shm } from '../shm/shm.js';
import { Ctl, Lane, RunState, WORK_ITEM_RUNNING, laneWord } from '../shm/layout.js';
import type { RunPlan } from './plan.js';
import type { Monitor } from '../trace/monitor.js';
import type { TraceEvent } from '../trace/decode.js';
import { CALLBACK_NAMES, OP_NAMES } from '../trace/events.js';
import { irqlName } from '../contract/irql.js';

export interface CpuStatus {
  /** As the trace numbers lanes: a CPU, or -1 for the system lane. */
  cpu: number;
  /** As reports name it: "CPU 0", "the system lane (cpu -1)". */
  lane: string;
  irql: string;
  busy: boolean;
  lastOp: string | null;
  lastMap: string | null;
  /** The provider callback running on the lane ("a provider work item" for one), or null. */
  callback: string | null;
  announcedEpoch: number;
  bucketLocksHeld: number;
  lastEvents: TraceEvent[];
}

export interface WatchdogReport {
  reason: string;
  /** The first stuck lane as the trace numbers it (-1: the system lane or the epoch manager; -1 too for a livelock). */
  cpu: number;
  cpus: CpuStatus[];
}

const CHECK_MS = 100;
const GRACE_MS = 3000;
/** The epoch manager's allowance before its first tick, when it is longer than the watchdog period. */
const MANAGER_STARTUP_MS = 10_000;

export class Watchdog {
  report: WatchdogReport | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly seen: number[];
  private readonly since: number[];
  private aborted: Promise<void>;
  private fire!: () => void;
  private schedSteps = -1;
  /** Controlled mode: when some CPU lane's heartbeat last moved. */
  private cpuProgressAt = performance.now();

  constructor(private readonly shm: Shm, private readonly plan: RunPlan, private readonly monitor: Monitor) {
    this.seen = new Array<number>(shm.layout.lanes + 1).fill(-1);
    this.since = new Array<number>(shm.layout.lanes + 1).fill(performance.now());
    this.aborted = new Promise((resolve) => { this.fire = resolve; });
  }

  start(): void {
    this.timer = setInterval(() => this.check(), CHECK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resolves with the task's result, or null if the run was aborted and the task did not come back in time. */
  race<T>(task: Promise<T>): Promise<T | null> {
    const late = this.aborted.then(() => new Promise<null>((r) => setTimeout(() => r(null), GRACE_MS).unref()));
    return Promise.race([task, late]);
  }

  /** How a report names lane `lane` (0..lanes; lanes is the epoch manager). */
  laneName(lane: number): string {
    if (lane < this.plan.cpus) return `CPU ${lane}`;
    return lane === this.shm.layout.lanes ? 'the epoch manager' : 'the system lane (cpu -1)';
  }

  private check(): void {
    const now = performance.now();
    const l = this.shm.layout;
    // Controlled mode: lanes wait for the baton in turn; the run is stuck only
    // when no scheduling decision is made at all.
    const steps = this.shm.load(Ctl.SchedSteps);
    if (steps !== this.schedSteps) {
      this.schedSteps = steps;
      this.since.fill(now);
    }
    const stuck: number[] = [];
    let workMovedAt = Number.NEGATIVE_INFINITY;
    for (let lane = 0; lane <= l.lanes; lane++) {
      const isManager = lane === l.lanes;
      const beat = this.shm.load(isManager ? Ctl.ManagerHeartbeat : laneWord(l, lane, Lane.Heartbeat));
      const busy = isManager || this.shm.load(laneWord(l, lane, Lane.LastOp)) !== -1;
      if (lane < this.plan.cpus && beat !== this.seen[lane]) this.cpuProgressAt = now;
      if (beat !== this.seen[lane] || !busy) {
        this.seen[lane] = beat;
        this.since[lane] = now;
      }
      if (!busy) continue;
      if (!isManager) workMovedAt = Math.max(workMovedAt, this.since[lane] as number);
      const limit = isManager && beat === 0 ? Math.max(this.plan.watchdogMs, MANAGER_STARTUP_MS) : this.plan.watchdogMs;
      if (now - (this.since[lane] as number) > limit) stuck.push(lane);
    }
    if (stuck.length > 0 && now - workMovedAt > this.plan.watchdogMs) {
      this.abort(this.stuckReason(stuck), now - (this.since[stuck[0]!] as number), stuck[0]! < this.plan.cpus ? stuck[0]! : -1);
      return;
    }
    this.checkLivelock(now, steps);
  }

  /** Controlled mode: decisions keep coming but no CPU starts an operation. */
  private checkLivelock(now: number, steps: number): void {
    let anyBusy = false;
    for (let lane = 0; lane < this.plan.cpus; lane++) {
      if (this.shm.load(laneWord(this.shm.layout, lane, Lane.LastOp)) !== -1) anyBusy = true;
    }
    if (!anyBusy) this.cpuProgressAt = now;
    else if (this.plan.mode === 'controlled' && now - this.cpuProgressAt > this.plan.watchdogMs) {
      this.abort(`no CPU started an operation while the scheduler made ${steps} decisions (a livelock${this.inside()})`, now - this.cpuProgressAt);
    }
  }

  /**
   * "CPU 0 (inside postprocess_map_find_element) and CPU 1 made no progress".
   * The system lane and the epoch manager share a thread: when the system
   * lane is stuck (in a map cleanup), the manager is stuck with it and is not
   * named again.
   */
  private stuckReason(stuck: number[]): string {
    const l = this.shm.layout;
    const shown = stuck.includes(l.lanes - 1) ? stuck.filter((lane) => lane !== l.lanes) : stuck;
    const names = shown.map((lane) => {
      const cb = lane < this.shm.layout.lanes ? this.callbackOf(lane) : null;
      return cb === null ? this.laneName(lane) : `${this.laneName(lane)} (inside ${cb})`;
    });
    const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
    return `${list} made no progress`;
  }

  /** "; CPU 1 is inside postprocess_map_find_element" for each CPU in a callback, or "". */
  private inside(): string {
    const parts: string[] = [];
    for (let lane = 0; lane < this.plan.cpus; lane++) {
      const cb = this.callbackOf(lane);
      if (cb !== null) parts.push(`${this.laneName(lane)} is inside ${cb}`);
    }
    return parts.length === 0 ? '' : `; ${parts.join(', ')}`;
  }

  /** The provider code running on `lane` now, by name, or null. */
  private callbackOf(lane: number): string | null {
    const v = this.shm.load(laneWord(this.shm.layout, lane, Lane.InCallback));
    if (v === 0) return null;
    if (v === WORK_ITEM_RUNNING) return 'a provider work item';
    return CALLBACK_NAMES[v - 1] ?? null;
  }

  private abort(who: string, forMs: number, cpu = -1): void {
    if (this.report) return;
    this.monitor.poll();
    this.report = { reason: `${who} for ${Math.round(forMs)} ms (watchdog ${this.plan.watchdogMs} ms)`, cpu, cpus: this.statuses() };
    this.shm.setRunState(RunState.Aborted);
    this.stop();
    this.fire();
  }

  private statuses(): CpuStatus[] {
    const l = this.shm.layout;
    const out: CpuStatus[] = [];
    for (let lane = 0; lane < l.lanes; lane++) {
      const op = this.shm.load(laneWord(l, lane, Lane.LastOp));
      const map = this.shm.load(laneWord(l, lane, Lane.LastMap));
      out.push({
        cpu: lane === this.plan.cpus ? -1 : lane,
        lane: this.laneName(lane),
        irql: irqlName(this.shm.load(laneWord(l, lane, Lane.Irql))),
        busy: op !== -1,
        lastOp: op >= 0 ? (OP_NAMES[op] ?? `op${op}`) : null,
        lastMap: map >= 0 ? (this.plan.maps[map]?.name ?? null) : null,
        callback: this.callbackOf(lane),
        announcedEpoch: this.shm.load(laneWord(l, lane, Lane.Announce)),
        bucketLocksHeld: this.shm.load(laneWord(l, lane, Lane.BucketLocksHeld)),
        lastEvents: this.monitor.lastEvents(lane).slice(-5),
      });
    }
    return out;
  }
}

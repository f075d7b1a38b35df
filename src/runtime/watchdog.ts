/**
 * The watchdog: a CPU that is busy (its LastOp is not idle) but whose
 * heartbeat has not moved for `watchdogMs`, or an epoch manager that stopped
 * ticking, ends the run: the run state becomes Aborted (every spin and wait
 * in the runtime checks it), and a report names each CPU's IRQL, operation
 * in flight and last events. A run never hangs: tasks that do not come back
 * within a grace period are abandoned and their threads terminated.
 *
 * Controlled mode: lanes wait for the baton in turn, so a lane's own
 * heartbeat says little; the run is stuck when the scheduler makes no
 * decision for watchdogMs, or when it keeps deciding but no CPU starts an
 * operation for watchdogMs (a livelock: lanes spinning on each other).
 */
import { Shm } from '../shm/shm.js';
import { Ctl, Lane, RunState, laneWord } from '../shm/layout.js';
import type { RunPlan } from './plan.js';
import type { Monitor } from '../trace/monitor.js';
import type { TraceEvent } from '../trace/decode.js';
import { OP_NAMES } from '../trace/events.js';
import { irqlName } from '../contract/irql.js';

export interface CpuStatus {
  cpu: number;
  irql: string;
  busy: boolean;
  lastOp: string | null;
  lastMap: string | null;
  announcedEpoch: number;
  bucketLocksHeld: number;
  lastEvents: TraceEvent[];
}

export interface WatchdogReport {
  reason: string;
  cpus: CpuStatus[];
}

const CHECK_MS = 100;
const GRACE_MS = 3000;

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

  private check(): void {
    const now = performance.now();
    const l = this.shm.layout;
    // Controlled mode: lanes wait for the baton in turn; the run is stuck only
    // when no scheduling decision is made at all.
    const steps = this.shm.load(Ctl.SchedSteps);
    const controlled = this.plan.mode === 'controlled';
    if (steps !== this.schedSteps) {
      this.schedSteps = steps;
      this.since.fill(now);
    }
    let anyBusy = false;
    for (let lane = 0; lane <= l.lanes; lane++) {
      const isManager = lane === l.lanes;
      const beat = this.shm.load(isManager ? Ctl.ManagerHeartbeat : laneWord(l, lane, Lane.Heartbeat));
      const busy = isManager || this.shm.load(laneWord(l, lane, Lane.LastOp)) !== -1;
      if (lane < this.plan.cpus) { // a CPU lane (not the system lane, not the manager)
        if (busy) anyBusy = true;
        if (beat !== this.seen[lane]) this.cpuProgressAt = now;
      }
      if (beat !== this.seen[lane] || !busy) {
        this.seen[lane] = beat;
        this.since[lane] = now;
      } else if (now - (this.since[lane] as number) > this.plan.watchdogMs) {
        this.abort(isManager ? 'the epoch manager made no progress' : `CPU ${lane} made no progress`, now - (this.since[lane] as number));
        return;
      }
    }
    if (!anyBusy) this.cpuProgressAt = now;
    else if (controlled && now - this.cpuProgressAt > this.plan.watchdogMs) {
      this.abort(`no CPU started an operation while the scheduler made ${steps} decisions (a livelock)`, now - this.cpuProgressAt);
    }
  }

  private abort(who: string, forMs: number): void {
    if (this.report) return;
    this.monitor.poll();
    this.report = { reason: `${who} for ${Math.round(forMs)} ms (watchdog ${this.plan.watchdogMs} ms)`, cpus: this.statuses() };
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
        irql: irqlName(this.shm.load(laneWord(l, lane, Lane.Irql))),
        busy: op !== -1,
        lastOp: op >= 0 ? (OP_NAMES[op] ?? `op${op}`) : null,
        lastMap: map >= 0 ? (this.plan.maps[map]?.name ?? null) : null,
        announcedEpoch: this.shm.load(laneWord(l, lane, Lane.Announce)),
        bucketLocksHeld: this.shm.load(laneWord(l, lane, Lane.BucketLocksHeld)),
        lastEvents: this.monitor.lastEvents(lane).slice(-5),
      });
    }
    return out;
  }
}

/**
 * The main thread's side of a provider crash (src/runtime/crash.ts is the
 * worker's): a task whose promise rejected (its thread ended in a way the
 * thread's own hooks could not stop), an error a thread caught between two
 * tasks and posted on CRASH_CHANNEL, and a header damaged after the last task
 * looked. Each is recorded, once every task has come back, as a
 * provider.crashed violation on the lane it happened on, so it is in the
 * trace and the report like any other; no rejection is ever left unhandled.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Shm } from '../shm/shm.js';
import { Lane, RunState, laneWord, type LayoutConfig } from '../shm/layout.js';
import { OP_NAMES } from '../trace/events.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { Violations } from '../trace/violations.js';
import { EbpfResult } from '../contract/ebpf-result.js';
import { CRASH_CHANNEL, type CrashNotice, describeCrash, recordCrash, repairHeader, stopRun } from './crash.js';
import type { Task, TaskResult } from './tasks.js';

/** One channel per process for every run (opening one per run costs more than a short run's tasks); notices go to their run. */
let channel: BroadcastChannel | null = null;
const listeners = new Map<string, (n: CrashNotice) => void>();

function listen(run: string, on: (n: CrashNotice) => void): void {
  if (channel === null) {
    channel = new BroadcastChannel(CRASH_CHANNEL);
    channel.unref();
    channel.onmessage = (e: unknown) => {
      const n = (e as { data: CrashNotice }).data;
      listeners.get(n.run)?.(n);
    };
  }
  listeners.set(run, on);
}

const laneOf = (task: Task, cpus: number): number => (task.kind === 'cpu' ? task.cpu : task.kind === 'manager' ? cpus : 0);

export class LostTasks {
  /** Names this run in the tasks and in the threads' notices. */
  readonly run = randomUUID();
  private readonly crashes: Array<{ lane: number; message: string }> = [];

  constructor(private readonly shm: Shm, private readonly config: LayoutConfig, private readonly mapNames: readonly string[]) {
    listen(this.run, (n) => {
      this.crashes.push({ lane: n.lane, message: n.message });
      stopRun(shm);
    });
  }

  /** `task`'s promise, which resolves even when its thread is lost (a crash of the provider on its lane). */
  watch(task: Task, promise: Promise<TaskResult>): Promise<TaskResult> {
    return promise.catch((err: unknown) => {
      const lane = laneOf(task, this.config.cpus);
      // Once the watchdog has ended the run, a thread that goes is one it
      // abandoned (stuck past the grace period), not a provider's crash.
      if (this.shm.runState() !== RunState.Aborted) {
        // The error is the pool's (the thread is gone): its stack is not the provider's.
        const why = err instanceof Error ? err.message.split('\n')[0] : describeCrash(err);
        this.crashes.push({ lane, message: `the thread running the ${task.kind} task of ${label(lane, this.config.cpus)} ended${this.inFlight(lane)}: ${why}` });
        stopRun(this.shm);
      }
      return {
        kind: task.kind, lane, ops: 0, violations: [], createResults: [], programLoad: EbpfResult.Success,
        aborted: true, peakGarbage: 0, leftoverGarbage: 0,
      };
    });
  }

  /** " during update on map m", from the lane's record of the operation in flight ('' when idle). */
  private inFlight(lane: number): string {
    const op = this.shm.load(laneWord(this.shm.layout, lane, Lane.LastOp));
    const map = this.shm.load(laneWord(this.shm.layout, lane, Lane.LastMap));
    if (op < 0) return '';
    return ` during ${OP_NAMES[op] ?? `op ${op}`}${map >= 0 && this.mapNames[map] ? ` on map ${this.mapNames[map]}` : ''}`;
  }

  /** After every task came back (or was abandoned): records the crashes, as the result of one more task (null if none). */
  record(): TaskResult | null {
    const damage = repairHeader(this.shm);
    if (damage !== null) this.crashes.push({ lane: 0, message: `${damage} (found at the end of the run)` });
    listeners.delete(this.run);
    if (this.crashes.length === 0) return null;
    const byLane = new Map<number, Violations>();
    for (const c of this.crashes) {
      let v = byLane.get(c.lane);
      if (!v) {
        const shm = Shm.attach(this.shm.sab, this.config, c.lane);
        v = new Violations(shm, c.lane, new TraceWriter(shm, c.lane));
        byLane.set(c.lane, v);
      }
      recordCrash(v, this.shm, c.message);
    }
    return {
      kind: 'lost', lane: -1, ops: 0, violations: [...byLane.values()].flatMap((v) => v.kept), createResults: [],
      programLoad: EbpfResult.Success, aborted: false, peakGarbage: 0, leftoverGarbage: 0,
    };
  }

  /** Stops listening (a run that ended with an error). */
  close(): void {
    listeners.delete(this.run);
  }
}

const label = (lane: number, cpus: number): string => (lane === cpus ? 'the system lane (cpu -1)' : `CPU ${lane}`);

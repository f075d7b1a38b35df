/**
 * The main thread's side of a provider crash (src/runtime/lost-tasks.ts),
 * without threads: a notice a thread posts between tasks, a task promise
 * that rejects, and a header damaged after the last task looked each become
 * one provider.crashed violation on the right lane, in the trace.
 */
import { expect } from 'chai';
import { BroadcastChannel } from 'node:worker_threads';
import { Shm } from '../../src/shm/shm.js';
import { Ctl, Lane, RunState, laneWord, type LayoutConfig } from '../../src/shm/layout.js';
import { TraceReader } from '../../src/shm/trace-ring.js';
import { LostTasks } from '../../src/runtime/lost-tasks.js';
import { CRASH_CHANNEL, type CrashNotice } from '../../src/runtime/crash.js';
import { OpCode } from '../../src/trace/events.js';
import type { Task } from '../../src/runtime/tasks.js';
import type { RunPlan } from '../../src/runtime/plan.js';

const CONFIG: LayoutConfig = { cpus: 2, mapBuckets: [8], arenaBytes: 1 << 16, traceRecords: 64, scheduleWords: 0 };

function fresh(): Shm {
  const shm = Shm.create(CONFIG, 1);
  shm.markRunStart();
  shm.i32[Ctl.TraceOn] = 1;
  return shm;
}

const cpuTask = (shm: Shm, cpu: number): Task =>
  ({ kind: 'cpu', cpu, run: 'r', sab: shm.sab, layout: CONFIG, plan: { cpus: CONFIG.cpus } as RunPlan });

describe('runtime/lost-tasks: crashes the threads could not record', () => {
  it('a thread\'s notice between tasks is recorded on its lane, and stops the run', async () => {
    const shm = fresh();
    const lost = new LostTasks(shm, CONFIG, ['m']);
    const thread = new BroadcastChannel(CRASH_CHANNEL);
    const notice: CrashNotice = { run: lost.run, lane: 1, message: 'a timer failed' };
    thread.postMessage({ ...notice, run: 'another run' });
    thread.postMessage(notice);
    await new Promise((resolve) => setTimeout(resolve, 50));
    thread.close();
    expect(shm.runState()).to.equal(RunState.Stopping);
    const r = lost.record();
    expect(r?.violations.map((v) => [v.rule, v.lane, v.message])).to.deep.equal([['provider.crashed', 1, 'a timer failed']]);
    expect(new TraceReader(shm).tail(1)).to.equal(1);
  });

  it('a task promise that rejects resolves, and names the lane and the operation in flight', async () => {
    const shm = fresh();
    const lost = new LostTasks(shm, CONFIG, ['m']);
    shm.i32[laneWord(shm.layout, 0, Lane.LastOp)] = OpCode.Update;
    shm.i32[laneWord(shm.layout, 0, Lane.LastMap)] = 0;
    const result = await lost.watch(cpuTask(shm, 0), Promise.reject(new Error('worker exited with code: 5')));
    expect(result).to.deep.include({ kind: 'cpu', lane: 0, aborted: true });
    const r = lost.record();
    expect(r?.violations.map((v) => v.message)).to.deep.equal(['the thread running the cpu task of CPU 0 ended during update on map m: worker exited with code: 5']);
  });

  it('a header damaged after the last task is found at the end, written again, and recorded once', () => {
    const shm = fresh();
    const lost = new LostTasks(shm, CONFIG, ['m']);
    shm.i32[Ctl.Cpus] = 7;
    const r = lost.record();
    expect(r?.violations.map((v) => v.message)).to.deep.equal([
      "the shared buffer's header was overwritten (Cpus is 0x7 instead of 0x2): a provider wrote over memory it was never given (found at the end of the run)",
    ]);
    expect(shm.i32[Ctl.Cpus]).to.equal(2);
  });

  it('a clean run has nothing to record', () => {
    expect(new LostTasks(fresh(), CONFIG, ['m']).record()).to.equal(null);
  });
});

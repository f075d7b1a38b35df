/**
 * How long a run is, in each mode. Free-running, a thread's op list runs
 * `repeat` times and a generated workload runs opsPerCpu operations (or
 * until durationMs). Controlled mode has no clock: a thread runs
 * `controlledRepeat` times and the workload at most controlledOpsPerCpu
 * operations per CPU. The counts are exact.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runOnce } from '../../src/hunt/hunt.js';
import type { RunPlan } from '../../src/runtime/plan.js';

async function plan(mode: 'free' | 'controlled'): Promise<RunPlan> {
  const p = await compileScenario({
    name: 'budgets', cpus: 3, seed: 2,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 16 } },
    threads: [{
      cpu: 0, irql: 'PASSIVE', repeat: 5, controlledRepeat: 2, ops: [
        { op: 'update', map: 'm', key: 1, value: 1 },
        { op: 'find', map: 'm', key: 1 },
        { op: 'delete', map: 'm', key: 1 },
      ],
    }],
    // CPUs 1 and 2 have no thread: they run the workload.
    workload: { findPct: 50, updatePct: 50, deletePct: 0, keyRange: 4, opsPerCpu: 40, controlledOpsPerCpu: 7, batchSize: 1, irql: 'PASSIVE' },
  }, 'test', process.cwd(), {});
  p.mode = mode;
  return p;
}

describe('runtime: run length in free and controlled mode', function () {
  this.timeout(120_000);

  it('compiles repeat (default 1) and controlledRepeat (default: repeat)', async () => {
    const p = await plan('free');
    expect(p.threads[0]).to.deep.include({ repeat: 5, controlledRepeat: 2 });
    expect(p.workload).to.deep.include({ opsPerCpu: 40, controlledOpsPerCpu: 7 });
    const q = await compileScenario({ cpus: 1, maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
      threads: [{ cpu: 0, irql: 'PASSIVE', repeat: 3, ops: [] }] }, 'test', process.cwd(), {});
    expect(q.threads[0]).to.deep.include({ repeat: 3, controlledRepeat: 3 });
  });

  it('free-running: 5 x 3 thread ops and 2 x 40 workload ops', async () => {
    const run = await runOnce(await plan('free'), 'test');
    expect(run.report.ops).to.equal(5 * 3 + 2 * 40);
    expect(run.rules).to.deep.equal({});
  });

  it('controlled: 2 x 3 thread ops and 2 x 7 workload ops', async () => {
    const run = await runOnce(await plan('controlled'), 'test');
    expect(run.report.ops).to.equal(2 * 3 + 2 * 7);
    expect(run.rules).to.deep.equal({});
  });
});

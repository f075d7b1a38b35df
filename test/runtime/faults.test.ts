/**
 * Faults from a scenario's `faults` take effect: a CPU stalls inside an
 * epoch (and the epoch manager names it in a stall warning), epoch manager
 * ticks are dropped, and bucket-lock compare-exchanges fail spuriously, while
 * the contract still holds. Controlled mode makes the counts exact.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/cli/scenario.js';
import { runOnce } from '../../src/sched/hunt.js';

describe('runtime: injected faults', function () {
  this.timeout(120_000);

  it('stalls a CPU in an epoch, drops ticks and fails lock attempts spuriously, and the run stays correct', async () => {
    const plan = await compileScenario({
      name: 'faults', cpus: 2, seed: 5, stallEpochs: 5,
      maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 16 } },
      workload: { findPct: 40, updatePct: 40, deletePct: 20, keyRange: 4, opsPerCpu: 40, batchSize: 4, irql: 'mixed' },
      faults: { stall: [{ cpu: 0, atOp: 3, steps: 400 }], dropTicks: [1, 2, 3], spuriousLockFailAt: [1, 2, 5] },
    }, 'test', process.cwd(), {});
    plan.mode = 'controlled';
    plan.strategy = 'random';
    const run = await runOnce(plan, 'test');
    expect(run.rules).to.deep.equal({});
    expect(run.report.faults).to.deep.equal({ spuriousLockFailures: 3, droppedTicks: 3, stalls: 1 });
    expect(run.report.stallWarnings).to.be.at.least(1);
    expect(run.report.verdict).to.equal('pass');
  });

  it('rejects a stall fault for a CPU the scenario does not have', async () => {
    let message = '';
    try {
      await compileScenario({
        cpus: 1, maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
        threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }] }],
        faults: { stall: [{ cpu: 3, atOp: 1, steps: 1 }] },
      }, 'test.json', process.cwd(), {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/faults\.stall\[0\]\.cpu/);
  });
});

/**
 * Real concurrency: two CPUs (one PASSIVE, making user-mode calls; one
 * DISPATCH, running program batches) hammer a small key range of an `object`
 * map and a `passthrough` map. Over 100k operations the run must keep the
 * contract: exactly one delete callback per value that leaves a map, object
 * reference counts back to zero after map delete, every retired block freed,
 * and no read of a freed block.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { ExactlyOnceCheck } from '../support/exactly-once.js';

const OPS_PER_CPU = 60_000;

describe('concurrent map operations on real worker threads', function () {
  this.timeout(300_000);

  it('keeps exactly-once delete callbacks, zero refcounts, and no use after free over 100k+ operations', async () => {
    const plan = await compileScenario({
      name: 'concurrent-contract',
      cpus: 2,
      seed: 4242,
      maps: {
        objects: { provider: 'object', keySize: 4, valueSize: 4, maxEntries: 48 },
        values: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 48 },
      },
      workload: { findPct: 40, updatePct: 40, deletePct: 20, keyRange: 64, opsPerCpu: OPS_PER_CPU, batchSize: 32, irql: 'mixed' },
    }, 'test', process.cwd(), {});
    plan.trace = true;
    const check = new ExactlyOnceCheck();
    const report = await runPlan(plan, { sinks: [check] });
    check.close();

    expect(report.ops).to.be.at.least(2 * OPS_PER_CPU);
    expect(report.violations.map((v) => `${v.rule}: ${v.message}`)).to.deep.equal([]);
    expect(check.problems.slice(0, 10)).to.deep.equal([]);
    expect(check.valuesChecked).to.be.greaterThan(10_000);
    // Both maps were deleted once, after their entries were cleaned up.
    expect(report.callbacks['postprocess_map_delete']).to.equal(2);
    // The object provider checks its own reference counts at map delete
    // (provider.invariant); nothing may stay allocated or retired.
    expect(report.leakedBlocks).to.equal(0);
    expect(report.blocksFreed).to.equal(report.blocksRetired);
    expect(report.blocksRetired).to.equal(report.blocksAllocated);
    expect(report.verdict).to.equal('pass');
  });
});

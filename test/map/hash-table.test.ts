/**
 * Backup buckets (reference section 3, PR #1550): the entry at position i
 * of a bucket owns a pre-allocated block with room for i entries, so an
 * insert into a non-empty bucket allocates three blocks (value, bucket,
 * backup) and a delete allocates nothing: it builds the smaller bucket in
 * the last position's backup and cannot fail for memory.
 */
import { expect } from 'chai';
import { runScenario } from '../support/run.js';

const KEYS = 64;

/** One CPU: insert KEYS keys into a 64-bucket map (so some buckets hold several), then optionally delete them all. */
function scenario(inserts: boolean, deletes: boolean): Record<string, unknown> {
  const ops: Array<Record<string, unknown>> = [];
  for (let k = 0; inserts && k < KEYS; k++) ops.push({ op: 'update', map: 'm', key: k, value: k });
  for (let k = 0; deletes && k < KEYS; k++) ops.push({ op: 'delete', map: 'm', key: k });
  return {
    cpus: 1, seed: 3,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: KEYS } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops }],
  };
}

describe('map/hash-table: backup buckets', function () {
  this.timeout(60_000);

  it('inserts allocate a backup for every position but the first; deletes allocate nothing and all succeed', async () => {
    const none = await runScenario(scenario(false, false), { trace: false });
    const inserted = await runScenario(scenario(true, false), { trace: false });
    const both = await runScenario(scenario(true, true));
    const insertAllocs = inserted.report.blocksAllocated - none.report.blocksAllocated;
    // A value and a bucket per insert, plus a backup for each insert into a non-empty bucket.
    expect(insertAllocs).to.be.greaterThan(2 * KEYS);
    expect(insertAllocs).to.be.lessThan(3 * KEYS);
    expect(both.report.blocksAllocated, 'deletes allocated blocks').to.equal(inserted.report.blocksAllocated);
    const deletes = both.events.filter((e) => e.event === 'op_end' && e['op'] === 'delete');
    expect(deletes).to.have.length(KEYS);
    expect(deletes.every((e) => e['result'] === 'EBPF_SUCCESS')).to.equal(true);
    expect(both.report.leakedBlocks).to.equal(0);
    expect(both.report.blocksFreed).to.equal(both.report.blocksAllocated);
    expect(both.report.violations).to.deep.equal([]);
  });
});

/**
 * The epoch manager's always-on reclamation figures (src/epoch/reclaim-stats.ts):
 * the histogram buckets and their percentiles, the per-tick series and its
 * decimation, and the figures a manager driven tick by tick records.
 */
import { expect } from 'chai';
import {
  MICRO_BUCKETS, SERIES_CAP, TICK_EXACT, ReclaimStats, histogramPercentile, microBucket, microBucketUpper,
} from '../../src/epoch/reclaim-stats.js';
import { Shm } from '../../src/shm/shm.js';
import { LaneContext } from '../../src/runtime/lane-context.js';
import { EpochManager } from '../../src/epoch/manager.js';
import { reclamationReport } from '../../src/runtime/reclamation.js';

describe('epoch/reclaim-stats', () => {
  it('puts every microsecond value in a bucket whose range holds it, exactly below 8, at most 12.5 % wide above', () => {
    let prevUpper = -1;
    for (let b = 0; b < MICRO_BUCKETS; b++) {
      const upper = microBucketUpper(b);
      expect(microBucket(prevUpper + 1), `lowest value of bucket ${b}`).to.equal(b);
      expect(microBucket(upper), `highest value of bucket ${b}`).to.equal(b);
      if (prevUpper + 1 >= 8) expect(upper - prevUpper).to.be.at.most(Math.ceil((prevUpper + 1) / 8));
      prevUpper = upper;
    }
    expect(prevUpper).to.equal(0x7fffffff);
    for (const v of [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 123_456, 2 ** 30 + 5]) {
      const b = microBucket(v);
      expect(v).to.be.at.most(microBucketUpper(b));
      expect(b === 0 || v > microBucketUpper(b - 1)).to.equal(true);
    }
  });

  it('takes nearest-rank percentiles of a histogram', () => {
    expect(histogramPercentile([0, 0, 0], 50)).to.equal(-1);
    const h = [0, 50, 0, 49, 1]; // 100 values: 50 ones, 49 threes, one four
    expect(histogramPercentile(h, 50)).to.equal(1);
    expect(histogramPercentile(h, 51)).to.equal(3);
    expect(histogramPercentile(h, 99)).to.equal(3);
    expect(histogramPercentile(h, 100)).to.equal(4);
    expect(histogramPercentile(h, 0)).to.equal(1);
  });

  it('counts latency in ticks, keeps the overflow max, and separates teardown frees', () => {
    const s = new ReclaimStats(1);
    s.published(2);
    s.beginFrees();
    s.freedBlock(1);
    s.freedBlock(1);
    s.published(200);
    s.beginFrees();
    s.freedBlock(100); // 100 ticks: the overflow bucket
    s.endSteady();
    s.freedBlock(199);
    const r = s.result();
    expect(r.freed).to.equal(3);
    expect(r.teardownFreed).to.equal(1);
    expect(r.tickHistogram[1]).to.equal(2);
    expect(r.tickHistogram[TICK_EXACT]).to.equal(1);
    expect(r.maxTicks).to.equal(100);
    expect(r.microsClamped).to.equal(0);
    const report = reclamationReport(r, false)!;
    expect(report.ticks).to.deep.equal({ p50: 1, p99: 100, max: 100 });
    expect(report.micros.p50).to.be.at.most(report.micros.p99);
    expect(report.micros.p99).to.be.at.most(report.micros.max);
    expect(report.series).to.equal(null);
  });

  it('keeps a bounded per-tick series: past its cap every other sample goes and the stride doubles', () => {
    const s = new ReclaimStats(1);
    const ticks = SERIES_CAP + 10;
    for (let i = 1; i <= ticks; i++) s.tickEnded(i, 1);
    s.endSteady();
    s.tickEnded(1e9, 1); // after the CPU phase: not recorded
    const r = s.result();
    expect(r.stride).to.equal(2);
    expect(r.peakGarbage).to.equal(ticks);
    expect(r.garbage.length).to.equal(SERIES_CAP / 2 + 5);
    expect(Array.from(r.garbage.slice(0, 3))).to.deep.equal([2, 4, 6]);
    expect(r.garbage[r.garbage.length - 1]).to.equal(ticks);
    const report = reclamationReport(r, true)!;
    expect(report.series!.garbage.length).to.equal(r.garbage.length);
    expect(report.peakGarbage).to.be.at.least(report.steadyGarbage);
  });

  it('records what a manager frees, tick by tick: latency, garbage and hold-back', () => {
    const shm = Shm.create({ cpus: 2, mapBuckets: [], arenaBytes: 1 << 20, traceRecords: 64 }, 1);
    const reader = new LaneContext(shm, 0);
    const writer = new LaneContext(shm, 1);
    const sys = new LaneContext(shm, 2);
    shm.lane = 2;
    const manager = new EpochManager(shm, sys.arena, sys.trace, sys.violations, { stallEpochs: 1000 }, () => {});
    const as = <T>(lane: LaneContext, fn: () => T): T => { shm.lane = lane.lane; try { return fn(); } finally { shm.lane = 2; } };
    const state = as(reader, () => { const st = reader.epoch.allocateState(); reader.epoch.enter(st); return st; });
    for (let i = 0; i < 3; i++) as(writer, () => writer.epoch.retire(writer.allocate(48, 0x42, false), false)); // stamped 1
    for (let i = 0; i < 3; i++) manager.tick(); // the reader holds epoch 1: nothing is freed
    as(reader, () => { reader.epoch.exit(state); reader.epoch.releaseState(state); });
    manager.tick(); // published 5: frees the three blocks stamped 1, 4 ticks after their retire
    const r = reclamationReport(manager.reclaim.result(), true)!;
    expect(r.freed).to.equal(3);
    expect(r.ticks).to.deep.equal({ p50: 4, p99: 4, max: 4 });
    expect(r.series!.garbage).to.deep.equal([3, 3, 3, 0]);
    expect(r.series!.holdBack).to.deep.equal([2, 3, 4, 1]);
    expect(r.peakGarbage).to.equal(3);
  });
});

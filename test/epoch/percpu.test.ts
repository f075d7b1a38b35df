/**
 * The per-CPU epoch model (src/epoch/percpu.ts, profile switch
 * perCpuEpochs) and the reference's epoch scenarios 45-48, driven hop by hop
 * on the main thread: CPU lanes 0 and 1 and the system lane 2 make a ring of
 * three, so a computation is six ticks (PROPOSE at 0, 1, 2, then COMMIT at
 * 0, 1, 2). Each scenario also runs under the documented model (one
 * computation per tick) where it applies.
 */
import { expect } from 'chai';
import { Shm } from '../../src/shm/shm.js';
import { BlockField, BlockKind, BlockState, Lane, blockWord, laneWord } from '../../src/shm/layout.js';
import { LaneContext } from '../../src/runtime/lane-context.js';
import { EpochManager } from '../../src/epoch/manager.js';
import { Mutant } from '../../src/contract/mutants.js';
import { Irql } from '../../src/contract/irql.js';

const SYSTEM_LANE = 2;
const CYCLE = 6;

interface Rig {
  shm: Shm;
  cpu0: LaneContext;
  cpu1: LaneContext;
  sys: LaneContext;
  manager: EpochManager;
  /** Work items run, with whether CPU 0 was inside an epoch when each ran. */
  workItems: Array<{ ptr: number; readerActive: boolean }>;
}

function rig(perCpu: boolean, mutant = 0): Rig {
  const shm = Shm.create({ cpus: 2, mapBuckets: [], arenaBytes: 1 << 20, traceRecords: 64 }, 1);
  const lane = (i: number): LaneContext => new LaneContext(shm, i, new Set(), mutant, null, perCpu);
  const cpu0 = lane(0);
  const cpu1 = lane(1);
  const sys = lane(SYSTEM_LANE);
  shm.lane = SYSTEM_LANE;
  const workItems: Rig['workItems'] = [];
  const manager = new EpochManager(shm, sys.arena, sys.trace, sys.violations, { stallEpochs: 1000, mutant, perCpu, hopPerTick: true },
    (ptr) => workItems.push({ ptr, readerActive: cpu0.epoch.inEpoch() }));
  return { shm, cpu0, cpu1, sys, manager, workItems };
}

/** Runs `fn` as `lane` (the lane id a spinlock holder records). */
function as<T>(r: Rig, lane: LaneContext, fn: () => T): T {
  r.shm.lane = lane.lane;
  try {
    return fn();
  } finally {
    r.shm.lane = SYSTEM_LANE;
  }
}
const enter = (r: Rig, lane: LaneContext): number => as(r, lane, () => {
  const s = lane.epoch.allocateState();
  lane.epoch.enter(s);
  return s;
});
const exit = (r: Rig, lane: LaneContext, s: number): void => as(r, lane, () => {
  lane.epoch.exit(s);
  lane.epoch.releaseState(s);
});
const retireNew = (r: Rig, lane: LaneContext, kind: number = BlockKind.Memory): number => as(r, lane, () => {
  const ptr = lane.allocate(48, 0x42, false, kind);
  lane.epoch.retire(ptr, false);
  return ptr;
});
const stamp = (r: Rig, ptr: number): number => r.shm.i32[blockWord(ptr, BlockField.FreedEpoch)] as number;
const laneField = (r: Rig, lane: number, field: number): number => r.shm.load(laneWord(r.shm.layout, lane, field));
const ticks = (r: Rig, n: number): number[] => Array.from({ length: n }, () => r.manager.tick());
const violations = (r: Rig): string[] => [...r.cpu0.violations.kept, ...r.cpu1.violations.kept, ...r.sys.violations.kept].map((v) => v.rule);

describe('epoch/percpu: the per-CPU epoch model (ebpf-for-windows) and scenarios 45-48', () => {
  it('one computation is a PROPOSE and a COMMIT around the ring: current_epoch lags until the PROPOSE reaches a CPU', () => {
    const r = rig(true);
    expect(r.shm.loadPublishedEpoch()).to.equal(1);
    r.manager.tick(); // PROPOSE at CPU 0: it publishes 2
    expect(r.shm.loadPublishedEpoch()).to.equal(2);
    expect([0, 1, 2].map((l) => laneField(r, l, Lane.CurrentEpoch))).to.deep.equal([2, 1, 1]);
    r.manager.tick(); // at CPU 1
    r.manager.tick(); // at the system lane
    expect([0, 1, 2].map((l) => laneField(r, l, Lane.CurrentEpoch))).to.deep.equal([2, 2, 2]);
    expect([0, 1, 2].map((l) => laneField(r, l, Lane.ReleasedEpoch))).to.deep.equal([0, 0, 0]);
    r.manager.tick(); // COMMIT at CPU 0
    expect([0, 1, 2].map((l) => laneField(r, l, Lane.ReleasedEpoch))).to.deep.equal([1, 0, 0]);
    ticks(r, 2);
    expect([0, 1, 2].map((l) => laneField(r, l, Lane.ReleasedEpoch))).to.deep.equal([1, 1, 1]);
    expect(r.shm.loadReleasedEpoch()).to.equal(1);
    expect(r.shm.loadPublishedEpoch()).to.equal(2);
  });

  it('without hopPerTick a manager tick is a whole computation: every CPU has committed when it returns', () => {
    const r = rig(true);
    r.manager = new EpochManager(r.shm, r.sys.arena, r.sys.trace, r.sys.violations, { stallEpochs: 1000, perCpu: true }, () => {});
    const a = retireNew(r, r.cpu1);
    expect(r.manager.tick()).to.equal(1);
    expect([0, 1, 2].map((l) => laneField(r, l, Lane.ReleasedEpoch))).to.deep.equal([1, 1, 1]);
    expect(r.shm.loadBlockState(a)).to.equal(BlockState.Free);
    expect(r.manager.tick()).to.equal(0);
    expect(r.shm.loadPublishedEpoch()).to.equal(3);
  });

  it('scenario 45: retire while a reader is active: kept by the cycle that sees the reader, freed by the first cycle after its exit', () => {
    const r = rig(true);
    const s = enter(r, r.cpu0); // e = 1
    const p = retireNew(r, r.cpu1);
    expect(stamp(r, p)).to.equal(1);
    expect(ticks(r, CYCLE)).to.deep.equal([0, 0, 0, 0, 0, 0]); // E' = 2, min = 1, released = 0
    expect(r.shm.loadReleasedEpoch()).to.equal(0);
    expect(r.shm.loadBlockState(p)).to.equal(BlockState.Retired);
    exit(r, r.cpu0, s);
    // E' = 3, min = 3, released = 2: CPU 1 frees p at its own COMMIT (the 5th hop).
    expect(ticks(r, CYCLE)).to.deep.equal([0, 0, 0, 0, 1, 0]);
    expect(r.shm.loadReleasedEpoch()).to.equal(2);
    expect(r.shm.loadBlockState(p)).to.equal(BlockState.Free);
    expect(violations(r)).to.deep.equal([]);
  });

  it('scenario 45 (documented model): the same block is kept while the reader is active and freed on the next tick', () => {
    const r = rig(false);
    const s = enter(r, r.cpu0);
    const p = retireNew(r, r.cpu1);
    expect(ticks(r, 3)).to.deep.equal([0, 0, 0]);
    exit(r, r.cpu0, s);
    expect(ticks(r, 1)).to.deep.equal([1]);
    expect(r.shm.loadBlockState(p)).to.equal(BlockState.Free);
  });

  /** Scenario 46's steps: CPU 0 publishes 2, a reader enters on CPU 0 at 2, CPU 1 (current_epoch still 1) retires a work item. */
  function skew(r: Rig): { reader: number; item: number } {
    r.manager.tick(); // PROPOSE at CPU 0 only
    const reader = enter(r, r.cpu0);
    const item = retireNew(r, r.cpu1, BlockKind.WorkItem);
    return { reader, item };
  }

  it('scenario 46: skew hazard: a lagging CPU retires while a reader on CPU 0 is in the new epoch; the work item waits for the reader', () => {
    const r = rig(true);
    const { reader, item } = skew(r);
    expect(laneField(r, 1, Lane.CurrentEpoch)).to.equal(1);
    expect(stamp(r, item)).to.equal(2); // max(published 2, current_epoch 1): PR 4924
    ticks(r, CYCLE - 1 + CYCLE * 2); // this computation (released 1) and two more while the reader stays
    expect(r.shm.loadReleasedEpoch()).to.equal(1);
    expect(r.workItems).to.deep.equal([]);
    exit(r, r.cpu0, reader);
    ticks(r, CYCLE);
    expect(r.workItems).to.deep.equal([{ ptr: item, readerActive: false }]);
    expect(violations(r)).to.deep.equal([]);
  });

  it('scenario 46 with the percpu-local-stamp mutant (issue 4920): the lagging stamp lets the work item run while the reader is active', () => {
    const r = rig(true, Mutant.PercpuLocalStamp);
    const { item } = skew(r);
    expect(stamp(r, item)).to.equal(1);
    expect(ticks(r, CYCLE - 1)).to.deep.equal([0, 0, 0, 1, 0]); // freed at CPU 1's COMMIT, released 1
    expect(r.workItems).to.deep.equal([{ ptr: item, readerActive: true }]);
  });

  it('scenario 46 (documented model): the stamp is the published epoch, so the work item waits for the reader too', () => {
    const r = rig(false);
    const { reader, item } = skew(r);
    expect(stamp(r, item)).to.equal(2);
    ticks(r, 5);
    expect(r.workItems).to.deep.equal([]);
    exit(r, r.cpu0, reader);
    ticks(r, 1);
    expect(r.workItems).to.deep.equal([{ ptr: item, readerActive: false }]);
  });

  it('scenario 47: stale items on CPU 0 and CPU 1 with no further activity are drained by the timer, each at its own CPU\'s COMMIT', () => {
    const r = rig(true);
    const a = retireNew(r, r.cpu0);
    const b = retireNew(r, r.cpu1);
    expect(ticks(r, CYCLE)).to.deep.equal([0, 0, 0, 1, 1, 0]);
    expect([a, b].map((p) => r.shm.loadBlockState(p))).to.deep.equal([BlockState.Free, BlockState.Free]);
    expect([0, 1].map((l) => laneField(r, l, Lane.FreeHead))).to.deep.equal([0, 0]);
    expect(r.manager.garbage()).to.equal(0);
  });

  it('scenario 47 (documented model): one tick drains both', () => {
    const r = rig(false);
    retireNew(r, r.cpu0);
    retireNew(r, r.cpu1);
    expect(ticks(r, 1)).to.deep.equal([2]);
    expect(r.manager.garbage()).to.equal(0);
  });

  it('scenario 48: exit on another CPU: a PASSIVE enter is forwarded to the enter CPU; a DISPATCH enter fails fast', () => {
    const r = rig(true);
    const s = enter(r, r.cpu0); // PASSIVE
    as(r, r.cpu0, () => r.cpu0.epoch.exitOn(s, 1));
    expect(r.cpu0.epoch.inEpoch()).to.equal(false);
    expect(laneField(r, 0, Lane.Announce)).to.equal(0);
    expect(r.cpu0.irql).to.equal(Irql.Passive);
    expect(violations(r)).to.deep.equal([]);
    r.cpu0.setIrql(Irql.Dispatch);
    const d = enter(r, r.cpu0);
    as(r, r.cpu0, () => r.cpu0.epoch.exitOn(d, 1));
    expect(violations(r)).to.deep.equal(['epoch.migrate-dispatch']);
  });

  it('scenario 48 (documented model): epoch states are not tied to a CPU, so both exits are plain', () => {
    const r = rig(false);
    const s = enter(r, r.cpu0);
    as(r, r.cpu0, () => r.cpu0.epoch.exitOn(s, 1));
    r.cpu0.setIrql(Irql.Dispatch);
    const d = enter(r, r.cpu0);
    as(r, r.cpu0, () => r.cpu0.epoch.exitOn(d, 1));
    expect(r.cpu0.epoch.inEpoch()).to.equal(false);
    expect(violations(r)).to.deep.equal([]);
  });
});

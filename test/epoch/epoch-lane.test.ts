/**
 * Unit tests for one lane's side of epoch-based reclamation
 * (src/epoch/epoch-lane.ts), driven through a LaneContext on the main thread
 * with tracing off.
 */
import { expect } from 'chai';
import { Shm } from '../../src/shm/shm.js';
import {
  BlockField, BlockKind, BlockState, Counter, EpochStateWord, Lane, blockWord, counterWord, laneWord, stateWord,
} from '../../src/shm/layout.js';
import { LaneContext } from '../../src/runtime/lane-context.js';
import { Irql } from '../../src/contract/irql.js';

const LANE = 1;

describe('epoch/epoch-lane', () => {
  let shm: Shm;
  let ctx: LaneContext;

  const announce = (): number => shm.load(laneWord(shm.layout, LANE, Lane.Announce));
  const word = (field: number): number => shm.i32[laneWord(shm.layout, LANE, field)] as number;
  const rules = (): string[] => ctx.violations.kept.map((v) => v.rule);
  /** Advances the published epoch to `epoch` (what the manager's ticks do). */
  const publish = (epoch: number): void => {
    while (shm.loadPublishedEpoch() < epoch) shm.advancePublishedEpoch();
  };
  const enterNew = (): number => {
    const s = ctx.epoch.allocateState();
    expect(s).to.be.at.least(0);
    ctx.epoch.enter(s);
    return s;
  };

  beforeEach(() => {
    shm = Shm.create({ cpus: 2, mapBuckets: [], arenaBytes: 1 << 20, traceRecords: 64 }, 1);
    shm.lane = LANE;
    ctx = new LaneContext(shm, LANE);
    ctx.setIrql(Irql.Passive);
  });

  it('runs with tracing off', () => {
    expect(ctx.trace.on).to.equal(false);
  });

  it('starts outside any epoch with no announcement', () => {
    expect(announce()).to.equal(0);
    expect(ctx.epoch.inEpoch()).to.equal(false);
    expect(ctx.epoch.activeCount).to.equal(0);
  });

  it('enter records the published epoch in the state and announces it', () => {
    publish(5);
    const s = enterNew();
    expect(shm.i32[stateWord(shm.layout, LANE, s) + EpochStateWord.EpochLo]).to.equal(5);
    expect(shm.i32[stateWord(shm.layout, LANE, s) + EpochStateWord.Cpu]).to.equal(LANE);
    expect(announce()).to.equal(5);
    expect(word(Lane.LocalEpoch)).to.equal(5);
    expect(ctx.epoch.inEpoch()).to.equal(true);
    expect(ctx.epoch.activeCount).to.equal(1);
  });

  it('a nested enter keeps the outer announcement', () => {
    publish(3);
    enterNew();
    publish(7);
    const inner = enterNew();
    expect(shm.i32[stateWord(shm.layout, LANE, inner) + EpochStateWord.EpochLo]).to.equal(7);
    expect(announce()).to.equal(3);
    expect(ctx.epoch.activeCount).to.equal(2);
  });

  it('exit of the inner state keeps the announcement; exit of the outer clears it', () => {
    publish(3);
    const outer = enterNew();
    publish(7);
    const inner = enterNew();
    ctx.epoch.exit(inner);
    expect(announce()).to.equal(3);
    expect(ctx.epoch.activeCount).to.equal(1);
    ctx.epoch.exit(outer);
    expect(announce()).to.equal(0);
    expect(ctx.epoch.inEpoch()).to.equal(false);
    expect(ctx.violations.kept).to.deep.equal([]);
  });

  it('a non-LIFO exit recomputes the oldest active epoch', () => {
    publish(3);
    const s3 = enterNew();
    publish(5);
    const s5 = enterNew();
    publish(7);
    const s7 = enterNew();
    expect(announce()).to.equal(3);
    ctx.epoch.exit(s5); // the middle one: the oldest is still 3
    expect(announce()).to.equal(3);
    ctx.epoch.exit(s3); // the outermost leaves first: now 7 is the oldest
    expect(announce()).to.equal(7);
    ctx.epoch.exit(s7);
    expect(announce()).to.equal(0);
    expect(ctx.violations.kept).to.deep.equal([]);
  });

  it('a released state can be reused for a fresh enter', () => {
    const s = enterNew();
    ctx.epoch.exit(s);
    ctx.epoch.releaseState(s);
    publish(4);
    const again = ctx.epoch.allocateState();
    expect(again).to.equal(s);
    ctx.epoch.enter(again);
    expect(announce()).to.equal(4);
    ctx.epoch.exit(again);
    expect(announce()).to.equal(0);
    expect(ctx.violations.kept).to.deep.equal([]);
  });

  it('exit at a different IRQL than the enter records epoch.exit-irql', () => {
    const s = enterNew(); // at PASSIVE
    ctx.setIrql(Irql.Dispatch);
    ctx.epoch.exit(s);
    expect(rules()).to.deep.equal(['epoch.exit-irql']);
    expect(ctx.violations.kept[0]!.lane).to.equal(LANE);
    expect(announce()).to.equal(0); // the exit itself still happens
  });

  it('exit at the IRQL of the enter records nothing, at DISPATCH too', () => {
    ctx.setIrql(Irql.Dispatch);
    const s = enterNew();
    ctx.epoch.exit(s);
    expect(ctx.violations.kept).to.deep.equal([]);
  });

  it('exit of a state that was never entered records epoch.unpaired and changes nothing', () => {
    publish(2);
    const active = enterNew();
    const never = ctx.epoch.allocateState();
    ctx.epoch.exit(never);
    expect(rules()).to.deep.equal(['epoch.unpaired']);
    expect(announce()).to.equal(2);
    expect(ctx.epoch.activeCount).to.equal(1);
    ctx.epoch.exit(active);
    expect(announce()).to.equal(0);
  });

  it('a second exit of the same state records epoch.unpaired', () => {
    const s = enterNew();
    ctx.epoch.exit(s);
    ctx.epoch.exit(s);
    expect(rules()).to.deep.equal(['epoch.unpaired']);
    expect(ctx.epoch.activeCount).to.equal(0);
  });

  it('retire stamps the block with the published epoch and queues it on the lane free list', () => {
    const s = enterNew();
    const a = ctx.allocate(40, 0x77, false);
    const b = ctx.allocate(40, 0x78, false);
    publish(6);
    ctx.epoch.retire(a, false);
    publish(9);
    ctx.epoch.retire(b, false);
    ctx.epoch.exit(s);
    expect(shm.i32[blockWord(a, BlockField.FreedEpoch)]).to.equal(6);
    expect(shm.i32[blockWord(b, BlockField.FreedEpoch)]).to.equal(9);
    expect(shm.loadBlockState(a)).to.equal(BlockState.Retired);
    expect(word(Lane.FreeHead)).to.equal(a);
    expect(shm.i32[blockWord(a, BlockField.Next)]).to.equal(b);
    expect(word(Lane.FreeTail)).to.equal(b);
    expect(word(Lane.FreeLength)).to.equal(2);
    expect(shm.i32[counterWord(shm.layout, LANE, Counter.Retired)]).to.equal(2);
    expect((shm.i32[blockWord(a, BlockField.Owner)] as number) >>> 16, 'the retiring lane, plus one').to.equal(LANE + 1);
    expect(ctx.violations.kept).to.deep.equal([]);
  });

  it('free-running, retires inside an epoch join the free list, in order, at the outermost exit', () => {
    const outer = enterNew();
    const inner = enterNew();
    const a = ctx.allocate(40, 0x77, false);
    const b = ctx.allocate(40, 0x78, false);
    ctx.epoch.retire(a, false);
    ctx.epoch.retire(b, false);
    expect(shm.loadBlockState(a)).to.equal(BlockState.Retired);
    ctx.epoch.exit(inner);
    expect(word(Lane.FreeLength), 'still inside the outer epoch').to.equal(0);
    ctx.epoch.exit(outer);
    expect(word(Lane.FreeHead)).to.equal(a);
    expect(shm.i32[blockWord(a, BlockField.Next)]).to.equal(b);
    expect(word(Lane.FreeTail)).to.equal(b);
    expect(word(Lane.FreeLength)).to.equal(2);
    expect(shm.i32[counterWord(shm.layout, LANE, Counter.Retired)]).to.equal(2);
  });

  it('in controlled mode a retire inside an epoch joins the free list at once', () => {
    shm.controlled = true;
    const s = enterNew();
    const a = ctx.allocate(40, 0x77, false);
    ctx.epoch.retire(a, false);
    expect(word(Lane.FreeHead)).to.equal(a);
    expect(word(Lane.FreeLength)).to.equal(1);
    ctx.epoch.exit(s);
  });

  it('free-running, an exit leaves its retires held back while the manager holds the FreeLock, and a later exit hands them over', () => {
    const s = enterNew();
    const a = ctx.allocate(40, 0x77, false);
    ctx.epoch.retire(a, false);
    shm.i32[laneWord(shm.layout, LANE, Lane.FreeLock)] = shm.layout.lanes; // held by the system lane (its id + 1)
    ctx.epoch.exit(s);
    expect(word(Lane.FreeLength)).to.equal(0);
    shm.i32[laneWord(shm.layout, LANE, Lane.FreeLock)] = 0;
    const t = enterNew();
    ctx.epoch.exit(t);
    expect(word(Lane.FreeHead)).to.equal(a);
    expect(word(Lane.FreeLength)).to.equal(1);
  });

  it('a lane that goes idle hands over what it held back', () => {
    enterNew();
    const a = ctx.allocate(40, 0x77, false);
    ctx.epoch.retire(a, false);
    ctx.idle();
    expect(word(Lane.FreeHead)).to.equal(a);
  });

  it('retire of NULL is a no-op', () => {
    ctx.epoch.retire(0, false);
    expect(word(Lane.FreeLength)).to.equal(0);
    expect(ctx.violations.kept).to.deep.equal([]);
  });

  it('a second retire of the same block records memory.double-free and does not enqueue it twice', () => {
    const p = ctx.allocate(24, 1, false);
    ctx.epoch.retire(p, false);
    ctx.epoch.retire(p, false);
    expect(rules()).to.deep.equal(['memory.double-free']);
    expect(word(Lane.FreeLength)).to.equal(1);
    expect(word(Lane.FreeHead)).to.equal(p);
    expect(word(Lane.FreeTail)).to.equal(p);
    expect(shm.i32[blockWord(p, BlockField.Next)]).to.equal(0);
    expect(shm.i32[counterWord(shm.layout, LANE, Counter.Retired)]).to.equal(1);
  });

  it('retire of a block already freed by the arena records memory.double-free', () => {
    const p = ctx.allocate(24, 1, false);
    ctx.arena.release(p);
    ctx.epoch.retire(p, false);
    expect(rules()).to.deep.equal(['memory.double-free']);
    expect(word(Lane.FreeLength)).to.equal(0);
  });

  it('retire of a wild pointer records memory.wild-pointer and enqueues nothing', () => {
    ctx.allocate(24, 1, false);
    for (const wild of [4, shm.layout.arenaBase + 3, shm.layout.arenaEnd + 64]) ctx.epoch.retire(wild, false);
    expect(rules()).to.deep.equal(['memory.wild-pointer', 'memory.wild-pointer', 'memory.wild-pointer']);
    expect(word(Lane.FreeLength)).to.equal(0);
    expect(word(Lane.FreeHead)).to.equal(0);
  });

  it('retire of a pointer into arena space never carved into blocks records memory.wild-pointer', () => {
    const p = ctx.allocate(16, 1, false); // the only block: 64 bytes, payload at its start + 32
    const pastBump = p + 64; // where the next block's payload would be; nothing was allocated there
    ctx.epoch.retire(pastBump, false);
    expect(rules()).to.deep.equal(['memory.wild-pointer']);
    expect(word(Lane.FreeLength)).to.equal(0);
  });

  it('retire of an interior pointer of a live block records memory.wild-pointer and enqueues nothing', () => {
    const p = ctx.allocate(200, 1, true); // a 256-byte cache-aligned block
    // The provider's own data: small integers, as any value might hold.
    ctx.mem.writeU32(p + 4, 16);
    ctx.mem.writeU32(p + 8, 1);
    ctx.epoch.retire(p + 32, false); // a pointer into the middle of the payload
    expect(rules()).to.deep.equal(['memory.wild-pointer']);
    expect(word(Lane.FreeLength)).to.equal(0);
    expect(shm.loadBlockState(p)).to.equal(BlockState.Allocated);
    expect(ctx.mem.readU32(p + 8)).to.equal(1);
  });

  it('freeing a cache-aligned block with the unaligned call records memory.free-mismatch', () => {
    const p = ctx.allocate(24, 1, true);
    ctx.epoch.retire(p, false);
    expect(rules()).to.deep.equal(['memory.free-mismatch']);
  });

  it('freeing an unaligned block with the cache-aligned call records memory.free-mismatch', () => {
    const p = ctx.allocate(24, 1, false);
    ctx.epoch.retire(p, true);
    expect(rules()).to.deep.equal(['memory.free-mismatch']);
  });

  it('freeing each kind of block with its own call records nothing', () => {
    ctx.epoch.retire(ctx.allocate(24, 1, true), true);
    ctx.epoch.retire(ctx.allocate(24, 1, false), false);
    ctx.epoch.retire(ctx.allocate(24, 1, false, BlockKind.WorkItem), false);
    expect(ctx.violations.kept).to.deep.equal([]);
    expect(word(Lane.FreeLength)).to.equal(3);
  });
});

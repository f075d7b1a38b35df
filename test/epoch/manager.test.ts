/**
 * Unit tests for the epoch manager (src/epoch/manager.ts), driven tick by
 * tick on the main thread: two CPU lanes (0, 1) and the system lane (2).
 */
import { expect } from 'chai';
import { Shm } from '../../src/shm/shm.js';
import {
  BlockField, BlockKind, BlockState, Counter, Ctl, Lane, blockWord, counterWord, laneWord,
} from '../../src/shm/layout.js';
import { POISON_BYTE } from '../../src/shm/arena.js';
import { LaneContext } from '../../src/runtime/lane-context.js';
import { EpochManager } from '../../src/epoch/manager.js';

const SYSTEM_LANE = 2;

describe('epoch/manager', () => {
  let shm: Shm;
  let reader: LaneContext; // lane 0
  let writer: LaneContext; // lane 1
  let sysLane: LaneContext; // lane 2
  let workItems: number[];
  let workItemStates: number[];

  const makeManager = (stallEpochs = 1000): EpochManager =>
    new EpochManager(shm, sysLane.arena, sysLane.trace, sysLane.violations, { stallEpochs }, (ptr) => {
      workItems.push(ptr);
      workItemStates.push(shm.loadBlockState(ptr));
    });
  /** Runs `fn` acting as `lane` (the lane id a spinlock holder records); the manager acts as the system lane. */
  const as = <T>(lane: LaneContext, fn: () => T): T => {
    shm.lane = lane.lane;
    try {
      return fn();
    } finally {
      shm.lane = SYSTEM_LANE;
    }
  };
  const enter = (lane: LaneContext): number => as(lane, () => {
    const s = lane.epoch.allocateState();
    lane.epoch.enter(s);
    return s;
  });
  const exit = (lane: LaneContext, s: number): void => as(lane, () => {
    lane.epoch.exit(s);
    lane.epoch.releaseState(s);
  });
  const allocate = (lane: LaneContext, size = 48, kind: number = BlockKind.Memory): number =>
    as(lane, () => lane.allocate(size, 0x42, false, kind));
  const retire = (lane: LaneContext, ptr: number): void => as(lane, () => lane.epoch.retire(ptr, false));
  const released = (): number => shm.loadReleasedEpoch();
  const published = (): number => shm.loadPublishedEpoch();
  const freeLength = (lane: number): number => shm.load(laneWord(shm.layout, lane, Lane.FreeLength));
  const freeHead = (lane: number): number => shm.load(laneWord(shm.layout, lane, Lane.FreeHead));
  const stamp = (ptr: number): number => shm.i32[blockWord(ptr, BlockField.FreedEpoch)] as number;
  const stallWarnings = (): number => shm.i32[counterWord(shm.layout, SYSTEM_LANE, Counter.StallWarnings)] as number;
  const allViolations = () => [...reader.violations.kept, ...writer.violations.kept, ...sysLane.violations.kept];

  beforeEach(() => {
    shm = Shm.create({ cpus: 2, mapBuckets: [], arenaBytes: 1 << 20, traceRecords: 64 }, 1);
    reader = new LaneContext(shm, 0);
    writer = new LaneContext(shm, 1);
    sysLane = new LaneContext(shm, SYSTEM_LANE);
    shm.lane = SYSTEM_LANE;
    workItems = [];
    workItemStates = [];
  });

  it('uses lanes 0 and 1 for the CPUs and lane 2 for the system lane', () => {
    expect(shm.layout.lanes).to.equal(3);
    expect(shm.i32[Ctl.Cpus]).to.equal(2);
  });

  it('scenario 45: a block retired while a reader is active is freed only on the first tick after the reader exits', () => {
    const manager = makeManager();
    const s = enter(reader);
    expect(shm.load(laneWord(shm.layout, 0, Lane.Announce))).to.equal(1);
    const block = allocate(writer);
    shm.u8.fill(0x33, block, block + 48);
    retire(writer, block);
    expect(stamp(block)).to.equal(1);
    const generation = shm.i32[blockWord(block, BlockField.Generation)] as number;

    for (let i = 0; i < 5; i++) {
      expect(manager.tick()).to.equal(0);
      expect(released()).to.equal(0);
      expect(shm.loadBlockState(block)).to.equal(BlockState.Retired);
    }
    expect(Array.from(shm.u8.subarray(block, block + 48)).every((b) => b === 0x33)).to.equal(true);
    expect(manager.garbage()).to.equal(1);

    exit(reader, s);
    expect(manager.tick()).to.equal(1);
    expect(released()).to.equal(published() - 1);
    expect(shm.loadBlockState(block)).to.equal(BlockState.Free);
    expect(Array.from(shm.u8.subarray(block, block + 48)).every((b) => b === POISON_BYTE)).to.equal(true);
    expect(shm.i32[blockWord(block, BlockField.Generation)]).to.equal(generation + 1);
    expect(freeLength(1)).to.equal(0);
    expect(freeHead(1)).to.equal(0);
    expect(manager.garbage()).to.equal(0);
    expect(shm.i32[counterWord(shm.layout, SYSTEM_LANE, Counter.Freed)]).to.equal(1);
    expect(shm.i32[counterWord(shm.layout, SYSTEM_LANE, Counter.BytesFreed)]).to.equal(48);
    expect(allViolations()).to.deep.equal([]);
  });

  it('each tick advances the published epoch by one', () => {
    const manager = makeManager();
    expect(published()).to.equal(1);
    for (let i = 2; i <= 6; i++) {
      manager.tick();
      expect(published()).to.equal(i);
      expect(shm.load(Ctl.EpochAdvances)).to.equal(i - 1);
    }
  });

  it('released = new published - 1 when no lane is in an epoch', () => {
    const manager = makeManager();
    for (let i = 0; i < 4; i++) {
      manager.tick();
      expect(released()).to.equal(published() - 1);
    }
  });

  it('released = oldest announced epoch - 1 while a lane is in an epoch, over all lanes', () => {
    const manager = makeManager();
    manager.tick();
    manager.tick(); // published 3
    const s = enter(writer); // announces 3
    manager.tick();
    manager.tick(); // published 5
    const r = enter(reader); // announces 5
    manager.tick();
    expect(published()).to.equal(6);
    expect(released()).to.equal(2);
    exit(writer, s);
    manager.tick();
    expect(released()).to.equal(4);
    const q = enter(sysLane); // the system lane counts too
    exit(reader, r);
    manager.tick();
    expect(released()).to.equal(published() - 2); // entered one tick before this one
    exit(sysLane, q);
    manager.tick();
    expect(released()).to.equal(published() - 1);
  });

  it('frees the eligible prefix of a lane\'s FIFO free list and keeps the rest', () => {
    const manager = makeManager();
    const outer = enter(reader); // epoch 1
    const a = allocate(writer);
    retire(writer, a); // stamp 1
    manager.tick(); // published 2; released 0
    expect(released()).to.equal(0);
    const inner = enter(reader); // nested, epoch 2
    exit(reader, outer); // non-LIFO: the reader now announces 2
    const b = allocate(writer);
    retire(writer, b); // stamp 2
    expect(stamp(b)).to.equal(2);
    expect(manager.tick()).to.equal(1); // published 3; released 1: a only
    expect(released()).to.equal(1);
    expect(shm.loadBlockState(a)).to.equal(BlockState.Free);
    expect(shm.loadBlockState(b)).to.equal(BlockState.Retired);
    expect(freeHead(1)).to.equal(b);
    expect(shm.load(laneWord(shm.layout, 1, Lane.FreeTail))).to.equal(b);
    expect(freeLength(1)).to.equal(1);
    exit(reader, inner);
    expect(manager.tick()).to.equal(1);
    expect(shm.loadBlockState(b)).to.equal(BlockState.Free);
    expect(freeLength(1)).to.equal(0);
    expect(shm.load(laneWord(shm.layout, 1, Lane.FreeTail))).to.equal(0);
  });

  it('stops at the first ineligible block even when a later block is eligible', () => {
    const manager = makeManager();
    const [a, b, c] = [allocate(writer), allocate(writer), allocate(writer)];
    for (const p of [a, b, c]) retire(writer, p); // all stamped 1
    shm.i32[blockWord(b, BlockField.FreedEpoch)] = 1000; // b is not eligible for a long time
    expect(manager.tick()).to.equal(1); // released 1: a is freed; b blocks c
    expect(shm.loadBlockState(a)).to.equal(BlockState.Free);
    expect(shm.loadBlockState(b)).to.equal(BlockState.Retired);
    expect(shm.loadBlockState(c)).to.equal(BlockState.Retired);
    expect(freeHead(1)).to.equal(b);
    expect(freeLength(1)).to.equal(2);
  });

  it('drains every lane\'s free list, the system lane\'s included', () => {
    const manager = makeManager();
    const blocks = [allocate(reader), allocate(writer), allocate(sysLane)];
    retire(reader, blocks[0]!);
    retire(writer, blocks[1]!);
    retire(sysLane, blocks[2]!);
    expect(manager.garbage()).to.equal(3);
    expect(manager.tick()).to.equal(3);
    for (const p of blocks) expect(shm.loadBlockState(p)).to.equal(BlockState.Free);
    expect(manager.garbage()).to.equal(0);
    expect(manager.peakGarbage).to.equal(0); // measured after the frees of each tick
  });

  it('records the most retired-but-unfreed blocks seen as peak garbage', () => {
    const manager = makeManager();
    const s = enter(reader);
    for (let i = 0; i < 4; i++) retire(writer, allocate(writer));
    manager.tick();
    exit(reader, s);
    manager.tick();
    expect(manager.peakGarbage).to.equal(4);
    expect(shm.i32[counterWord(shm.layout, SYSTEM_LANE, Counter.PeakGarbage)]).to.equal(4);
  });

  it('gives exactly one stall warning per stalled epoch of a lagging lane', () => {
    const manager = makeManager(3);
    const s = enter(reader); // announces 1
    for (let i = 0; i < 3; i++) manager.tick(); // published 4: lag 3, not more than 3
    expect(stallWarnings()).to.equal(0);
    manager.tick(); // published 5: lag 4
    expect(stallWarnings()).to.equal(1);
    for (let i = 0; i < 10; i++) manager.tick(); // still the same stalled epoch
    expect(stallWarnings()).to.equal(1);
    exit(reader, s);
    const again = enter(reader); // a new, later epoch
    const at = published();
    for (let i = 0; i < 3; i++) manager.tick();
    expect(published() - at).to.equal(3);
    expect(stallWarnings()).to.equal(1);
    manager.tick();
    expect(stallWarnings()).to.equal(2);
    for (let i = 0; i < 5; i++) manager.tick();
    expect(stallWarnings()).to.equal(2);
    exit(reader, again);
    for (let i = 0; i < 10; i++) manager.tick();
    expect(stallWarnings()).to.equal(2);
  });

  it('warns separately for each lagging lane', () => {
    const manager = makeManager(2);
    const r = enter(reader);
    const w = enter(writer);
    for (let i = 0; i < 6; i++) manager.tick();
    expect(stallWarnings()).to.equal(2);
    exit(reader, r);
    exit(writer, w);
  });

  it('never warns about lanes outside an epoch', () => {
    const manager = makeManager(1);
    for (let i = 0; i < 20; i++) manager.tick();
    expect(stallWarnings()).to.equal(0);
  });

  it('passes an eligible work item to the runner before freeing it, and only once', () => {
    const manager = makeManager();
    const s = enter(reader);
    const item = allocate(writer, 64, BlockKind.WorkItem);
    const plain = allocate(writer, 64, BlockKind.Memory);
    retire(writer, item);
    retire(writer, plain);
    manager.tick();
    manager.tick();
    expect(workItems).to.deep.equal([]);
    exit(reader, s);
    expect(manager.tick()).to.equal(2);
    expect(workItems).to.deep.equal([item]);
    expect(workItemStates).to.deep.equal([BlockState.Retired]); // still intact when the runner sees it
    expect(shm.loadBlockState(item)).to.equal(BlockState.Free);
    manager.tick();
    expect(workItems).to.deep.equal([item]);
  });

  it('runs work items in retire order', () => {
    const manager = makeManager();
    const items = [0, 1, 2].map(() => allocate(writer, 32, BlockKind.WorkItem));
    for (const p of items) retire(writer, p);
    manager.tick();
    expect(workItems).to.deep.equal(items);
  });

  it('free-running with the checker off, a freed block goes back to the lane that retired it, not to another lane', () => {
    const manager = makeManager();
    const block = allocate(writer);
    retire(writer, block);
    while (shm.loadBlockState(block) !== BlockState.Free) manager.tick();
    expect(allocate(reader), 'another lane gets a fresh block').to.not.equal(block);
    expect(allocate(writer), 'the retiring lane gets its block back').to.equal(block);
    expect(shm.loadBlockState(block)).to.equal(BlockState.Allocated);
  });

  it('a lane going idle gives its cached blocks back to the shared free lists', () => {
    const manager = makeManager();
    const block = allocate(writer);
    retire(writer, block);
    while (shm.loadBlockState(block) !== BlockState.Free) manager.tick();
    as(writer, () => writer.idle());
    expect(allocate(reader)).to.equal(block);
  });

  it('in the final drain (stopHandOver) freed blocks go to the shared free lists', () => {
    const manager = makeManager();
    manager.stopHandOver();
    const block = allocate(writer);
    retire(writer, block);
    while (shm.loadBlockState(block) !== BlockState.Free) manager.tick();
    expect(allocate(reader)).to.equal(block);
  });
});

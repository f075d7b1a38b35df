/**
 * Unit tests for the memory checker (src/shm/checked-memory.ts) and the
 * arena's checked mode (line map, red zones, FIFO reuse), single-threaded on
 * the main thread acting as lane 0 of a one-CPU layout.
 */
import { expect } from 'chai';
import { Arena } from '../../src/shm/arena.js';
import { CheckedMemory } from '../../src/shm/checked-memory.js';
import { blockAt } from '../../src/shm/block-where.js';
import { Memory } from '../../src/shm/memory.js';
import { Shm } from '../../src/shm/shm.js';
import {
  BlockKind, BlockState, Ctl, LINE_BYTES, RED_ZONE_BYTE, RED_ZONE_BYTES, Scratch, scratchByte,
} from '../../src/shm/layout.js';
import { Rule } from '../../src/contract/rules.js';
import { fourcc } from '../../src/contract/tags.js';

interface Fault { rule: number; block: number; message: string }

const TAG = fourcc('UtMc');

function makeShm(checked: boolean): Shm {
  const shm = Shm.create({ cpus: 1, mapBuckets: [], arenaBytes: 1 << 20, traceRecords: 64 }, 1);
  shm.lane = 0;
  shm.i32[Ctl.TraceOn] = checked ? 1 : 0;
  return shm;
}

describe('shm/checked-memory', () => {
  let shm: Shm;
  let arena: Arena;
  let faults: Fault[];
  let stale: number[];
  let mem: CheckedMemory;

  beforeEach(() => {
    shm = makeShm(true);
    arena = new Arena(shm);
    faults = [];
    stale = [];
    const plain = new Memory(shm, (ptr) => stale.push(ptr));
    mem = new CheckedMemory(shm, arena, plain, 0, (rule, block, message) => faults.push({ rule, block, message }));
  });

  /** Frees a block at once, as poolFree does. */
  const free = (ptr: number): void => {
    shm.transitionBlock(ptr, BlockState.Allocated, BlockState.Retired);
    arena.release(ptr);
  };

  it('finds the block of every byte of every block through the line map', () => {
    const blocks = [1, 100, 4000, 70_000].map((size) => ({ size, ptr: arena.allocate(size, TAG, size === 100, BlockKind.Memory) }));
    for (const { size, ptr } of blocks) {
      for (const at of [ptr - 1, ptr, ptr + size - 1, ptr + size + RED_ZONE_BYTES - 1]) {
        expect(blockAt(shm, at), `byte ${at} of the block at ${ptr}`).to.include({ ptr, size, state: BlockState.Allocated });
      }
    }
  });

  it('lets every access inside a live or retired block, and in the lane\'s own scratch, through', () => {
    const p = arena.allocate(16, TAG, false, BlockKind.Memory);
    mem.writeU32(p + 12, 0xdeadbeef);
    mem.fill(p, 7, 4);
    mem.copy(p + 4, p, 4);
    expect(mem.atomicAddU32(p + 8, 5)).to.equal(5);
    shm.transitionBlock(p, BlockState.Allocated, BlockState.Retired); // retired, not yet freed: still valid
    expect(mem.readU32(p + 12)).to.equal(0xdeadbeef);
    expect(mem.readU8(p + 7)).to.equal(7);
    mem.writeU32(scratchByte(shm.layout, 0, Scratch.Temp), 1);
    expect(faults).to.deep.equal([]);
  });

  it('reports a read of a freed block as memory.use-after-free with its tag, size and who freed it, and refuses writes to it', () => {
    const p = arena.allocate(24, TAG, false, BlockKind.Memory);
    free(p);
    mem.readU32(p + 4);
    mem.writeU8(p, 1);
    expect(faults.map((f) => [f.rule, f.block])).to.deep.equal([[Rule.UseAfterFree, p], [Rule.UseAfterFree, p]]);
    expect(faults[0]!.message).to.equal(`read of 4 bytes at ${p + 4}, 4 bytes into block ${p} (tag UtMc, 24 bytes, freed at once (poolFree) by CPU 0)`);
    expect(shm.u8[p]).to.equal(0xef); // still poisoned: the write was not made
  });

  it('reports a write one byte past the end as memory.overflow of that block, and leaves the red zone intact', () => {
    const p = arena.allocate(12, TAG, false, BlockKind.Memory);
    mem.writeU8(p + 12, 0);
    expect(faults).to.have.length(1);
    expect(faults[0]).to.include({ rule: Rule.Overflow, block: p });
    expect(faults[0]!.message).to.equal(`write of 1 byte at ${p + 12}: 0 bytes past the end of block ${p} (tag UtMc, 12 bytes, allocated)`);
    expect(shm.u8[p + 12]).to.equal(RED_ZONE_BYTE);
  });

  it('blames a write into the next block\'s header on the block it ran out of, and leaves the header as it was', () => {
    const a = arena.allocate(12, TAG, false, BlockKind.Memory); // a 64-byte block: the next one starts 32 bytes after a
    const b = arena.allocate(4, fourcc('Next'), false, BlockKind.Memory);
    expect(b).to.equal(a + LINE_BYTES);
    const header = Array.from(shm.u8.subarray(b - 32, b));
    mem.fill(a, 0x41, 40); // 12 bytes of a, its red zone, and 8 bytes of b's header
    expect(faults.map((f) => f.rule)).to.deep.equal([Rule.Overflow]);
    expect(faults[0]!.message).to.match(new RegExp(`^write of 40 bytes at ${a}: 0 bytes past the end of block ${a} \\(tag UtMc, 12 bytes, allocated\\)$`));
    mem.writeU32(b - 32, 0);
    expect(faults[1]!.message).to.equal(`write of 4 bytes at ${b - 32}: 20 bytes past the end of block ${a} (tag UtMc, 12 bytes, allocated), in the header of block ${b} (tag Next, 4 bytes, allocated)`);
    expect(faults.map((f) => f.block), 'the block that overflowed').to.deep.equal([a, a]);
    expect(Array.from(shm.u8.subarray(b - 32, b))).to.deep.equal(header);
    expect(arena.info(b)).to.include({ tag: fourcc('Next'), size: 4, state: BlockState.Allocated });
  });

  it('reports reads outside every block as memory.out-of-bounds, naming the region', () => {
    const p = arena.allocate(8, TAG, false, BlockKind.Memory);
    mem.readU8(p + 8);
    mem.readU32(p + 100_000);
    mem.readU32(8);
    mem.readU32(scratchByte(shm.layout, 1, Scratch.Key)); // the system lane's scratch
    mem.readU32(-4);
    expect(faults.map((f) => f.rule)).to.deep.equal(Array(5).fill(Rule.OutOfBounds));
    expect(faults.map((f) => f.message.replace(/^read of \d+ bytes? at -?\d+: /, ''))).to.deep.equal([
      `0 bytes past the end of block ${p} (tag UtMc, 8 bytes, allocated)`,
      `in arena memory never allocated, ${p + 100_000 - (p - 32 + LINE_BYTES)} bytes past the last block, block ${p} (tag UtMc, 8 bytes, allocated)`,
      'in the runtime\'s own records, not arena memory',
      'in the scratch buffers of the system lane, which this lane does not own',
      'outside the shared buffer',
    ]);
  });

  it('checks references: NULL and interior pointers are out of bounds, an offset past the end too; a stale one goes to the plain report', () => {
    const p = arena.allocate(8, TAG, false, BlockKind.Memory);
    const gen = mem.generationOf(p);
    expect(mem.readU32Ref(0, 0, 4)).to.equal(0);
    mem.writeU32Ref(p + 4, gen, 0, 1);
    mem.readU32Ref(p, gen, 8);
    expect(faults.map((f) => f.rule)).to.deep.equal([Rule.OutOfBounds, Rule.OutOfBounds, Rule.OutOfBounds]);
    expect(faults[0]!.message).to.equal('read through a NULL reference (generation 0, offset 4)');
    free(p);
    mem.readU32Ref(p, gen, 0);
    expect(faults).to.have.length(3);
    expect(stale).to.deep.equal([p]);
  });

  it('tracks an out-value: the bytes the callback did not write', () => {
    const out = scratchByte(shm.layout, 0, Scratch.Temp);
    mem.expectOut(out, 8);
    mem.writeU32(out, 1);
    mem.writeU8(out + 6, 1);
    expect(mem.unwrittenOut()).to.equal(3);
    mem.expectOut(out, 8);
    mem.copy(out, scratchByte(shm.layout, 0, Scratch.ValueIn), 8);
    expect(mem.unwrittenOut()).to.equal(0);
    mem.writeU32(out, 1); // no tracking between callbacks
    expect(mem.unwrittenOut()).to.equal(0);
  });
});

describe('shm/arena with the memory checker on', () => {
  it('keeps a red zone after every block and reports a changed one when the block is freed', () => {
    const shm = makeShm(true);
    const arena = new Arena(shm);
    const seen: Array<[number, number]> = [];
    arena.onRedZone = (ptr, at) => seen.push([ptr, at]);
    const p = arena.allocate(32, TAG, false, BlockKind.Memory); // 32 + 32 = 64 bytes: no room without the red zone
    expect(arena.bytesUsed()).to.equal(128);
    expect(Array.from(shm.u8.subarray(p + 32, p + 32 + RED_ZONE_BYTES)).every((b) => b === RED_ZONE_BYTE)).to.equal(true);
    shm.u8[p + 32 + 3] = 0; // a write the checker did not see
    shm.transitionBlock(p, BlockState.Allocated, BlockState.Retired);
    arena.release(p);
    expect(seen).to.deep.equal([[p, p + 35]]);
  });

  it('reuses the block freed first (FIFO), where the unchecked arena reuses the last one', () => {
    for (const checked of [true, false]) {
      const shm = makeShm(checked);
      const arena = new Arena(shm);
      const [a, b] = [arena.allocate(8, TAG, false, BlockKind.Memory), arena.allocate(8, TAG, false, BlockKind.Memory)];
      for (const p of [a, b]) {
        shm.transitionBlock(p, BlockState.Allocated, BlockState.Retired);
        arena.release(p);
      }
      expect(arena.allocate(8, TAG, false, BlockKind.Memory), checked ? 'checked' : 'unchecked').to.equal(checked ? a : b);
      expect(arena.allocate(8, TAG, false, BlockKind.Memory), checked ? 'checked' : 'unchecked').to.equal(checked ? b : a);
    }
  });
});

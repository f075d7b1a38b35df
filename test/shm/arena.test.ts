/**
 * Unit tests for the arena (src/shm/arena.ts), single-threaded on the main
 * thread acting as lane 0.
 */
import { expect } from 'chai';
import { Arena, BlockInfo, POISON_BYTE } from '../../src/shm/arena.js';
import { Shm } from '../../src/shm/shm.js';
import {
  BLOCK_HEADER_BYTES, BlockKind, BlockState, Ctl, LINE_BYTES, SIZE_CLASS_MIN_BYTES,
} from '../../src/shm/layout.js';

function makeShm(arenaBytes = 1 << 20): Shm {
  const shm = Shm.create({ cpus: 1, mapBuckets: [], arenaBytes, traceRecords: 64 }, 1);
  shm.lane = 0;
  return shm;
}

const bytesOf = (shm: Shm, ptr: number, n: number): number[] => Array.from(shm.u8.subarray(ptr, ptr + n));

describe('shm/arena', () => {
  let shm: Shm;
  let arena: Arena;

  beforeEach(() => {
    shm = makeShm();
    arena = new Arena(shm);
  });

  it('returns 32-byte-aligned payloads inside the arena for unaligned allocations', () => {
    for (const size of [1, 4, 31, 32, 33, 100, 1000, 5000]) {
      const ptr = arena.allocate(size, 7, false, BlockKind.Memory);
      expect(ptr, `size ${size}`).to.be.greaterThan(0);
      expect(ptr % 32, `size ${size}`).to.equal(0);
      expect(ptr - BLOCK_HEADER_BYTES).to.be.at.least(shm.layout.arenaBase);
      expect(ptr + size).to.be.at.most(shm.layout.arenaEnd);
    }
  });

  it('returns 64-byte-aligned payloads for cache-aligned allocations', () => {
    for (const size of [1, 32, 64, 65, 500, 4096]) {
      const ptr = arena.allocate(size, 7, true, BlockKind.Memory);
      expect(ptr, `size ${size}`).to.be.greaterThan(0);
      expect(ptr % LINE_BYTES, `size ${size}`).to.equal(0);
    }
  });

  it('records the tag, size, kind, alignment and state Allocated in the header', () => {
    const p = arena.allocate(40, 0x1234, true, BlockKind.WorkItem);
    const info = arena.info(p);
    expect(info).to.include({ ptr: p, tag: 0x1234, size: 40, state: BlockState.Allocated, aligned: true, kind: BlockKind.WorkItem, freedEpoch: 0 });
    expect(arena.state(p)).to.equal(BlockState.Allocated);
  });

  it('hands out zeroed payloads, even when reusing a poisoned block', () => {
    const p = arena.allocate(100, 1, false, BlockKind.Memory);
    expect(bytesOf(shm, p, 100).every((b) => b === 0)).to.equal(true);
    shm.u8.fill(0x5a, p, p + 100);
    arena.release(p);
    const q = arena.allocate(100, 1, false, BlockKind.Memory);
    expect(q).to.equal(p);
    expect(bytesOf(shm, q, 100).every((b) => b === 0)).to.equal(true);
  });

  it('release poisons the payload, bumps the generation and marks the block Free', () => {
    const p = arena.allocate(48, 3, false, BlockKind.Memory);
    shm.u8.fill(0x11, p, p + 48);
    const gen = arena.generation(p);
    arena.release(p);
    expect(bytesOf(shm, p, 48).every((b) => b === POISON_BYTE)).to.equal(true);
    expect(arena.generation(p)).to.equal(gen + 1);
    expect(arena.state(p)).to.equal(BlockState.Free);
    expect(arena.info(p).state).to.equal(BlockState.Free);
  });

  it('keeps bumping the generation across reuse, so a stale reference can tell', () => {
    const p = arena.allocate(16, 3, true, BlockKind.Memory);
    const gens = [arena.generation(p)];
    for (let i = 0; i < 3; i++) {
      arena.release(p);
      expect(arena.allocate(16, 3, true, BlockKind.Memory)).to.equal(p);
      gens.push(arena.generation(p));
    }
    expect(gens).to.deep.equal([gens[0], gens[0]! + 1, gens[0]! + 2, gens[0]! + 3]);
  });

  it('reuses a released block for the same size class and alignment only', () => {
    const unaligned = arena.allocate(100, 1, false, BlockKind.Memory);
    const aligned = arena.allocate(100, 1, true, BlockKind.Memory);
    arena.release(unaligned);
    arena.release(aligned);
    const used = arena.bytesUsed();
    // Same class (100 + header fits 256 B) and alignment: the freed block comes back.
    expect(arena.allocate(120, 2, false, BlockKind.Memory)).to.equal(unaligned);
    expect(arena.allocate(120, 2, true, BlockKind.Memory)).to.equal(aligned);
    expect(arena.bytesUsed()).to.equal(used);
    // A different class does not take either block.
    const other = arena.allocate(10, 2, false, BlockKind.Memory);
    expect(other).to.not.equal(unaligned);
    expect(other).to.not.equal(aligned);
    expect(arena.bytesUsed()).to.equal(used + SIZE_CLASS_MIN_BYTES);
  });

  it('does not give a released unaligned block to a cache-aligned request of the same class', () => {
    const p = arena.allocate(100, 1, false, BlockKind.Memory);
    arena.release(p);
    const q = arena.allocate(100, 1, true, BlockKind.Memory);
    expect(q).to.not.equal(p);
    expect(arena.state(p)).to.equal(BlockState.Free);
  });

  it('returns 0 instead of throwing when a small arena is exhausted', () => {
    const small = makeShm(4096);
    const a = new Arena(small);
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = a.allocate(32, 9, false, BlockKind.Memory); // 32 + 32-byte header: one 64-byte block
      if (p === 0) break;
      got.push(p);
    }
    expect(got.length).to.equal(4096 / SIZE_CLASS_MIN_BYTES);
    expect(new Set(got).size).to.equal(got.length);
    expect(() => a.allocate(32, 9, false, BlockKind.Memory)).to.not.throw();
    expect(a.allocate(32, 9, false, BlockKind.Memory)).to.equal(0);
    expect(a.allocate(1, 9, true, BlockKind.Memory)).to.equal(0);
    // The failed bumps were rolled back: the high-water mark is the arena size.
    expect(a.bytesUsed()).to.equal(4096);
    // After a release, the freed block satisfies the next request.
    a.release(got[5] as number);
    expect(a.allocate(32, 9, false, BlockKind.Memory)).to.equal(got[5]);
  });

  it('returns 0 for a request larger than the largest size class or of zero bytes', () => {
    expect(arena.allocate(1 << 20, 1, false, BlockKind.Memory)).to.equal(0);
    expect(arena.allocate(0, 1, false, BlockKind.Memory)).to.equal(0);
    expect(arena.allocate(-5, 1, false, BlockKind.Memory)).to.equal(0);
  });

  it('fails exactly the n-th allocation when allocFailAt names n', () => {
    shm.i32[Ctl.AllocFaultsOn] = 1;
    const faulty = new Arena(shm, new Set([3, 5]));
    const results = Array.from({ length: 7 }, () => faulty.allocate(16, 1, false, BlockKind.Memory));
    expect(results.map((p) => p === 0)).to.deep.equal([false, false, true, false, true, false, false]);
    expect(new Set(results.filter((p) => p !== 0)).size).to.equal(5);
  });

  it('walk visits every block carved from the arena exactly once, with its current state', () => {
    const made: { ptr: number; size: number; aligned: boolean; tag: number }[] = [];
    const specs: [number, boolean][] = [[8, false], [100, true], [3000, false], [64, true], [1, false], [70000, true]];
    specs.forEach(([size, aligned], i) => {
      const ptr = arena.allocate(size, 100 + i, aligned, i === 2 ? BlockKind.WorkItem : BlockKind.Memory);
      expect(ptr).to.be.greaterThan(0);
      made.push({ ptr, size, aligned, tag: 100 + i });
    });
    arena.release(made[1]!.ptr);
    arena.release(made[4]!.ptr);
    const seen: BlockInfo[] = [];
    arena.walk((b) => seen.push(b));
    expect(seen.map((b) => b.ptr)).to.deep.equal(made.map((m) => m.ptr));
    seen.forEach((b, i) => {
      const m = made[i]!;
      expect(b).to.include({ size: m.size, aligned: m.aligned, tag: m.tag });
      expect(b.state).to.equal(i === 1 || i === 4 ? BlockState.Free : BlockState.Allocated);
      expect(b.kind).to.equal(i === 2 ? BlockKind.WorkItem : BlockKind.Memory);
    });
  });

  it('walk visits nothing in a fresh arena', () => {
    let n = 0;
    arena.walk(() => { n++; });
    expect(n).to.equal(0);
  });

  it('isBlockPointer accepts payload pointers of blocks', () => {
    const a = arena.allocate(100, 1, false, BlockKind.Memory);
    const b = arena.allocate(100, 1, true, BlockKind.Memory);
    expect(arena.isBlockPointer(a)).to.equal(true);
    expect(arena.isBlockPointer(b)).to.equal(true);
    arena.release(a);
    expect(arena.isBlockPointer(a)).to.equal(true); // still a block, just free
  });

  it('isBlockPointer rejects NULL, pointers outside the arena and misaligned pointers', () => {
    const a = arena.allocate(200, 1, false, BlockKind.Memory);
    const b = arena.allocate(200, 1, true, BlockKind.Memory);
    const l = shm.layout;
    const wild = [
      0, 4, 64, // NULL and the control block
      l.scratchBase, l.arenaBase - 32, l.arenaBase, // before the first payload
      l.arenaEnd, l.arenaEnd + 32, shm.u8.length + 64, -32, // past the end, negative
      a + 1, a + 4, a + 16, a + 32, // misaligned, or interior where no block could start (unaligned block)
      b + 4, b + 16, b + 64, // misaligned, or interior where no block could start (aligned block)
    ];
    for (const p of wild) expect(arena.isBlockPointer(p), `pointer ${p}`).to.equal(false);
  });

  it('isBlockPointer rejects interior pointers of a block, even where a payload could start', () => {
    const a = arena.allocate(200, 1, false, BlockKind.Memory); // 256-byte block, payload at start + 32
    const b = arena.allocate(200, 1, true, BlockKind.Memory); // 256-byte block, payload at start + 64
    // Each of these sits 32 bytes past a 64-byte line, like a real payload,
    // but points into the middle of a zeroed payload, not at a block.
    for (const p of [a + 64, a + 128, b + 32, b + 96]) {
      expect(arena.isBlockPointer(p), `interior pointer ${p} (blocks at ${a}, ${b})`).to.equal(false);
    }
  });

  it('isBlockPointer rejects a pointer into arena space that was never carved into blocks', () => {
    const a = arena.allocate(16, 1, false, BlockKind.Memory);
    const top = shm.layout.arenaBase + arena.bytesUsed(); // the bump pointer: nothing allocated at or past it
    expect(top).to.equal(a - BLOCK_HEADER_BYTES + SIZE_CLASS_MIN_BYTES);
    for (const p of [top + BLOCK_HEADER_BYTES, top + LINE_BYTES, top + 4096 + BLOCK_HEADER_BYTES]) {
      expect(arena.isBlockPointer(p), `pointer ${p} (bump pointer at ${top})`).to.equal(false);
    }
  });
});

/**
 * The memory checker's cost per access, single thread (tinybench, warm-up on).
 *
 * Tasks, each a loop of 10,000 iterations of one readU32 and one writeU32 in
 * a live 64-byte arena block (lane 0 of a small Shm: 1 CPU, no maps, 1 MiB
 * arena), through:
 *   - the plain Memory a provider gets with --no-check;
 *   - the CheckedMemory it gets while the checker is on (each access looks
 *     its block up in the line map and reads its header);
 * plus the same pair on the lane's own scratch buffer through CheckedMemory
 * (the pointers a callback gets for keys and values).
 * Prints ns per read+write pair (p50 latency / 10,000) and the ratio to plain.
 */
import { Bench } from 'tinybench';
import { Shm } from '../src/shm/shm.js';
import { Arena } from '../src/shm/arena.js';
import { Memory } from '../src/shm/memory.js';
import { CheckedMemory } from '../src/shm/checked-memory.js';
import { BlockKind, Ctl, Scratch, scratchByte } from '../src/shm/layout.js';

const LOOP = 10_000;
const BLOCK_BYTES = 64;
const PLAIN = 'plain Memory (--no-check)';
const CHECKED = 'CheckedMemory, arena block';
const SCRATCH = 'CheckedMemory, own scratch';

/** One loop per memory class, so each call site sees one class only (as in a run, where every lane has the same kind). */
function readWritePlain(mem: Memory, ptr: number): void {
  for (let i = 0; i < LOOP; i++) {
    const at = ptr + ((i & 15) << 2);
    mem.writeU32(at, mem.readU32(at) + 1);
  }
}

function readWriteChecked(mem: CheckedMemory, ptr: number): void {
  for (let i = 0; i < LOOP; i++) {
    const at = ptr + ((i & 15) << 2);
    mem.writeU32(at, mem.readU32(at) + 1);
  }
}

function readWriteScratch(mem: CheckedMemory, ptr: number): void {
  for (let i = 0; i < LOOP; i++) {
    const at = ptr + ((i & 15) << 2);
    mem.writeU32(at, mem.readU32(at) + 1);
  }
}

function nsPerPair(bench: Bench, name: string): number {
  const r = bench.getTask(name)?.result;
  if (r?.state !== 'completed') throw new Error(`${name}: task did not complete (${r?.state ?? 'missing'})`);
  return (r.latency.p50 * 1e6) / LOOP;
}

async function main(): Promise<void> {
  const shm = Shm.create({ cpus: 1, mapBuckets: [], arenaBytes: 2 ** 20, traceRecords: 64 }, 1);
  shm.lane = 0;
  shm.i32[Ctl.TraceOn] = 1; // the checked arena: red zones, as in a checked run
  const arena = new Arena(shm);
  const plain = new Memory(shm, () => { throw new Error('no stale access expected'); });
  const checked = new CheckedMemory(shm, arena, plain, 0, (_rule, _block, message) => { throw new Error(message); });
  const block = arena.allocate(BLOCK_BYTES, 1, false, BlockKind.Memory);
  const scratch = scratchByte(shm.layout, 0, Scratch.ValueIn);
  const bench = new Bench({ warmup: true, time: 500 });
  bench.add(PLAIN, () => readWritePlain(plain, block));
  bench.add(CHECKED, () => readWriteChecked(checked, block));
  bench.add(SCRATCH, () => readWriteScratch(checked, scratch));
  await bench.run();
  const base = nsPerPair(bench, PLAIN);
  console.log('checked-memory: one readU32 + one writeU32 per iteration, 10,000 iterations per sample');
  for (const name of [PLAIN, CHECKED, SCRATCH]) {
    const ns = nsPerPair(bench, name);
    console.log(`  ${name.padEnd(30)} ${ns.toFixed(1).padStart(6)} ns per pair  ${(ns / base).toFixed(2)}x`);
  }
}

await main();

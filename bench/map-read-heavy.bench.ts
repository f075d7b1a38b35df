/**
 * Read-heavy map benchmark, one question of `epochlab bench`: how far is
 * epochlab from the bare minimum on conc-map-bench's ReadHeavy mix? The
 * same as `epochlab bench --only readheavy` (src/bench/ does the work):
 * epochlab on both paths at 1..N CPUs, interleaved with a JS Map, the
 * one-load floor and the same-shape floor.
 *
 * Env: BENCH_SEED (default 1), BENCH_REPS (default 3; medians are reported).
 */
import { availableParallelism } from 'node:os';
import { runBench } from '../src/bench/bench.js';
import { toTable } from '../src/bench/output.js';

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isSafeInteger(v) && v > 0 ? v : fallback;
};

const n = Math.min(64, availableParallelism());
const result = await runBench({
  cpus: Array.from({ length: n }, (_, i) => i + 1), durationMs: 1000, reps: envInt('BENCH_REPS', 3),
  mixes: ['ReadHeavy'], sections: ['mixes'], log2Capacity: 16, seed: envInt('BENCH_SEED', 1),
});
console.log(toTable(result));

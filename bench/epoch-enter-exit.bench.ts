/**
 * Epoch enter/exit cost, one question of `epochlab bench` (the same as
 * `epochlab bench --only micro`; src/bench/micro.ts does the work): an
 * enter + exit pair on one lane against two bare Atomics.store, tinybench
 * p50 per pair, repeated A B A B. Target (reported, not asserted): within
 * 2x of two stores.
 */
import { runBench } from '../src/bench/bench.js';
import { toTable } from '../src/bench/output.js';

const result = await runBench({ cpus: [1], durationMs: 1000, reps: 3, mixes: [], sections: ['micro'], log2Capacity: 16, seed: 1 });
console.log(toTable(result));

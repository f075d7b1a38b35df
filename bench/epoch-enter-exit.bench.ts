/**
 * Epoch enter/exit cost, single thread (tinybench, warm-up on).
 *
 * Tasks, each a loop of 10,000 iterations:
 *   - EpochLane enter + exit on one pre-allocated epoch_state slot (lane 0 of
 *     a small Shm: 1 CPU, no maps, 1 MiB arena, 64 trace records, trace off);
 *   - the same plus allocateState/releaseState (what a program batch does);
 *   - the baseline: two bare Atomics.store on an Int32Array over a
 *     SharedArrayBuffer (bench/floor.ts twoStores: a benchmark's own
 *     baseline, the one place outside src/shm/ that calls Atomics).
 * Prints ns per pair (p50 latency / 10,000) and the ratio to the baseline.
 * Target (reported, not asserted): enter+exit within 2x of two stores.
 */
import { Bench } from 'tinybench';
import { Shm } from '../src/shm/shm.js';
import { Ctl } from '../src/shm/layout.js';
import { baselineWords, twoStores } from './floor.js';
import { LaneContext } from '../src/runtime/lane-context.js';
import type { EpochLane } from '../src/epoch/epoch-lane.js';

const LOOP = 10_000;
const SEED = 1;
const ENTER_EXIT = 'epoch enter+exit';
const WITH_STATE = 'allocateState+enter+exit+releaseState';
const TWO_STORES = 'two Atomics.store (baseline)';

function makeLane(): EpochLane {
  const shm = Shm.create({ cpus: 1, mapBuckets: [], arenaBytes: 2 ** 20, traceRecords: 64 }, SEED);
  if (shm.i32[Ctl.TraceOn] !== 0) throw new Error('trace must be off for this bench');
  shm.lane = 0;
  return new LaneContext(shm, 0).epoch;
}

function enterExit(epoch: EpochLane, state: number): void {
  for (let i = 0; i < LOOP; i++) {
    epoch.enter(state);
    epoch.exit(state);
  }
}

function withState(epoch: EpochLane): void {
  for (let i = 0; i < LOOP; i++) {
    const state = epoch.allocateState();
    epoch.enter(state);
    epoch.exit(state);
    epoch.releaseState(state);
  }
}

/** ns per iteration of a completed task, from its p50 latency. */
function nsPerIteration(bench: Bench, name: string): number {
  const r = bench.getTask(name)?.result;
  if (r?.state !== 'completed') throw new Error(`${name}: task did not complete (${r?.state ?? 'missing'})`);
  return (r.latency.p50 * 1e6) / LOOP;
}

async function main(): Promise<void> {
  const epoch = makeLane();
  const state = epoch.allocateState();
  const words = baselineWords(64);
  const bench = new Bench({ name: 'epoch-enter-exit', time: 1000, warmup: true, warmupTime: 300 });
  bench
    .add(ENTER_EXIT, () => enterExit(epoch, state))
    .add(WITH_STATE, () => withState(epoch))
    .add(TWO_STORES, () => twoStores(words, LOOP));
  await bench.run();
  if (epoch.inEpoch()) throw new Error('lane left inside an epoch');
  const pair = nsPerIteration(bench, ENTER_EXIT);
  const full = nsPerIteration(bench, WITH_STATE);
  const stores = nsPerIteration(bench, TWO_STORES);
  console.log(`\nepoch-enter-exit: ${LOOP} iterations per task, tinybench p50`);
  console.table([
    { task: ENTER_EXIT, 'ns per pair': pair.toFixed(2), 'x two stores': (pair / stores).toFixed(2) },
    { task: WITH_STATE, 'ns per pair': full.toFixed(2), 'x two stores': (full / stores).toFixed(2) },
    { task: TWO_STORES, 'ns per pair': stores.toFixed(2), 'x two stores': '1.00' },
  ]);
  console.log('target: enter+exit within 2x of two stores (reported, not asserted)');
  console.log(`config: Node ${process.version}, seed ${SEED}, trace off`);
}

await main();

/**
 * The micro-benchmark of `epochlab bench` (tinybench, warm-up on): an epoch
 * enter + exit pair on one lane (trace off) against its floor, two bare
 * Atomics.store on separate lines (src/shm/floor-table.ts twoStores). Each
 * task iteration is LOOP pairs; a figure is ns per pair from tinybench's
 * p50. The caller repeats the pair of tasks (A B A B) for the spread.
 */
import { Bench } from 'tinybench';
import { Shm } from '../shm/shm.js';
import { Ctl } from '../shm/layout.js';
import { baselineWords, twoStores } from '../shm/floor-table.js';
import { LaneContext } from '../runtime/lane-context.js';

type EpochLane = LaneContext['epoch'];

const LOOP = 10_000;
const ENTER_EXIT = 'epoch enter+exit';
const TWO_STORES = 'two Atomics.store';


function enterExit(epoch: EpochLane, state: number): void {
  for (let i = 0; i < LOOP; i++) {
    epoch.enter(state);
    epoch.exit(state);
  }
}

/** ns per pair: the task's p50 over LOOP. */
function nsPerPair(bench: Bench, name: string): number {
  const r = bench.getTask(name)?.result;
  if (r?.state !== 'completed') throw new Error(`${name}: task did not complete (${r?.state ?? 'missing'})`);
  return (r.latency.p50 * 1e6) / LOOP;
}

/** Both tasks, `timeMs` each; tinybench runs them one after the other within this call. */
export async function epochMicro(timeMs: number): Promise<{ enterExit: number; twoStores: number }> {
  const shm = Shm.create({ cpus: 1, mapBuckets: [], arenaBytes: 2 ** 20, traceRecords: 64 }, 1);
  if (shm.i32[Ctl.TraceOn] !== 0) throw new Error('trace must be off for this bench');
  shm.lane = 0;
  const epoch = new LaneContext(shm, 0).epoch;
  const state = epoch.allocateState();
  const words = baselineWords(64);
  const bench = new Bench({ name: 'epoch-enter-exit', time: timeMs, warmup: true, warmupTime: Math.min(300, timeMs) });
  bench.add(ENTER_EXIT, () => enterExit(epoch, state)).add(TWO_STORES, () => twoStores(words, LOOP));
  await bench.run();
  if (epoch.inEpoch()) throw new Error('lane left inside an epoch');
  return { enterExit: nsPerPair(bench, ENTER_EXIT), twoStores: nsPerPair(bench, TWO_STORES) };
}

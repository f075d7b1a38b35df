/**
 * Read-heavy map benchmark: how far is epochlab from the bare minimum?
 *
 * Workload: 98% find, 1% update, 1% delete over keys 0..65535 (all prefilled),
 * DISPATCH program batches of 64 helper calls on one `passthrough` map
 * (keySize 4, valueSize 8, maxEntries 131072), tracing off. Measured:
 *   a. epochlab end to end (runPlan) at 1 CPU and at N = availableParallelism() CPUs;
 *   b. a single-threaded JS Map<number, number> on CPU 0's op stream (tinybench, warm-up on);
 *   c. the floor: a bare lock-free Atomics.load lookup loop over an Int32 table
 *      in a SharedArrayBuffer (bench/floor.ts), at 1 and N worker threads.
 * Op streams mirror src/runtime/workload.ts: `new Prng(seed, cpu + 1)`, then per
 * op below(keyRange), below(100), and nextU32() for an update's value.
 *
 * Env: BENCH_SEED (default 1), BENCH_REPS (default 1; medians are reported).
 * Targets are printed, not asserted.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { compileScenario } from '../src/scenario/scenario.js';
import { runPlan } from '../src/runtime/runner.js';
import { Prng } from '../src/contract/prng.js';
import {
  attachFloorTable, buildFloorTable, createStartGate, floorLookup, floorValueOf, releaseStartGate,
} from './floor.js';
import type { FloorJob, FloorMessage } from './floor-worker.js';

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isSafeInteger(v) && v > 0 ? v : fallback;
};

const SEED = envInt('BENCH_SEED', 1);
const REPS = envInt('BENCH_REPS', 1);
const N = Math.min(64, availableParallelism());
const KEY_RANGE = 65_536;
const PREFILL = 65_536;
const MIX = { find: 98, update: 1, delete: 1 } as const;
const DURATION_MS = 1500;
const FLOOR_MS = 1500;
const STREAM_LENGTH = 1 << 20;
const CHUNK = 10_000;
const Op = { Find: 0, Update: 1, Delete: 2 } as const;

interface OpStream { op: Uint8Array; key: Int32Array; value: Uint32Array }
interface Measured { opsPerSec: number; nsPerOpPerThread: number; note: string }

/** CPU `cpu`'s op stream, drawn exactly like WorkloadRunner.nextOp for a single map. */
function makeStream(cpu: number, length: number): OpStream {
  const rng = new Prng(SEED, cpu + 1);
  const s: OpStream = { op: new Uint8Array(length), key: new Int32Array(length), value: new Uint32Array(length) };
  for (let i = 0; i < length; i++) {
    s.key[i] = rng.below(KEY_RANGE);
    const r = rng.below(100);
    if (r < MIX.find) s.op[i] = Op.Find;
    else if (r < MIX.find + MIX.update) {
      s.op[i] = Op.Update;
      s.value[i] = rng.nextU32();
    } else s.op[i] = Op.Delete;
  }
  return s;
}

function scenario(cpus: number): Record<string, unknown> {
  return {
    name: 'bench-map-read-heavy', cpus, seed: SEED,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 131_072 } },
    workload: {
      findPct: MIX.find, updatePct: MIX.update, deletePct: MIX.delete, keyRange: KEY_RANGE,
      opsPerCpu: 1e9, batchSize: 64, durationMs: DURATION_MS, irql: 'DISPATCH', prefill: PREFILL,
    },
  };
}

/** One epochlab run. RunReport.ops counts the prefill too; ops/s here counts only the timed phase. */
async function runEpochlab(cpus: number): Promise<Measured & { reportOpsPerSec: number }> {
  const plan = await compileScenario(scenario(cpus), 'bench:map-read-heavy', process.cwd(), { cpus, seed: SEED });
  plan.trace = false;
  const r = await runPlan(plan);
  const timedOps = r.ops - PREFILL;
  const opsPerSec = timedOps / (r.elapsedMs / 1000);
  return {
    opsPerSec, reportOpsPerSec: r.opsPerSec, nsPerOpPerThread: (r.elapsedMs * 1e6 * cpus) / timedOps,
    note: `verdict ${r.verdict}, ${timedOps} ops in ${r.elapsedMs} ms, RunReport.opsPerSec ${fmt(r.opsPerSec)}`,
  };
}

function prefilledMap(): Map<number, number> {
  const rng = new Prng(SEED, 0x7e11);
  const map = new Map<number, number>();
  for (let k = 0; k < PREFILL; k++) map.set(k, rng.nextU32());
  return map;
}

function mapChunk(map: Map<number, number>, s: OpStream, from: number, n: number): number {
  const mask = s.op.length - 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const j = (from + i) & mask;
    const key = s.key[j] as number;
    const op = s.op[j] as number;
    if (op === Op.Find) sum = (sum + (map.get(key) ?? 0)) | 0;
    else if (op === Op.Update) map.set(key, s.value[j] as number);
    else map.delete(key);
  }
  return sum;
}

/** JS Map on CPU 0's stream: tinybench, each iteration CHUNK ops, p50 latency. */
async function benchJsMap(): Promise<Measured> {
  const stream = makeStream(0, STREAM_LENGTH);
  const map = prefilledMap();
  let pos = 0;
  let sink = 0;
  const bench = new Bench({ name: 'js-map', time: 1000, warmup: true, warmupTime: 300 });
  bench.add('js-map', () => {
    sink = (sink + mapChunk(map, stream, pos, CHUNK)) | 0;
    pos = (pos + CHUNK) & (STREAM_LENGTH - 1);
  });
  await bench.run();
  const r = bench.getTask('js-map')?.result;
  if (r?.state !== 'completed') throw new Error(`js-map bench did not complete (${r?.state ?? 'missing'})`);
  const ns = (r.latency.p50 * 1e6) / CHUNK;
  return { opsPerSec: 1e9 / ns, nsPerOpPerThread: ns, note: `tinybench p50 of ${r.latency.samplesCount} x ${CHUNK} ops (checksum ${sink})` };
}

function nextMessage(w: Worker): Promise<FloorMessage> {
  return new Promise((resolve, reject) => {
    const off = (): void => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
    const onMessage = (m: FloorMessage): void => { off(); resolve(m); };
    const onError = (e: Error): void => { off(); reject(e); };
    const onExit = (code: number): void => { off(); reject(new Error(`floor worker exited with code ${code}`)); };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}

/** The floor at `threads` worker threads: warm-up, released together, aggregate = total ops / main wall time. */
async function runFloor(table: SharedArrayBuffer, streams: Int32Array[], threads: number): Promise<Measured> {
  const gate = createStartGate();
  const url = new URL('./floor-worker.js', import.meta.url);
  const workers = streams.slice(0, threads).map((keys) => new Worker(url, {
    workerData: { table, gate, keys, warmupOps: 400_000, durationMs: FLOOR_MS, startTimeoutMs: 30_000 } satisfies FloorJob,
  }));
  try {
    const ready = await Promise.all(workers.map(nextMessage));
    if (ready.some((m) => m.type !== 'ready')) throw new Error(`floor worker not ready: ${JSON.stringify(ready)}`);
    const finished = Promise.all(workers.map(nextMessage));
    const started = performance.now();
    releaseStartGate(gate);
    const done = await finished;
    const wallMs = performance.now() - started;
    let ops = 0;
    let nsSum = 0;
    for (const m of done) {
      if (m.type !== 'done') throw new Error(`floor worker failed: ${JSON.stringify(m)}`);
      ops += m.ops;
      nsSum += (m.ms * 1e6) / m.ops;
    }
    return { opsPerSec: ops / (wallMs / 1000), nsPerOpPerThread: nsSum / threads, note: `${ops} lookups, wall ${wallMs.toFixed(0)} ms` };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Every prefilled key is found with its value (the floor does real lookups). */
function checkFloorTable(table: SharedArrayBuffer): void {
  const t = attachFloorTable(table);
  for (let k = 0; k < PREFILL; k++) {
    if (floorLookup(t, k) !== floorValueOf(k)) throw new Error(`floor table lost key ${k}`);
  }
  if (floorLookup(t, PREFILL) !== -1) throw new Error('floor table found a key it never stored');
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.opsPerSec - b.opsPerSec);
  return sorted[(sorted.length - 1) >> 1] as Measured;
}

interface Results { e1: Measured; eN: Measured; js: Measured; f1: Measured; fN: Measured }

async function measure(): Promise<Results> {
  const table = buildFloorTable(PREFILL, 17);
  checkFloorTable(table);
  const streams = Array.from({ length: N }, (_, cpu) => makeStream(cpu, STREAM_LENGTH).key);
  const runs: Record<keyof Results, Measured[]> = { e1: [], eN: [], js: [], f1: [], fN: [] };
  for (let rep = 0; rep < REPS; rep++) {
    runs.e1.push(await runEpochlab(1));
    if (N > 1) runs.eN.push(await runEpochlab(N));
    runs.js.push(await benchJsMap());
    runs.f1.push(await runFloor(table, streams, 1));
    if (N > 1) runs.fN.push(await runFloor(table, streams, N));
  }
  const e1 = median(runs.e1);
  const f1 = median(runs.f1);
  return { e1, eN: N > 1 ? median(runs.eN) : e1, js: median(runs.js), f1, fN: N > 1 ? median(runs.fN) : f1 };
}

function print(r: Results): void {
  const row = (what: string, threads: number, m: Measured): Record<string, string | number> => ({
    measurement: what, threads, 'ops/s': fmt(m.opsPerSec), 'ns/op per thread': m.nsPerOpPerThread.toFixed(1), note: m.note,
  });
  console.log(`\nmap-read-heavy: ${MIX.find}/${MIX.update}/${MIX.delete} find/update/delete, ${KEY_RANGE} keys prefilled, passthrough, DISPATCH batches of 64`);
  console.table([
    row('epochlab', 1, r.e1), row('epochlab', N, r.eN), row('JS Map (single thread)', 1, r.js),
    row('floor (lock-free SAB lookups)', 1, r.f1), row('floor (lock-free SAB lookups)', N, r.fN),
  ]);
  const ratio = (a: Measured, b: Measured): string => `${(a.opsPerSec / b.opsPerSec).toFixed(3)}x`;
  console.table([
    { ratio: `epochlab ${N}-CPU / floor ${N}-thread`, value: ratio(r.eN, r.fN) },
    { ratio: `epochlab ${N}-CPU / JS Map`, value: ratio(r.eN, r.js) },
    { ratio: 'epochlab 1-CPU / floor 1-thread', value: ratio(r.e1, r.f1) },
    { ratio: 'epochlab 1-CPU / JS Map', value: ratio(r.e1, r.js) },
  ]);
  console.log('target: >= 0.8x floor and >= 1.5x JS Map at 2 CPUs (reported, not asserted)');
  console.log(`config: CPUs ${N}, Node ${process.version}, seed ${SEED}, reps ${REPS} (median), ` +
    `epochlab durationMs ${DURATION_MS}, floor ${FLOOR_MS} ms per thread after warm-up, op stream ${STREAM_LENGTH} per CPU, ` +
    `load average (1 min) ${loadAtStart.toFixed(2)} at start / ${loadavg()[0]!.toFixed(2)} at end`);
}

const loadAtStart = loadavg()[0]!;
print(await measure());

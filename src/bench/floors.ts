/**
 * The two multithreaded floors, measured on the main thread's behalf by
 * worker threads (workers/bench-floor.ts): the one-load floor (every op one
 * lock-free lookup) and the same-shape floor (the op stream as is, on a
 * table shaped like epochlab's). Threads warm up, are released together by
 * a start gate, and run for the same duration; throughput = total ops /
 * wall time from the release to the last `done`.
 */
import { Worker } from 'node:worker_threads';
import { buildFloorTable, createStartGate, releaseStartGate } from '../shm/floor-table.js';
import { ShapeFloorThread, createShapeFloor, shapeFloorArenaBytes, FloorOp, type ShapeFloorConfig } from '../shm/shape-floor.js';
import { workerPath } from '../runtime/worker-path.js';
import { VALUE_BYTES, prefillValues, type OpStream } from './mixes.js';
import type { FloorJob, FloorKind, FloorMessage } from './floor-worker.js';
import type { Sample } from './stats.js';

const WARMUP_OPS = 200_000;
const START_TIMEOUT_MS = 30_000;

/** A floor's table, built once per mix and reused by every measurement. */
export interface FloorTables {
  oneLoad: SharedArrayBuffer;
  /** Built afresh per measurement (writers change it): the recipe. */
  shape: { config: ShapeFloorConfig; prefill: number; seed: number };
}

/** The one-load floor's table holds 75 % of the capacity (even for a mix that starts empty: a table of misses is no floor). */
export function floorTables(capacity: number, prefill: number, seed: number): FloorTables {
  const log2 = Math.log2(capacity);
  const oneLoad = buildFloorTable(Math.floor(capacity * 0.75), log2 + 1);
  const config: ShapeFloorConfig = { log2Slots: log2, valueBytes: VALUE_BYTES, arenaBytes: 0 };
  return { oneLoad, shape: { config, prefill, seed } };
}

/** A same-shape table for `threads` writers with keys 0..prefill-1 (plain writes, before any worker sees it). */
function shapeTable(t: FloorTables['shape'], threads: number): { sab: SharedArrayBuffer; config: ShapeFloorConfig } {
  const config = { ...t.config, arenaBytes: shapeFloorArenaBytes(2 ** t.config.log2Slots, threads + 1) };
  const sab = createShapeFloor(config);
  const writer = new ShapeFloorThread(sab, config);
  const values = prefillValues(t.prefill, t.seed);
  for (let k = 0; k < t.prefill; k++) writer.write(FloorOp.Upsert, k, values[k] as number);
  return { sab, config };
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

/** One floor measurement at `streams.length` threads. */
export async function runFloor(kind: FloorKind, tables: FloorTables, streams: OpStream[], durationMs: number): Promise<Sample> {
  const gate = createStartGate();
  const shape = kind === 'same-shape' ? shapeTable(tables.shape, streams.length) : null;
  const table = shape ? shape.sab : tables.oneLoad;
  const url = new URL(workerPath('bench-floor'));
  const workers = streams.map((stream) => new Worker(url, {
    workerData: {
      kind, table, gate, stream, warmupOps: WARMUP_OPS, durationMs, startTimeoutMs: START_TIMEOUT_MS,
      ...(shape ? { shape: shape.config } : {}),
    } satisfies FloorJob,
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
    for (const m of done) {
      if (m.type !== 'done') throw new Error(`floor worker failed: ${JSON.stringify(m)}`);
      ops += m.ops;
    }
    return { ops, ms: wallMs };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

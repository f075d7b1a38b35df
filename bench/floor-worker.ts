/**
 * Worker entry for the floor benchmark (bench/map-read-heavy.bench.ts): one
 * thread running the bare lock-free lookup loop of bench/floor.ts.
 *
 * Protocol (reference/toolchain.md §5): take the key stream from workerData,
 * run an untimed warm-up, post `ready`, block on the start gate (bounded
 * waits), then run timed chunks until `durationMs` is up and post `done`
 * with the ops done and the thread's own elapsed time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attachFloorTable, awaitStartGate, floorLoop } from './floor.js';

export interface FloorJob {
  table: SharedArrayBuffer;
  gate: SharedArrayBuffer;
  /** This thread's key stream; its length is a power of two. */
  keys: Int32Array;
  warmupOps: number;
  durationMs: number;
  startTimeoutMs: number;
}

export type FloorMessage =
  | { type: 'ready' }
  | { type: 'done'; ops: number; ms: number; checksum: number }
  | { type: 'failed'; reason: string };

const CHUNK = 8192;

function run(job: FloorJob, post: (m: FloorMessage) => void): void {
  const table = attachFloorTable(job.table);
  const keyMask = job.keys.length - 1;
  let checksum = 0;
  let pos = 0;
  for (let done = 0; done < job.warmupOps; done += CHUNK) {
    checksum = (checksum + floorLoop(table, job.keys, pos, CHUNK)) | 0;
    pos = (pos + CHUNK) & keyMask;
  }
  post({ type: 'ready' });
  if (!awaitStartGate(job.gate, job.startTimeoutMs)) {
    post({ type: 'failed', reason: `not released within ${job.startTimeoutMs} ms` });
    return;
  }
  const started = performance.now();
  const deadline = started + job.durationMs;
  let ops = 0;
  while (performance.now() < deadline) {
    checksum = (checksum + floorLoop(table, job.keys, pos, CHUNK)) | 0;
    pos = (pos + CHUNK) & keyMask;
    ops += CHUNK;
  }
  post({ type: 'done', ops, ms: performance.now() - started, checksum });
}

if (parentPort !== null) {
  const port = parentPort;
  run(workerData as FloorJob, (m) => port.postMessage(m));
}

/**
 * Worker entry for bench/controlled-steps.bench.ts: one side of a bare
 * Atomics.wait/notify ping-pong (bench/floor.ts pingPong).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pingPong } from './floor.js';

export interface PingPongJob {
  sab: SharedArrayBuffer;
  me: number;
  hops: number;
}

if (parentPort !== null) {
  const job = workerData as PingPongJob;
  const started = performance.now();
  const ok = pingPong(job.sab, job.me, job.hops);
  parentPort.postMessage({ ok, ms: performance.now() - started });
}

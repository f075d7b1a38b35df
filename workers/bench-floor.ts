/** Worker entry of one floor thread of `epochlab bench` (src/bench/floor-worker.ts does the work). */
import { parentPort, workerData } from 'node:worker_threads';
import { runFloorJob, type FloorJob } from '../src/bench/floor-worker.js';

if (parentPort !== null) {
  const port = parentPort;
  runFloorJob(workerData as FloorJob, (m) => port.postMessage(m));
}

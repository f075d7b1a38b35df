/**
 * The body of one floor thread (workers/bench-floor.ts is its entry): run
 * an op stream against the one-load floor table (src/shm/floor-table.ts)
 * or the same-shape table (src/shm/shape-floor.ts).
 *
 * Protocol: an untimed warm-up, post `ready`, block on the start gate
 * (bounded waits), then timed chunks until `durationMs` is up; post `done`
 * with the ops done and the thread's own elapsed time.
 */
import { attachFloorTable, awaitStartGate, floorLookup, type FloorTable } from '../shm/floor-table.js';
import { FloorOp, ShapeFloorThread, type ShapeFloorConfig } from '../shm/shape-floor.js';
import type { OpStream } from './mixes.js';

export type FloorKind = 'one-load' | 'same-shape';

export interface FloorJob {
  kind: FloorKind;
  table: SharedArrayBuffer;
  /** same-shape only. */
  shape?: ShapeFloorConfig;
  gate: SharedArrayBuffer;
  /** This thread's op stream (its length is a power of two); the one-load floor looks every key up. */
  stream: OpStream;
  warmupOps: number;
  durationMs: number;
  startTimeoutMs: number;
}

export type FloorMessage =
  | { type: 'ready' }
  | { type: 'done'; ops: number; ms: number; checksum: number }
  | { type: 'failed'; reason: string };

const CHUNK = 4096;

type Chunk = (from: number) => number;

function oneLoadChunk(t: FloorTable, s: OpStream): Chunk {
  const mask = s.key.length - 1;
  return (from) => {
    let sum = 0;
    for (let i = 0; i < CHUNK; i++) sum = (sum + floorLookup(t, s.key[(from + i) & mask] as number)) | 0;
    return sum;
  };
}

function shapeChunk(t: ShapeFloorThread, s: OpStream): Chunk {
  const mask = s.key.length - 1;
  return (from) => {
    let sum = 0;
    for (let i = 0; i < CHUNK; i++) {
      const j = (from + i) & mask;
      const op = s.op[j] as number;
      if (op === FloorOp.Find) sum = (sum + t.find(s.key[j] as number)) | 0;
      else if (t.write(op, s.key[j] as number, s.value[j] as number)) sum = (sum + 1) | 0;
    }
    return sum;
  };
}

export function runFloorJob(job: FloorJob, post: (m: FloorMessage) => void): void {
  const chunk = job.kind === 'one-load'
    ? oneLoadChunk(attachFloorTable(job.table), job.stream)
    : shapeChunk(new ShapeFloorThread(job.table, job.shape!), job.stream);
  const mask = job.stream.key.length - 1;
  let checksum = 0;
  let pos = 0;
  for (let done = 0; done < job.warmupOps; done += CHUNK) {
    checksum = (checksum + chunk(pos)) | 0;
    pos = (pos + CHUNK) & mask;
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
    checksum = (checksum + chunk(pos)) | 0;
    pos = (pos + CHUNK) & mask;
    ops += CHUNK;
  }
  post({ type: 'done', ops, ms: performance.now() - started, checksum });
}

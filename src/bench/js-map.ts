/**
 * The single-threaded JS `Map` baseline: CPU 0's op stream of a mix
 * replayed on a Map<number, number> prefilled like the epochlab map
 * (tinybench, warm-up on; each task iteration is CHUNK ops). Inserts set
 * only an absent key, updates only a present one, as the scenario's
 * BPF_NOEXIST / BPF_EXIST do.
 */
import { Bench } from 'tinybench';
import { FloorOp } from '../shm/shape-floor.js';
import { prefillValues, type OpStream } from './mixes.js';
import type { Sample } from './stats.js';

const CHUNK = 8192;

function mapChunk(map: Map<number, number>, s: OpStream, from: number): number {
  const mask = s.op.length - 1;
  let sum = 0;
  for (let i = 0; i < CHUNK; i++) {
    const j = (from + i) & mask;
    const key = s.key[j] as number;
    const op = s.op[j] as number;
    if (op === FloorOp.Find) sum = (sum + (map.get(key) ?? 0)) | 0;
    else if (op === FloorOp.Delete) map.delete(key);
    else if (op === FloorOp.Upsert || map.has(key) === (op === FloorOp.UpdateExisting)) map.set(key, s.value[j] as number);
  }
  return sum;
}

/** One measurement: tinybench for `durationMs` (after its warm-up); the ops and time of the samples it took. */
export async function runJsMap(stream: OpStream, prefill: number, seed: number, durationMs: number): Promise<Sample> {
  const values = prefillValues(prefill, seed);
  const map = new Map<number, number>();
  for (let k = 0; k < prefill; k++) map.set(k, values[k] as number);
  let pos = 0;
  let sink = 0;
  const bench = new Bench({ name: 'js-map', time: durationMs, warmup: true, warmupTime: Math.min(200, durationMs) });
  bench.add('js-map', () => {
    sink = (sink + mapChunk(map, stream, pos)) | 0;
    pos = (pos + CHUNK) & (stream.op.length - 1);
  });
  await bench.run();
  const r = bench.getTask('js-map')?.result;
  if (r?.state !== 'completed') throw new Error(`js-map bench did not complete (${r?.state ?? 'missing'})`);
  if (sink === 0.5) throw new Error('unreachable'); // keeps the checksum alive
  // The median sample's time for every sample: tinybench's p50, as a throughput over what it ran.
  return { ops: r.latency.samplesCount * CHUNK, ms: r.latency.samplesCount * r.latency.p50 };
}

/**
 * The workload mixes of conc-map-bench (bustle's ReadHeavy, Exchange and
 * RapidGrow), as epochlab scenarios and as the op streams the baselines
 * replay.
 *
 * Mapping to a scenario's workload: bustle's read -> findPct, insert ->
 * insertPct (an update with BPF_NOEXIST), update -> updatePct with
 * updateOption EXIST (bustle updates only a key that is there), remove ->
 * deletePct. Keys are drawn uniformly from 0..capacity-1 (bustle draws from
 * each thread's own key set instead); prefill inserts keys 0..P-1 with
 * P = prefill % of the capacity.
 */
import { Prng } from '../contract/prng.js';
import { FloorOp } from '../shm/shape-floor.js';

export interface Mix {
  name: 'ReadHeavy' | 'Exchange' | 'RapidGrow';
  read: number;
  insert: number;
  remove: number;
  update: number;
  /** % of the capacity inserted before the timed phase. */
  prefillPct: number;
}

export const MIXES: readonly Mix[] = [
  { name: 'ReadHeavy', read: 98, insert: 1, remove: 1, update: 0, prefillPct: 75 },
  { name: 'Exchange', read: 10, insert: 40, remove: 40, update: 10, prefillPct: 75 },
  { name: 'RapidGrow', read: 5, insert: 80, remove: 5, update: 10, prefillPct: 0 },
];

/** The two ways a CPU calls the map. */
export type Path = 'user' | 'helper';
export const PATHS: readonly Path[] = ['user', 'helper'];

/** DISPATCH program batches: helper calls per batch (one epoch per batch). */
export const BATCH = 64;
export const VALUE_BYTES = 8;

export const prefillOf = (mix: Mix, capacity: number): number => Math.floor((capacity * mix.prefillPct) / 100);

/** The scenario of one epochlab measurement: a passthrough map, tracing off unless the caller says. */
export function mixScenario(mix: Mix, path: Path, cpus: number, capacity: number, durationMs: number, seed: number): Record<string, unknown> {
  return {
    name: `bench-${mix.name}-${path}`, cpus, seed,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: VALUE_BYTES, maxEntries: capacity } },
    workload: {
      findPct: mix.read, insertPct: mix.insert, updatePct: mix.update, deletePct: mix.remove, updateOption: 'EXIST',
      keyRange: capacity, opsPerCpu: 1e9, batchSize: path === 'helper' ? BATCH : 1, durationMs,
      irql: path === 'helper' ? 'DISPATCH' : 'PASSIVE', prefill: prefillOf(mix, capacity),
    },
    // Enough arena for a full table and a burst of garbage.
    arenaMB: Math.max(64, Math.ceil((capacity * 512) / 2 ** 20)),
  };
}

/** One CPU's operations, drawn as src/runtime/workload.ts draws them for a single map. */
export interface OpStream {
  op: Uint8Array;
  key: Int32Array;
  value: Int32Array;
}

/** CPU `cpu`'s stream of `length` (a power of two) operations: Prng(seed, cpu + 1), per op below(keys), below(100), nextU32 for a write. */
export function opStream(mix: Mix, cpu: number, capacity: number, seed: number, length: number): OpStream {
  const rng = new Prng(seed, cpu + 1);
  const s: OpStream = { op: new Uint8Array(length), key: new Int32Array(length), value: new Int32Array(length) };
  const inserts = mix.read + mix.insert;
  for (let i = 0; i < length; i++) {
    s.key[i] = rng.below(capacity);
    const r = rng.below(100);
    if (r < mix.read) s.op[i] = FloorOp.Find;
    else if (r < inserts + mix.update) {
      s.op[i] = r < inserts ? FloorOp.Insert : FloorOp.UpdateExisting;
      s.value[i] = rng.nextU32() | 0;
    } else s.op[i] = FloorOp.Delete;
  }
  return s;
}

/** The values prefill writes (src/runtime/workload.ts prefill: Prng(seed, 0x7e11)). */
export function prefillValues(count: number, seed: number): Int32Array {
  const rng = new Prng(seed, 0x7e11);
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) out[k] = rng.nextU32() | 0;
  return out;
}

/**
 * `epochlab bench`: every measurement of issue 12 in one run, repeated
 * `reps` times in A B A B order (each repetition measures every figure once
 * before the next begins; within a mix, epochlab and its floors alternate).
 * The result carries the samples' medians and spreads; src/bench/output.ts
 * turns it into the table, the CSV and the JSON, src/bench/plot.ts into the
 * HTML page.
 */
import { MIXES, PATHS, opStream, prefillOf, type Mix, type OpStream, type Path } from './mixes.js';
import { runMix, runDefault, CHECK_MODES, type CheckMode } from './epochlab.js';
import { runJsMap } from './js-map.js';
import { floorTables, runFloor } from './floors.js';
import { epochMicro } from './micro.js';
import { runReclaim, type ReclaimFigures } from './reclaim.js';
import { figureOf, median, type Figure, type Sample } from './stats.js';
import { finishMachine, machineAtStart, type Machine } from './machine.js';

export const SECTIONS = ['mixes', 'reclaim', 'checker', 'micro'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  cpus: number[];
  durationMs: number;
  reps: number;
  /** Mixes to run (names of MIXES). */
  mixes: Mix['name'][];
  sections: Section[];
  log2Capacity: number;
  seed: number;
  /** Told what is being measured, before each measurement. */
  onStep?: (text: string) => void;
}

/** Who measured a throughput figure. */
export type Subject = `epochlab-${Path}` | 'js-map' | 'floor-one-load' | 'floor-same-shape' | `default-${CheckMode}`;

export interface Row {
  /** The mix (or `default` for the checker's cost). */
  group: string;
  subject: Subject;
  threads: number;
  figure: Figure;
}

export interface BenchResult {
  machine: Machine;
  options: Omit<BenchOptions, 'onStep'> & { capacity: number; streamLength: number };
  rows: Row[];
  reclaim: { steady: ReclaimFigures; stalled: ReclaimFigures; stallMs: number; cpus: number; capacity: number; durationMs: number; stalledDurationMs: number } | null;
  micro: { enterExitNs: Figure; twoStoresNs: Figure } | null;
  elapsedMs: number;
}

const STREAM_LENGTH = 1 << 20;
const RECLAIM_MIN_MS = 300;
const RECLAIM_CAPACITY = 4096;

type Samples = Map<string, { group: string; subject: Subject; threads: number; samples: Sample[] }>;

function record(into: Samples, group: string, subject: Subject, threads: number, s: Sample): void {
  const key = `${group}|${subject}|${threads}`;
  const entry = into.get(key) ?? { group, subject, threads, samples: [] };
  entry.samples.push(s);
  into.set(key, entry);
}

/** One repetition of one mix: the JS Map, then per CPU count epochlab and the floors, alternating. */
async function mixRep(o: BenchOptions, mix: Mix, streams: OpStream[], into: Samples): Promise<void> {
  const capacity = 2 ** o.log2Capacity;
  const step = (what: string): void => o.onStep?.(`${mix.name}: ${what}`);
  const tables = floorTables(capacity, prefillOf(mix, capacity), o.seed);
  step('JS Map, 1 thread');
  record(into, mix.name, 'js-map', 1, await runJsMap(streams[0]!, prefillOf(mix, capacity), o.seed, o.durationMs));
  for (const n of o.cpus) {
    const base = { mix, cpus: n, capacity, durationMs: o.durationMs, seed: o.seed };
    const floors = [['floor-same-shape', 'same-shape'], ['floor-one-load', 'one-load']] as const;
    for (const [i, path] of PATHS.entries()) {
      step(`epochlab ${path}, ${n} CPU${n > 1 ? 's' : ''}`);
      record(into, mix.name, `epochlab-${path}`, n, await runMix({ ...base, path }));
      const [subject, kind] = floors[i]!;
      step(`${subject}, ${n} thread${n > 1 ? 's' : ''}`);
      record(into, mix.name, subject, n, await runFloor(kind, tables, streams.slice(0, n), o.durationMs));
    }
  }
}

async function checkerRep(o: BenchOptions, into: Samples): Promise<void> {
  for (const mode of CHECK_MODES) {
    o.onStep?.(`default scenario, ${mode}`);
    const { cpus, ...sample } = await runDefault(mode, o.durationMs, o.seed);
    record(into, 'default', `default-${mode}`, cpus, sample);
  }
}

/** Steady and stalled reclamation runs (once each, untraced); the stall begins about a quarter in. */
async function reclaimOnce(o: BenchOptions): Promise<NonNullable<BenchResult['reclaim']>> {
  const cpus = 2; // one CPU to stall, one that keeps retiring
  const durationMs = Math.max(RECLAIM_MIN_MS, Math.round(1.5 * o.durationMs));
  const stallMs = Math.round(durationMs / 4);
  // A small table: writes meet often enough to retire at a steady rate, and the setup (prefill) stays short.
  const capacity = Math.min(RECLAIM_CAPACITY, 2 ** o.log2Capacity);
  const base = { cpus, capacity, durationMs, seed: o.seed, stallMs: 0, stallAtOp: 1 };
  o.onStep?.('reclamation, steady Exchange load');
  const steady = await runReclaim(base);
  o.onStep?.(`reclamation, CPU 0 stalled ${stallMs} ms`);
  // A quarter of the steady run's ops per CPU (the stalled run may be slower: the stall then begins later).
  const stallAtOp = Math.max(1, Math.round((steady.opsPerCpuPerSec * durationMs) / 4000));
  // Twice as long: after the stall (and the long tick that frees its backlog) the load goes on long enough to see garbage settle.
  const stalledDurationMs = 2 * durationMs;
  const stalled = await runReclaim({ ...base, durationMs: stalledDurationMs, stallMs, stallAtOp });
  return { steady: steady.figures, stalled: stalled.figures, stallMs, cpus, capacity, durationMs, stalledDurationMs };
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const machine = machineAtStart();
  const capacity = 2 ** o.log2Capacity;
  const maxCpus = Math.max(...o.cpus);
  const mixes = MIXES.filter((m) => o.mixes.includes(m.name));
  const streams = new Map(mixes.map((m) => [m.name, Array.from({ length: maxCpus }, (_, cpu) => opStream(m, cpu, capacity, o.seed, STREAM_LENGTH))]));
  const samples: Samples = new Map();
  const micro: Array<{ enterExit: number; twoStores: number }> = [];
  for (let rep = 0; rep < o.reps; rep++) {
    const tag = (t: string): void => o.onStep?.(`rep ${rep + 1}/${o.reps}: ${t}`);
    const inner = { ...o, onStep: tag };
    if (o.sections.includes('mixes')) for (const m of mixes) await mixRep(inner, m, streams.get(m.name)!, samples);
    if (o.sections.includes('checker')) await checkerRep(inner, samples);
    if (o.sections.includes('micro')) {
      tag('epoch enter+exit vs two stores');
      micro.push(await epochMicro(Math.min(500, o.durationMs)));
    }
  }
  const reclaim = o.sections.includes('reclaim') ? await reclaimOnce(o) : null;
  const rows = [...samples.values()].map((e) => ({ group: e.group, subject: e.subject, threads: e.threads, figure: figureOf(e.samples) }));
  const nsFigure = (xs: number[]): Figure => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), sample: { ops: 0, ms: 0 }, reps: xs.length });
  const { onStep: _, ...options } = o;
  return {
    machine: finishMachine(machine), options: { ...options, capacity, streamLength: STREAM_LENGTH }, rows, reclaim,
    micro: micro.length === 0 ? null : { enterExitNs: nsFigure(micro.map((m) => m.enterExit)), twoStoresNs: nsFigure(micro.map((m) => m.twoStores)) },
    elapsedMs: performance.now() - started,
  };
}

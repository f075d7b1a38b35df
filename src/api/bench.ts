/**
 * `bench(options)`: `epochlab bench` from a script. The same measurements
 * (src/bench/), the result `epochlab bench --json` prints, and the table,
 * CSV and HTML texts the command prints and writes.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { runBench, type BenchOptions as Settings, type BenchResult } from '../bench/bench.js';
import { ALL_PARTS, selectParts } from '../bench/parts.js';
import { toCsv, toTable } from '../bench/output.js';
import { toHtml } from '../bench/plot.js';
import { benchOptionsSchema, parseOptions } from './options.js';
import type { BenchOptionValues } from './option-types.js';

export type BenchOptions = BenchOptionValues & {
  /** Told what is being measured, before each measurement (progress display). */
  onStep?: (text: string) => void;
};

export interface BenchReport {
  result: BenchResult;
  /** The table `epochlab bench` prints. */
  table: string;
  /** conc-map-bench's columns plus a ratio (written to `csv` when given). */
  csv: string;
  /** The plots, one self-contained HTML page (written to `html` when given). */
  html: string;
}

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const { onStep, ...values } = options;
  const o = parseOptions(benchOptionsSchema, values, 'bench options');
  const cpus = o.cpus ?? Array.from({ length: Math.min(64, availableParallelism()) }, (_, i) => i + 1);
  return measureAndWrite({
    cpus: [...new Set(cpus)].sort((a, b) => a - b), durationMs: o.duration, reps: o.reps,
    ...selectParts(o.only ?? ALL_PARTS), log2Capacity: Math.log2(o.capacity), seed: o.seed,
    ...(onStep ? { onStep } : {}),
  }, o);
}

/** Runs the measurements with checked settings, renders them, and writes the CSV and the page where asked (the command too). */
export async function measureAndWrite(settings: Settings, files: { csv?: string | undefined; html?: string | undefined }): Promise<BenchReport> {
  const result = await runBench(settings);
  const report: BenchReport = { result, table: toTable(result), csv: toCsv(result), html: toHtml(result) };
  if (files.csv !== undefined) writeFileSync(files.csv, report.csv);
  if (files.html !== undefined) writeFileSync(files.html, report.html);
  return report;
}

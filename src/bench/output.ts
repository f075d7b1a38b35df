/**
 * The text outputs of `epochlab bench`: the table on stdout and the CSV in
 * conc-map-bench's columns plus a ratio.
 *
 * CSV columns: name (group/subject, e.g. ReadHeavy/epochlab-helper),
 * total_ops and spent (ns) of the median repetition, threads, throughput
 * (ops/s, the median over the repetitions), latency (ns per op per thread:
 * spent x threads / total_ops, rounded), ratio: throughput over the
 * same-shape floor at the same mix and threads (checker rows: over the
 * unchecked run).
 */
import type { BenchResult, Row } from './bench.js';
import type { Figure } from './stats.js';

export const CSV_HEADER = 'name,total_ops,threads,spent,throughput,latency,ratio';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const x = (n: number | null): string => (n === null || !Number.isFinite(n) ? '-' : `${n.toFixed(n < 0.1 ? 3 : 2)}x`);

/** The row of (group, subject, threads); threads null: any (the checker rows run on every core). */
function find(r: BenchResult, group: string, subject: string, threads: number | null): Row | undefined {
  return r.rows.find((row) => row.group === group && row.subject === subject && (threads === null || row.threads === threads));
}

/** The figure a row's CSV ratio is taken against. */
export function ratioBase(r: BenchResult, row: Row): Row | undefined {
  return row.group === 'default' ? find(r, 'default', 'default-unchecked', null) : find(r, row.group, 'floor-same-shape', row.threads);
}

const ratioOf = (row: Row, base: Row | undefined): number | null => (base && base.figure.median > 0 ? row.figure.median / base.figure.median : null);

export function latencyNs(row: Row): number {
  const s = row.figure.sample;
  return s.ops > 0 ? Math.round((s.ms * 1e6 * Math.max(1, row.threads)) / s.ops) : 0;
}

export function toCsv(r: BenchResult): string {
  const lines = [CSV_HEADER];
  for (const row of r.rows) {
    const ratio = ratioOf(row, ratioBase(r, row));
    lines.push([
      `${row.group}/${row.subject}`, row.figure.sample.ops, row.threads, Math.round(row.figure.sample.ms * 1e6),
      row.figure.median.toFixed(1), latencyNs(row), ratio === null ? '' : ratio.toFixed(4),
    ].join(','));
  }
  return lines.join('\n') + '\n';
}

const spread = (f: Figure): string => `${fmt(f.min)}..${fmt(f.max)}`;

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

const ORDER = ['js-map', 'epochlab-user', 'epochlab-helper', 'floor-same-shape', 'floor-one-load'];
const byThreads = (a: Row, b: Row): number => a.threads - b.threads || ORDER.indexOf(a.subject) - ORDER.indexOf(b.subject);

function mixTable(r: BenchResult, group: string): string[] {
  const head = ['', 'threads', 'ops/s (median)', 'min..max', 'ns/op/thread', 'x same-shape', 'x one-load', 'x JS Map'];
  const js = find(r, group, 'js-map', 1);
  const rows = r.rows.filter((row) => row.group === group).sort(byThreads).map((row) => [
    row.subject, String(row.threads), fmt(row.figure.median), spread(row.figure), String(latencyNs(row)),
    x(ratioOf(row, find(r, group, 'floor-same-shape', row.threads))), x(ratioOf(row, find(r, group, 'floor-one-load', row.threads))), x(ratioOf(row, js)),
  ]);
  return [`${group}:`, ...pad([head, ...rows]).map((l) => `  ${l}`)];
}

function checkerTable(r: BenchResult): string[] {
  const base = find(r, 'default', 'default-unchecked', null);
  const rows = r.rows.filter((row) => row.group === 'default').map((row) => {
    const ratio = ratioOf(row, base);
    const slower = ratio && row !== base ? `${(1 / ratio).toFixed(1)}x slower` : '';
    return [row.subject.slice('default-'.length), fmt(row.figure.median), spread(row.figure), x(ratio), slower];
  });
  return ['checker cost, default scenario (all cores), same duration:', ...pad([['', 'ops/s (median)', 'min..max', 'x unchecked', ''], ...rows]).map((l) => `  ${l}`)];
}

function reclaimLines(r: NonNullable<BenchResult['reclaim']>): string[] {
  const lat = (f: typeof r.steady): string => `retire->free ticks p50 ${f.ticks.p50} p99 ${f.ticks.p99} max ${f.ticks.max}; `
    + `us p50 ${fmt(f.micros.p50)} p99 ${fmt(f.micros.p99)} max ${fmt(f.micros.max)}; ${fmt(f.freed)} blocks in ${fmt(f.cpuTicks)} ticks`;
  const s = r.stalled.stall;
  return [
    `reclamation: Exchange, ${r.cpus} CPUs, helper batches, ${fmt(r.capacity)} keys, ${r.durationMs} ms, untraced, no checker, the epoch manager's own figures (1 run each):`,
    `  steady:  ${lat(r.steady)}; garbage steady ${fmt(r.steady.steadyGarbage)}, peak ${fmt(r.steady.peakGarbage)}`,
    `  stalled: ${lat(r.stalled)}; ${r.stalledDurationMs} ms, CPU 0 held its epoch ${r.stallMs} ms`,
    ...(s && !s.happened ? [`           the stall did not take effect: CPU 0 never reached operation ${fmt(s.atOp)} (try a longer --duration)`] : []),
    ...(s && s.happened && s.ticks === 0 ? ['           no stall window in the per-tick hold-back (the release was never held back long)'] : []),
    ...(s && s.happened && s.ticks > 0 ? [`           garbage (median per tick) ${fmt(s.before)} before the stall, peak ${fmt(s.peak)} during it (${fmt(s.ticks)} ticks, ${fmt(s.ms)} ms), `
      + `${fmt(s.after)} after it, ${fmt(s.final)} at the end; the tick that freed the backlog took ${fmt(s.backlogTickMs)} ms`] : []),
    '  (ticks: epoch advances from retire to free, at least 1; us: from the publication of the stamp epoch, an upper bound by less than one tick)',
  ];
}

function microLines(m: NonNullable<BenchResult['micro']>): string[] {
  const f = (g: Figure): string => `${g.median.toFixed(2)} ns (${g.min.toFixed(2)}..${g.max.toFixed(2)})`;
  return [
    'epoch enter+exit vs two bare Atomics.store (tinybench p50 per pair):',
    `  enter+exit ${f(m.enterExitNs)}, two stores ${f(m.twoStoresNs)}: ${x(m.enterExitNs.median / m.twoStoresNs.median)}`,
  ];
}

/** The aims of issue 12 that this run measured, each with its figure (medians; N = the largest CPU count). */
function aimLines(r: BenchResult): string[] {
  const n = Math.max(...r.options.cpus);
  const q = (group: string, a: string, b: string, bThreads: number): number | null => {
    const top = find(r, group, a, n);
    return top ? ratioOf(top, find(r, group, b, bThreads)) : null;
  };
  const lines: Array<[string, string, string]> = [
    [`ReadHeavy, ${n} CPUs, helper batches / same-shape floor, ${n} threads`, x(q('ReadHeavy', 'epochlab-helper', 'floor-same-shape', n)), '>= 0.8x'],
    [`ReadHeavy, ${n} CPUs, helper batches / one-load floor, ${n} threads`, x(q('ReadHeavy', 'epochlab-helper', 'floor-one-load', n)), '>= 0.3x'],
    [`ReadHeavy, ${n} CPUs, helper batches / single-thread JS Map`, x(q('ReadHeavy', 'epochlab-helper', 'js-map', 1)), '>= 1.0x'],
    [`Exchange, ${n} CPUs, helper batches / single-thread JS Map`, x(q('Exchange', 'epochlab-helper', 'js-map', 1)), '>= 0.3x'],
  ];
  if (r.micro) lines.push(['epoch enter + exit / two bare Atomics.store', x(r.micro.enterExitNs.median / r.micro.twoStoresNs.median), '<= 2x']);
  const checked = find(r, 'default', 'default-checked', null);
  const unchecked = find(r, 'default', 'default-unchecked', null);
  const slow = checked && unchecked ? ratioOf(unchecked, checked) : null;
  if (slow !== null) lines.push(['checked / unchecked run, default scenario', `${slow.toFixed(1)}x slower`, '<= 3x slower']);
  if (r.reclaim) lines.push(['retire-to-free latency p99, steady load (untraced)', `${r.reclaim.steady.ticks.p99} ticks`, '<= 3 ticks']);
  const shown = lines.filter(([, v]) => v !== '-');
  return shown.length === 0 ? [] : ['aims of issue 12 (this run):', ...pad([['', 'now', 'aim'], ...shown]).map((l) => `  ${l}`)];
}

export function toTable(r: BenchResult): string {
  const m = r.machine;
  const o = r.options;
  const groups = [...new Set(r.rows.map((row) => row.group))].filter((g) => g !== 'default');
  return [
    `epochlab bench: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, load ${m.loadStart.toFixed(2)} at start / ${m.loadEnd.toFixed(2)} at end`,
    `settings: CPUs ${o.cpus.join(',')}, ${o.durationMs} ms per measurement, ${o.reps} repetition(s) (median reported, min..max over them), `
      + `capacity 2^${o.log2Capacity} = ${fmt(o.capacity)} keys, passthrough map, tracing off, seed ${o.seed}`,
    ...(groups.length > 0 ? ['mixes (conc-map-bench): user = PASSIVE user calls, one epoch per op; helper = DISPATCH batches of 64 helper calls, one epoch per batch'] : []),
    ...groups.flatMap((g) => mixTable(r, g)),
    ...(r.rows.some((row) => row.group === 'default') ? checkerTable(r) : []),
    ...(r.reclaim ? reclaimLines(r.reclaim) : []),
    ...(r.micro ? microLines(r.micro) : []),
    ...aimLines(r),
    `took ${(r.elapsedMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

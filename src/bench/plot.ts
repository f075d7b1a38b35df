/**
 * `epochlab bench --html FILE`: one self-contained page (inline SVG and
 * CSS, no script, no network) with, per mix, throughput against CPUs and
 * latency (ns per op per thread) against CPUs, one line per subject, as
 * conc-map-bench plots its results (on a log scale here: epochlab and its
 * floors are orders of magnitude apart); then the text table.
 */
import type { BenchResult, Row } from './bench.js';
import { latencyNs, toTable } from './output.js';

const W = 520;
const H = 300;
const M = { left: 70, right: 150, top: 30, bottom: 40 };
const COLORS: Record<string, string> = {
  'steady': '#1f77b4', 'epochlab-user': '#1f77b4', 'epochlab-helper': '#d62728', 'floor-same-shape': '#2ca02c', 'floor-one-load': '#9467bd', 'js-map': '#ff7f0e',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const short = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0));

interface Series { name: string; points: Array<[number, number]> }

/** Every distinct x when there are few (CPU counts), else five even steps (a time axis). */
function xTicks(xs: number[], xMin: number, xMax: number): number[] {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  return distinct.length <= 10 ? distinct : [0, 1, 2, 3, 4].map((i) => Math.round(xMin + ((xMax - xMin) * i) / 4));
}

/** The y axis: linear from 0, or logarithmic over whole powers of ten (epochlab and its floors are orders apart). */
function yAxis(ys: number[], log: boolean): { py: (v: number) => number; ticks: number[] } {
  const span = H - M.top - M.bottom;
  if (!log) {
    const yMax = Math.max(...ys, 1) * 1.1;
    return { py: (v) => H - M.bottom - (v / yMax) * span, ticks: [0, 1, 2, 3, 4].map((t) => (yMax * t) / 4) };
  }
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...ys))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...ys, 10))));
  const py = (v: number): number => H - M.bottom - ((Math.log10(Math.max(v, 1)) - lo) / (hi - lo)) * span;
  return { py, ticks: Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)) };
}

function svgPlot(title: string, mix: string, yLabel: string, series: Series[], log: boolean, xLabel = 'CPUs / threads'): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = Math.min(...xs, 1);
  const xMax = Math.max(...xs, xMin + 1);
  const { py, ticks } = yAxis(ys, log);
  const px = (v: number): number => M.left + ((v - xMin) / (xMax - xMin)) * (W - M.left - M.right);
  const out: string[] = [`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" data-mix="${esc(mix)}" role="img">`,
    `<text x="${W / 2 - 60}" y="18" class="t">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" class="a"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" class="a"/>`,
    `<text x="${(M.left + W - M.right) / 2 - 20}" y="${H - 8}">${esc(xLabel)}</text>`,
    `<text x="12" y="${M.top - 10}">${esc(yLabel)}</text>`];
  for (const v of ticks) {
    out.push(`<text x="${M.left - 8}" y="${py(v) + 4}" text-anchor="end">${short(v)}</text>`, `<line x1="${M.left}" y1="${py(v)}" x2="${W - M.right}" y2="${py(v)}" class="g"/>`);
  }
  for (const v of xTicks(xs, xMin, xMax)) out.push(`<text x="${px(v)}" y="${H - M.bottom + 16}" text-anchor="middle">${v}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[s.name] ?? '#333';
    const pts = s.points.map(([a, b]) => `${px(a).toFixed(1)},${py(b).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [a, b] of s.points) out.push(`<circle cx="${px(a).toFixed(1)}" cy="${py(b).toFixed(1)}" r="3" fill="${color}"/>`);
    out.push(`<rect x="${W - M.right + 10}" y="${M.top + i * 18}" width="10" height="10" fill="${color}"/>`,
      `<text x="${W - M.right + 25}" y="${M.top + i * 18 + 9}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function seriesOf(rows: Row[], value: (r: Row) => number): Series[] {
  const names = [...new Set(rows.map((r) => r.subject))];
  return names.map((name) => ({
    name, points: rows.filter((r) => r.subject === name).sort((a, b) => a.threads - b.threads).map((r) => [r.threads, value(r)] as [number, number]),
  }));
}

/** Garbage against time in the steady and the stalled reclamation runs (linear: the stall's peak is the point). */
function reclaimPlot(r: NonNullable<BenchResult['reclaim']>): string {
  const points = (p: { ms: number[]; garbage: number[] }): Array<[number, number]> => p.ms.map((t, i) => [t, p.garbage[i] as number]);
  const series = [{ name: 'steady', points: points(r.steady.plot) }, { name: `CPU 0 stalled ${r.stallMs} ms`, points: points(r.stalled.plot) }];
  return `<section><h2>reclamation</h2><div class="row">\n${svgPlot('garbage after each epoch tick', 'reclaim', 'retired, not freed', series, false, 'ms since the CPUs started')}\n</div></section>`;
}

export function toHtml(r: BenchResult): string {
  const groups = [...new Set(r.rows.map((row) => row.group))].filter((g) => g !== 'default');
  const plots = groups.map((g) => {
    const rows = r.rows.filter((row) => row.group === g);
    return `<section><h2>${esc(g)}</h2><div class="row">\n${svgPlot(`${g}: throughput`, g, 'ops/s (log)', seriesOf(rows, (x) => x.figure.median), true)}\n`
      + `${svgPlot(`${g}: latency`, g, 'ns/op/thread (log)', seriesOf(rows, latencyNs), true)}\n</div></section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>epochlab bench</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } svg .t { font-weight: bold; font-size: 13px; }
svg .a { stroke: #333; } svg .g { stroke: #ddd; } .row { display: flex; flex-wrap: wrap; gap: 1em; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
</style></head><body>
<h1>epochlab bench</h1>
${plots.join('\n')}
${r.reclaim ? reclaimPlot(r.reclaim) : ''}
<h2>Table</h2>
<pre>${esc(toTable(r))}</pre>
</body></html>
`;
}

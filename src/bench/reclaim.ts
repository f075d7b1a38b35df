/**
 * Reclamation under a steady Exchange write load (2 CPUs or as asked,
 * DISPATCH batches, passthrough, no checker, tracing OFF): the figures are
 * the epoch manager's own (RunReport.reclamation, src/epoch/reclaim-stats.ts),
 * which it keeps for every run, so nothing slows the release down:
 *   - retire-to-free latency of every block freed while the CPUs ran, in
 *     epoch ticks (advances from its retire to its free) and in microseconds
 *     (from the publication of its stamp's epoch to its free: an upper bound
 *     by less than one tick);
 *   - garbage (blocks retired and not yet freed) after every tick: its peak
 *     and its steady value (the median over the ticks of the CPU phase).
 * The stalled variant holds CPU 0 inside its epoch (scenario faults.stall)
 * for `stallMs` about a quarter into the run. The stall window is read from
 * the per-tick hold-back (published minus released epoch): it climbs by one a
 * tick while CPU 0 holds its epoch and falls back when it lets go. Garbage
 * must grow during it and come back down after it.
 * (An earlier version measured these from a traced run; tracing held the
 * release back, a lane with a full ring waiting inside its epoch, and
 * inflated the figures. The traced figures are no longer taken: they cost a
 * second run of each kind and measured the tracer more than reclamation.)
 */
import { compileScenario } from '../scenario/scenario.js';
import { runPlan } from '../runtime/runner.js';
import type { Latency, ReclamationReport, ReclamationSeries } from '../runtime/reclamation.js';
import { MIXES, mixScenario, prefillOf } from './mixes.js';
import { median } from './stats.js';

export type { Latency };

export interface ReclaimFigures {
  /** Blocks freed while the CPUs ran (teardown's frees are not counted). */
  freed: number;
  ticks: Latency;
  micros: Latency;
  /** Garbage over the ticks of the CPU phase: the most, and the median. */
  peakGarbage: number;
  steadyGarbage: number;
  /** Epoch ticks of the CPU phase (samples of the series times its stride). */
  cpuTicks: number;
  /**
   * Stalled runs only: whether the stall took effect (CPU 0 reached the
   * planned operation); garbage (median per tick) before, at the peak of, and
   * after the stall window (from one window length past its end); garbage
   * after the last tick of the CPU phase; the window's length in ticks and ms;
   * "after" begins one window length (in time) past the window, and not
   * before the tick that freed the backlog (its sample holds what piled up
   * while it ran).
   */
  stall: {
    happened: boolean; atOp: number; ticks: number; ms: number; before: number; peak: number; after: number; final: number;
    /** How long the tick that ended the window took (it frees the stall's backlog at once). */
    backlogTickMs: number;
  } | null;
  /** Garbage against time (ms since the CPU phase began) for a plot: at most PLOT_POINTS points, each the most of its stretch. */
  plot: { ms: number[]; garbage: number[] };
}

const PLOT_POINTS = 300;

/** The series from `first` on, cut into at most PLOT_POINTS stretches, each given by its last time and its most garbage. */
function plotOf(s: ReclamationSeries, first: number): ReclaimFigures['plot'] {
  const n = s.garbage.length - first;
  const per = Math.max(1, Math.ceil(n / PLOT_POINTS));
  const t0 = s.ms[first] ?? 0;
  const out = { ms: [] as number[], garbage: [] as number[] };
  for (let i = first; i < s.garbage.length; i += per) {
    const end = Math.min(s.garbage.length, i + per);
    out.ms.push(Math.round(((s.ms[end - 1] as number) - t0) * 10) / 10);
    out.garbage.push(Math.max(...s.garbage.slice(i, end)));
  }
  return out;
}

/** A hold-back above this many ticks (or 4x the run's median) is a stall, not a slow tick. */
const STALL_HOLD_BACK = 16;

/** The index of the first sample of the CPU phase (its last `cpuPhaseMs` ms). */
function cpuPhaseStart(s: ReclamationSeries, cpuPhaseMs: number): number {
  const n = s.ms.length;
  if (n === 0) return 0;
  const from = (s.ms[n - 1] as number) - cpuPhaseMs;
  let i = n - 1;
  while (i > 0 && (s.ms[i - 1] as number) >= from) i--;
  return i;
}

/** The longest run of samples from `first` on whose hold-back exceeds `limit`: [start, end] (end < 0: none). */
function longestHold(s: ReclamationSeries, first: number, limit: number): { start: number; end: number } {
  let best = { start: 0, end: -1 };
  for (let i = first, runStart = -1; i <= s.holdBack.length; i++) {
    const held = i < s.holdBack.length && (s.holdBack[i] as number) > limit;
    if (held && runStart < 0) runStart = i;
    if (!held && runStart >= 0) {
      if (i - 1 - runStart > best.end - best.start) best = { start: runStart, end: i - 1 };
      runStart = -1;
    }
  }
  return best;
}

/** The stall window in the series: where the hold-back climbed past the limit, back to where it began climbing. */
export function stallWindow(s: ReclamationSeries, first: number): NonNullable<ReclaimFigures['stall']> {
  const g = s.garbage.slice(first);
  const usual = median(s.holdBack.slice(first));
  const limit = Math.max(STALL_HOLD_BACK, 4 * usual);
  const { end } = longestHold(s, first, limit);
  const final = g[g.length - 1] ?? 0;
  if (end < 0) return { happened: false, atOp: 0, ticks: 0, ms: 0, before: median(g), peak: Math.max(0, ...g), after: median(g), final, backlogTickMs: 0 };
  // At `end` the release had been held for holdBack[end] ticks, `usual` of them as always: the stall began the rest earlier.
  const from = Math.max(first, end - Math.ceil(((s.holdBack[end] as number) - usual) / s.stride));
  const during = s.garbage.slice(from, end + 1);
  const ms = (i: number): number => s.ms[i] as number;
  const n = s.garbage.length;
  let afterFrom = Math.min(n, end + 2); // end + 1: the backlog's tick
  while (afterFrom < n && ms(afterFrom) < ms(end) + (ms(end) - ms(from))) afterFrom++;
  return {
    happened: true, atOp: 0, ticks: (end - from + 1) * s.stride, ms: ms(end) - ms(from),
    before: median(s.garbage.slice(first, from)), peak: Math.max(0, ...during),
    after: afterFrom < n ? median(s.garbage.slice(afterFrom)) : final, final,
    backlogTickMs: end + 1 < n ? ms(end + 1) - ms(end) : 0,
  };
}

/**
 * The series without its idle tail: the CPUs are done some milliseconds
 * before the main thread hears of it and tells the manager (ManagerCommand.Drain);
 * those last ticks (no garbage, nothing held back) are not the workload's.
 */
function trimmed(s: ReclamationSeries): ReclamationSeries {
  let n = s.garbage.length;
  while (n > 1 && s.garbage[n - 1] === 0 && (s.holdBack[n - 1] as number) <= 1) n--;
  return { stride: s.stride, garbage: s.garbage.slice(0, n), holdBack: s.holdBack.slice(0, n), ms: s.ms.slice(0, n) };
}

function figuresOf(r: ReclamationReport, cpuPhaseMs: number, stalled: boolean): ReclaimFigures {
  const first = cpuPhaseStart(r.series!, cpuPhaseMs);
  const s = trimmed(r.series!);
  const g = s.garbage.slice(first);
  return {
    freed: r.freed, ticks: r.ticks, micros: r.micros,
    peakGarbage: Math.max(0, ...g), steadyGarbage: median(g), cpuTicks: g.length * s.stride,
    stall: stalled ? stallWindow(s, first) : null, plot: plotOf(s, first),
  };
}

export interface ReclaimRun { cpus: number; capacity: number; durationMs: number; seed: number; stallMs: number; stallAtOp: number }

/** One untraced Exchange run (helper batches); stalled when stallMs > 0. Returns the figures and the ops per CPU per second. */
export async function runReclaim(r: ReclaimRun): Promise<{ figures: ReclaimFigures; opsPerCpuPerSec: number }> {
  const mix = MIXES.find((m) => m.name === 'Exchange')!;
  const json = mixScenario(mix, 'helper', r.cpus, r.capacity, r.durationMs, r.seed);
  if (r.stallMs > 0) {
    json['faults'] = { stall: [{ cpu: 0, atOp: r.stallAtOp, steps: r.stallMs }] };
    json['stallEpochs'] = 1_000_000; // a planned stall, not one to warn about
  }
  const plan = await compileScenario(json, 'bench:reclaim', process.cwd(), { cpus: r.cpus, seed: r.seed });
  plan.trace = false;
  plan.reclamationSeries = true;
  const report = await runPlan(plan);
  if (report.verdict !== 'pass') throw new Error(`bench: the reclamation run did not pass (verdict ${report.verdict})`);
  if (!report.reclamation?.series) throw new Error('bench: the reclamation run reported no reclamation figures');
  const ops = report.ops - prefillOf(mix, r.capacity);
  const figures = figuresOf(report.reclamation, report.elapsedMs, r.stallMs > 0);
  if (figures.stall) Object.assign(figures.stall, { happened: report.faults.stalls > 0, atOp: r.stallAtOp });
  return { figures, opsPerCpuPerSec: ops / r.cpus / (Math.max(1, report.elapsedMs) / 1000) };
}

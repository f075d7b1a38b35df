/**
 * RunReport.reclamation: the epoch manager's always-on reclamation figures
 * (src/epoch/reclaim-stats.ts) as the report gives them. They need no trace,
 * so they describe untraced runs too. Percentiles are nearest-rank over the
 * histograms: exact in ticks (up to 63; beyond, the max stands for the
 * overflow bucket), and in microseconds the upper end of the bucket (at most
 * 12.5 % above the true value; never above the max).
 */
import { TICK_EXACT, histogramPercentile, microBucketUpper, type ReclaimResult } from '../epoch/reclaim-stats.js';

export interface Latency { p50: number; p99: number; max: number }

export interface ReclamationReport {
  /** Blocks freed before the CPU phase ended (the figures below are theirs), and after it (teardown, final drain). */
  freed: number;
  teardownFreed: number;
  /** Retire-to-free latency in epoch ticks (advances from the retire to the free, at least 1). */
  ticks: Latency;
  /** In microseconds, from the publication of the block's stamp epoch to its free: an upper bound by less than one tick. */
  micros: Latency;
  /** Blocks whose stamp was older than the manager's ring of publish times (their microseconds are a lower bound). */
  microsClamped: number;
  /**
   * Garbage (blocks retired and not yet freed) after each tick: the most
   * before the CPU phase ended (setup included), and the median over the
   * ticks of the CPU phase (its last elapsedMs milliseconds).
   */
  peakGarbage: number;
  steadyGarbage: number;
  /** Only when the plan asks (RunPlan.reclamationSeries): per sampled tick, garbage, hold-back and time. */
  series: ReclamationSeries | null;
}

export interface ReclamationSeries {
  /** One sample every `stride` ticks (the series is decimated past its cap). */
  stride: number;
  garbage: number[];
  /** Published minus released epoch after the tick: how far back the oldest announced epoch held the release. */
  holdBack: number[];
  /** Milliseconds since the manager started. */
  ms: number[];
}

function ticksOf(r: ReclaimResult, p: number): number {
  const b = histogramPercentile(r.tickHistogram, p);
  return b < 0 ? 0 : b >= TICK_EXACT ? r.maxTicks : b;
}

function microsOf(r: ReclaimResult, p: number): number {
  const b = histogramPercentile(r.microHistogram, p);
  return b < 0 ? 0 : Math.min(microBucketUpper(b), r.maxMicros);
}

/** The lower middle value (0 when empty). */
function medianOf(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  const sorted = Float64Array.from(xs).sort();
  return sorted[(sorted.length - 1) >> 1] as number;
}

/** The median garbage over the samples of the last `cpuPhaseMs` milliseconds (all of them when that is 0). */
function steadyOf(r: ReclaimResult, cpuPhaseMs: number): number {
  const n = r.ms.length;
  if (n === 0 || cpuPhaseMs <= 0) return medianOf(r.garbage);
  const from = (r.ms[n - 1] as number) - cpuPhaseMs;
  let i = n - 1;
  while (i > 0 && (r.ms[i - 1] as number) >= from) i--;
  return medianOf(r.garbage.subarray(i));
}

export function reclamationReport(r: ReclaimResult | undefined, withSeries: boolean, cpuPhaseMs = 0): ReclamationReport | null {
  if (!r) return null;
  return {
    freed: r.freed, teardownFreed: r.teardownFreed,
    ticks: { p50: ticksOf(r, 50), p99: ticksOf(r, 99), max: r.maxTicks },
    micros: { p50: microsOf(r, 50), p99: microsOf(r, 99), max: r.maxMicros },
    microsClamped: r.microsClamped,
    peakGarbage: r.peakGarbage, steadyGarbage: steadyOf(r, cpuPhaseMs),
    series: withSeries ? { stride: r.stride, garbage: Array.from(r.garbage), holdBack: Array.from(r.holdBack), ms: Array.from(r.ms, (t) => Math.round(t * 1000) / 1000) } : null,
  };
}

/**
 * One measured figure of `epochlab bench` over its repetitions: each
 * repetition is a Sample (ops done, wall milliseconds); the figure reports
 * the median throughput and the spread (min..max) over the repetitions.
 */
export interface Sample {
  ops: number;
  ms: number;
}

export interface Figure {
  /** ops per second: the median over the repetitions, and the lowest and highest. */
  median: number;
  min: number;
  max: number;
  /** The repetition whose throughput is the median (its ops and time go into the CSV). */
  sample: Sample;
  reps: number;
}

export const throughputOf = (s: Sample): number => (s.ms > 0 ? s.ops / (s.ms / 1000) : 0);

/** The median of numbers (the lower middle one for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1] ?? 0;
}

export function figureOf(samples: Sample[]): Figure {
  const sorted = [...samples].sort((a, b) => throughputOf(a) - throughputOf(b));
  const mid = sorted[(sorted.length - 1) >> 1] ?? { ops: 0, ms: 0 };
  return {
    median: throughputOf(mid), min: throughputOf(sorted[0] ?? mid), max: throughputOf(sorted[sorted.length - 1] ?? mid),
    sample: mid, reps: samples.length,
  };
}

/** The nearest-rank percentile (0..100) of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

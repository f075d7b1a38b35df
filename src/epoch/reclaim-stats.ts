/**
 * Always-on reclamation figures of the epoch manager, without tracing:
 * retire-to-free latency of every freed block (ticks and microseconds, in
 * fixed histograms) and garbage after every tick (a bounded series). All
 * storage is allocated once, in the constructor; the per-block and per-tick
 * updates are plain writes to typed arrays owned by the manager's thread.
 *
 * Latency in ticks: the published epoch at the free (the tick's advance, E)
 * minus the block's stamp (BlockField.FreedEpoch, the published epoch read at
 * its retire), i.e. the number of epoch advances from the retire up to and
 * including the one of the tick that freed it. A block is never freed in the
 * tick of its stamp's epoch, so the least value is 1.
 *
 * Latency in microseconds: from the moment the stamp's epoch was published
 * (kept in a ring of recent publish times) to the start of the frees of the
 * tick that freed the block. The block was retired at or after that
 * publication and before the next one, so the figure is an upper bound by less
 * than one tick interval (the time from the publication of the stamp's epoch
 * to that of the following one); the time the drain itself takes is not
 * counted. A stamp older than the ring gets the oldest time the ring still
 * holds (a lower bound; counted in `microsClamped`).
 *
 * Once the CPU phase has ended (endSteady), frees are only counted
 * (`teardownFreed`): teardown retires every entry at once, which is not the
 * workload's garbage and would swamp the steady figures.
 */

/** Tick histogram: exact counts for 0..TICK_EXACT-1 ticks, then one overflow bucket. */
export const TICK_EXACT = 64;
/** Microsecond histogram: exact below 8 us, then 8 buckets per power of two (at most 12.5 % wide). */
export const MICRO_BUCKETS = 8 + 28 * 8;
/** Publish times kept for this many recent epochs (a power of two). */
const RING = 1 << 12;
/** Per-tick series: at most this many samples; when full, every other one is dropped and the stride doubles. */
export const SERIES_CAP = 1 << 16;

/** The bucket of a latency of `us` whole microseconds (0 <= us < 2^31). */
export function microBucket(us: number): number {
  if (us < 8) return us;
  const e = 31 - Math.clz32(us); // 3..30
  return 8 + (e - 3) * 8 + ((us >>> (e - 3)) & 7);
}

/** The largest latency (whole microseconds) that falls in bucket `b`. */
export function microBucketUpper(b: number): number {
  if (b < 8) return b;
  const e = ((b - 8) >> 3) + 3;
  const sub = (b - 8) & 7;
  return (8 + sub + 1) * 2 ** (e - 3) - 1;
}

/**
 * The nearest-rank percentile p (0..100) of a histogram, as a bucket index
 * (-1 when it is empty): the first bucket at which the running count reaches
 * ceil(p / 100 * total).
 */
export function histogramPercentile(hist: ArrayLike<number>, p: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i] as number;
  if (total === 0) return -1;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] as number;
    if (seen >= rank) return i;
  }
  return hist.length - 1;
}

/** What the manager hands back (structured-cloned to the main thread). */
export interface ReclaimResult {
  /** Blocks freed before the CPU phase ended, and after it (teardown and final drain). */
  freed: number;
  teardownFreed: number;
  /** Histogram of latency in ticks (TICK_EXACT exact buckets, then overflow), and the largest value. */
  tickHistogram: Uint32Array;
  maxTicks: number;
  /** Histogram of latency in microseconds (see microBucket), and the largest value (whole us). */
  microHistogram: Uint32Array;
  maxMicros: number;
  microsClamped: number;
  /** Most garbage (retired, not yet freed) after any tick of the CPU phase. */
  peakGarbage: number;
  /**
   * Per sampled tick of the CPU phase (every `stride`-th tick): garbage after
   * it, hold-back (published minus released epoch) and its time (ms since
   * the manager started).
   */
  stride: number;
  garbage: Int32Array;
  holdBack: Int32Array;
  ms: Float32Array;
}

export class ReclaimStats {
  private readonly tickHist = new Uint32Array(TICK_EXACT + 1);
  private readonly microHist = new Uint32Array(MICRO_BUCKETS);
  /** Publish time (performance.now()) of epoch e at publishedAt[e & (RING - 1)], for the last RING epochs. */
  private readonly publishedAt = new Float64Array(RING);
  private readonly garbage = new Int32Array(SERIES_CAP);
  private readonly holdBack = new Int32Array(SERIES_CAP);
  private readonly ms = new Float32Array(SERIES_CAP);
  private readonly startedAt: number;
  private samples = 0;
  private stride = 1;
  private sinceSample = 0;
  private freed = 0;
  private teardownFreed = 0;
  private maxTicks = 0;
  private maxMicros = 0;
  private microsClamped = 0;
  private peak = 0;
  private steady = true;
  /** The current run of frees of one stamp (see freedBlock). */
  private runStamp = 0;
  private runCount = 0;
  /** The current tick: its published epoch and when its frees began. */
  private epoch: number;
  private now: number;

  /** `epoch`: the published epoch when the manager starts (its publish time is taken as now). */
  constructor(epoch: number) {
    this.startedAt = performance.now();
    this.epoch = epoch;
    this.now = this.startedAt;
    this.publishedAt.fill(this.startedAt);
  }

  /** A tick advanced the published epoch to `epoch` just now. */
  published(epoch: number): void {
    this.flushRun();
    this.epoch = epoch;
    this.now = performance.now();
    this.publishedAt[epoch & (RING - 1)] = this.now;
  }

  /** The tick's frees begin: their time. */
  beginFrees(): void {
    if (this.steady) this.now = performance.now();
  }

  /**
   * A block stamped `stamp` was freed in the current tick. Per block only a
   * compare and a count: a lane's free list is in stamp order, so blocks come
   * in runs of one stamp, which share their latency; a run is put into the
   * histograms when the stamp changes or the tick ends.
   */
  freedBlock(stamp: number): void {
    if (stamp !== this.runStamp) {
      this.flushRun();
      this.runStamp = stamp;
    }
    this.runCount++;
  }

  /** Puts the current run of one stamp into the figures. */
  private flushRun(): void {
    const n = this.runCount;
    if (n === 0) return;
    this.runCount = 0;
    if (!this.steady) {
      this.teardownFreed += n;
      return;
    }
    this.freed += n;
    const ticks = this.epoch - this.runStamp;
    this.tickHist[ticks < TICK_EXACT ? ticks : TICK_EXACT] += n;
    if (ticks > this.maxTicks) this.maxTicks = ticks;
    let from = this.runStamp;
    if (ticks >= RING) {
      from = this.epoch - RING + 1;
      this.microsClamped += n;
    }
    const us = Math.min(0x7fffffff, Math.max(0, Math.floor((this.now - (this.publishedAt[from & (RING - 1)] as number)) * 1000)));
    this.microHist[microBucket(us)] += n;
    if (us > this.maxMicros) this.maxMicros = us;
  }

  /** After a tick: garbage and hold-back (published minus released). */
  tickEnded(garbage: number, holdBack: number): void {
    this.flushRun();
    if (!this.steady) return;
    if (garbage > this.peak) this.peak = garbage;
    if (++this.sinceSample < this.stride) return;
    // Full: halve, then keep this tick only if it falls on the new stride (the last kept sample is the previous one).
    if (this.samples === SERIES_CAP) {
      this.decimate();
      if (this.sinceSample < this.stride) return;
    }
    this.sinceSample = 0;
    const i = this.samples++;
    this.garbage[i] = garbage;
    this.holdBack[i] = holdBack;
    this.ms[i] = performance.now() - this.startedAt;
  }

  /** Keeps every other sample and doubles the stride. */
  private decimate(): void {
    for (let i = 0; i < SERIES_CAP / 2; i++) {
      this.garbage[i] = this.garbage[2 * i + 1] as number;
      this.holdBack[i] = this.holdBack[2 * i + 1] as number;
      this.ms[i] = this.ms[2 * i + 1] as number;
    }
    this.samples = SERIES_CAP / 2;
    this.stride *= 2;
  }

  /** The CPU phase ended: later frees are teardown's. */
  endSteady(): void {
    this.flushRun();
    this.steady = false;
  }

  /** The figures (copies sized to what was recorded). */
  result(): ReclaimResult {
    this.flushRun();
    return {
      freed: this.freed, teardownFreed: this.teardownFreed,
      tickHistogram: this.tickHist.slice(), maxTicks: this.maxTicks,
      microHistogram: this.microHist.slice(), maxMicros: this.maxMicros, microsClamped: this.microsClamped,
      peakGarbage: this.peak, stride: this.stride,
      garbage: this.garbage.slice(0, this.samples), holdBack: this.holdBack.slice(0, this.samples), ms: this.ms.slice(0, this.samples),
    };
  }
}

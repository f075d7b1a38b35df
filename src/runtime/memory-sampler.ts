/**
 * Samples the process's resident memory once a second during a run (worker
 * threads share the process, so this covers every CPU, the epoch manager and
 * the checker on the main thread).
 */
export interface MemorySamples {
  /** Resident set at about 10 s into the run, in MB (null for shorter runs). */
  rssAt10sMB: number | null;
  /** Resident set at the end of the run, in MB. */
  rssAtEndMB: number;
  rssPeakMB: number;
  samples: number;
}

const MB = 1024 * 1024;

export class MemorySampler {
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private at10s: number | null = null;
  private peak = 0;
  private count = 0;

  start(): void {
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  stop(): MemorySamples {
    if (this.timer) clearInterval(this.timer);
    const end = this.sample();
    return {
      rssAt10sMB: this.at10s === null ? null : Math.round(this.at10s / MB),
      rssAtEndMB: Math.round(end / MB),
      rssPeakMB: Math.round(this.peak / MB),
      samples: this.count,
    };
  }

  private sample(): number {
    const rss = process.memoryUsage.rss();
    this.count++;
    if (rss > this.peak) this.peak = rss;
    if (this.at10s === null && performance.now() - this.started >= 10_000) this.at10s = rss;
    return rss;
  }
}

/**
 * Reclamation under a steady Exchange write load (2 CPUs or as asked,
 * DISPATCH batches, passthrough, tracing on, no checker): a TraceSink
 * watches `retire`, `free` and `epoch_advance` events and measures
 *   - retire-to-free latency of every block freed, in epoch ticks (the
 *     epoch_advance events between its retire and its free) and in
 *     microseconds (the events' t, ns since the run began);
 *   - garbage (blocks retired and not yet freed), sampled at every tick:
 *     its peak and its steady value (the median sample).
 * The stalled variant holds CPU 0 inside its epoch (scenario faults.stall)
 * for `stallMs` about a quarter into the run; the stall window is the longest
 * silence of CPU 0 in the trace (an injected stall records no event).
 * Garbage must grow during it and come back down after it.
 * Tracing is what makes these figures visible, and it slows the run: a lane
 * whose ring is full waits inside its epoch for the main thread, which
 * holds back the release (see the µs figures next to the tick figures).
 */
import { compileScenario } from '../scenario/scenario.js';
import { runPlan } from '../runtime/runner.js';
import type { TraceSink } from '../trace/jsonl.js';
import type { TraceEvent } from '../trace/decode.js';
import { MIXES, mixScenario, prefillOf } from './mixes.js';
import { median, percentile } from './stats.js';

export interface Latency { p50: number; p99: number; max: number }

export interface ReclaimFigures {
  freed: number;
  ticks: Latency;
  micros: Latency;
  peakGarbage: number;
  steadyGarbage: number;
  /**
   * Stalled runs only: whether the stall took effect (CPU 0 reached the
   * planned operation); garbage before, at the peak of, and after the stall
   * window; its length in ticks.
   */
  stall: { happened: boolean; atOp: number; ticks: number; before: number; peak: number; after: number; final: number } | null;
}

/** Collects the reclamation figures of one traced run. */
export class ReclaimSink implements TraceSink {
  private advances = 0;
  private readonly retired = new Map<number, { t: number; tick: number }>();
  private readonly ticks: number[] = [];
  private readonly micros: number[] = [];
  /** Per tick: garbage after it, and when it happened. */
  readonly garbage: number[] = [];
  readonly tickTimes: number[] = [];
  /** CPU 0's longest silence: [from, to] in trace time. */
  private lastCpu0 = -1;
  private silence = { from: 0, to: 0 };

  /** Set at the first map delete: teardown retires every entry at once, which is not the workload's garbage. */
  private ended = false;

  write(e: TraceEvent): void {
    if (this.ended) return;
    if (e.cpu === 0) this.cpu0(e.t);
    if (e.event === 'op_begin' && (e['op'] === 'delete_map' || e['op'] === 'map_cleanup')) this.ended = true;
    else if (e.event === 'retire') this.retired.set(e['block'] as number, { t: e.t, tick: this.advances });
    else if (e.event === 'free') {
      const r = this.retired.get(e['block'] as number);
      if (r === undefined) return; // freed at once (never retired), or retired before the sink saw it
      this.retired.delete(e['block'] as number);
      this.ticks.push(this.advances - r.tick);
      this.micros.push((e.t - r.t) / 1000);
    } else if (e.event === 'epoch_advance') {
      this.advances++;
      this.garbage.push(this.retired.size);
      this.tickTimes.push(e.t);
    }
  }

  private cpu0(t: number): void {
    if (this.lastCpu0 >= 0 && t - this.lastCpu0 > this.silence.to - this.silence.from) this.silence = { from: this.lastCpu0, to: t };
    this.lastCpu0 = t;
  }

  close(): void {
    // nothing to release
  }

  figures(stalled: boolean): ReclaimFigures {
    const lat = (xs: number[]): Latency => {
      const s = Float64Array.from(xs).sort();
      return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.length > 0 ? s[s.length - 1] as number : 0 };
    };
    return {
      freed: this.ticks.length, ticks: lat(this.ticks), micros: lat(this.micros),
      peakGarbage: Math.max(0, ...this.garbage), steadyGarbage: median(this.garbage),
      stall: stalled ? this.stallWindow() : null,
    };
  }

  private stallWindow(): ReclaimFigures['stall'] {
    const g = this.garbage;
    const { from, to } = this.silence;
    const at = (pred: (t: number) => boolean): number[] => g.filter((_, i) => pred(this.tickTimes[i] as number));
    const during = at((t) => t >= from && t <= to);
    // "After": from one stall length past its end, once the backlog had time to drain.
    return {
      happened: true, atOp: 0, ticks: during.length, before: median(at((t) => t < from)), peak: Math.max(0, ...during),
      after: median(at((t) => t > to + (to - from))), final: g[g.length - 1] ?? 0,
    };
  }
}

export interface ReclaimRun { cpus: number; capacity: number; durationMs: number; seed: number; stallMs: number; stallAtOp: number }

/** One traced Exchange run (helper batches); stalled when stallMs > 0. Returns the figures and the ops per CPU per second. */
export async function runReclaim(r: ReclaimRun): Promise<{ figures: ReclaimFigures; opsPerCpuPerSec: number }> {
  const mix = MIXES.find((m) => m.name === 'Exchange')!;
  const json = mixScenario(mix, 'helper', r.cpus, r.capacity, r.durationMs, r.seed);
  if (r.stallMs > 0) {
    json['faults'] = { stall: [{ cpu: 0, atOp: r.stallAtOp, steps: r.stallMs }] };
    json['stallEpochs'] = 1_000_000; // a planned stall, not one to warn about
  }
  const plan = await compileScenario(json, 'bench:reclaim', process.cwd(), { cpus: r.cpus, seed: r.seed });
  plan.trace = true;
  const sink = new ReclaimSink();
  const report = await runPlan(plan, { sinks: [sink] });
  if (report.verdict !== 'pass') throw new Error(`bench: the reclamation run did not pass (verdict ${report.verdict})`);
  const ops = report.ops - prefillOf(mix, r.capacity);
  const figures = sink.figures(r.stallMs > 0);
  if (figures.stall) Object.assign(figures.stall, { happened: report.faults.stalls > 0, atOp: r.stallAtOp });
  return { figures, opsPerCpuPerSec: ops / r.cpus / (Math.max(1, report.elapsedMs) / 1000) };
}

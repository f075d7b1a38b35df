/**
 * What the timeline draws, derived once from the trace's events: one lane
 * per CPU and one for the epoch manager, each with its spans (IRQL bands,
 * epochs from epoch_enter to epoch_exit, operations from op_begin to op_end,
 * bucket locks) and its events; the published and released epochs as steps;
 * where the window's segments start; the checker's reports by event.
 * Spans hold event indices (into `events`), not coordinates.
 */
import type { TraceDocument, TraceEvent, ViolationReport } from './types.js';
import { opLabel } from './format.js';

export const Row = { Irql: 0, Epoch: 1, Op: 2, Inner: 3, Lock: 4 } as const;
export type RowId = (typeof Row)[keyof typeof Row];

/** The mark an event makes in its lane (one of each is drawn per pixel column). */
export const Mark = { Other: 0, Retire: 1, Free: 2, Violation: 3, Advance: 4, Read: 5 } as const;
export const MARK_KINDS = 6;
const MARK_OF: Record<string, number> = { retire: Mark.Retire, free: Mark.Free, violation: Mark.Violation, epoch_advance: Mark.Advance, read: Mark.Read };

export interface Span {
  /** Event indices of its first and last event. */
  b: number;
  e: number;
  row: RowId;
  /** Nesting depth within its row (epochs). */
  depth: number;
  label: string;
  /** What colours it: an IRQL, an op result, 'epoch', 'lock'. */
  kind: string;
  /** The span began before (or ended after) the events shown. */
  cut: boolean;
}

export interface Lane {
  cpu: number;
  /** Spans by row, each sorted by their first event. */
  rows: Span[][];
  /** Indices of this lane's events, in order. */
  events: number[];
}

export interface EpochStep {
  /** Index of the epoch_advance (or of a segment's first event). */
  i: number;
  published: number;
  released: number;
}

export interface Model {
  trace: TraceDocument;
  events: TraceEvent[];
  lanes: Lane[];
  laneOf: Map<number, number>;
  steps: EpochStep[];
  /** Index of the first event of each segment after the first (where events were left out before it). */
  gaps: number[];
  indexOfSeq: Map<number, number>;
  /** The checker's reports, in order, and those firing at each event index. */
  reports: ViolationReport[];
  reportsAt: Map<number, ViolationReport[]>;
  /** Per event index: its Mark, and a callback's dur (-1 for other events). */
  kind: Uint8Array;
  dur: Float64Array;
}

interface Open {
  begin: number;
  label: string;
}

/** Per lane, while building: the open spans. */
class LaneBuilder {
  readonly lane: Lane;
  private irql: { b: number; irql: string } | null = null;
  private readonly epochs: Open[] = [];
  private readonly ops: Open[] = [];
  private readonly locks: Open[] = [];
  last = -1;

  constructor(cpu: number) {
    this.lane = { cpu, rows: [[], [], [], [], []], events: [] };
  }

  /** Applies event `i`; `start` is the index its segment began at (a span ending without a begin starts there). */
  add(e: TraceEvent, i: number, start: number): void {
    this.lane.events.push(i);
    if (this.irql === null || this.irql.irql !== e.irql) {
      if (this.irql !== null) this.span(Row.Irql, this.irql.b, i, this.irql.irql, this.irql.irql, false);
      this.irql = { b: i, irql: e.irql };
    }
    this.last = i;
    switch (e.event) {
      case 'epoch_enter': this.epochs.push({ begin: i, label: `epoch ${String(e['epoch'])}` }); break;
      case 'epoch_exit': {
        const o = this.opened(this.epochs, start, `epoch ${String(e['epoch'])}`);
        this.span(Row.Epoch, o.b, i, o.label, 'epoch', o.cut, this.epochs.length);
        break;
      }
      case 'op_begin': this.ops.push({ begin: i, label: opLabel(e, null) }); break;
      case 'op_end': {
        const o = this.opened(this.ops, start, opLabel(null, e));
        this.span(this.ops.length > 0 ? Row.Inner : Row.Op, o.b, i, o.label, String(e['result'] ?? ''), o.cut);
        break;
      }
      case 'bucket_lock': this.locks.push({ begin: i, label: `lock ${String(e['bucket'])}` }); break;
      case 'bucket_unlock': {
        const o = this.opened(this.locks, start, `lock ${String(e['bucket'])}`);
        this.span(Row.Lock, o.b, i, o.label, 'lock', o.cut);
        break;
      }
      default: break;
    }
  }

  /** The span an end event closes: its begin, or (when the begin was left out) the segment's start, cut. */
  private opened(stack: Open[], start: number, label: string): { b: number; label: string; cut: boolean } {
    const open = stack.pop();
    return open ? { b: open.begin, label: open.label, cut: false } : { b: start, label, cut: true };
  }

  /** At the end of a segment (or of the trace): what is still open ends at its last event, cut. */
  finish(): void {
    if (this.last < 0) return;
    if (this.irql !== null) this.span(Row.Irql, this.irql.b, this.last, this.irql.irql, this.irql.irql, false);
    this.irql = null;
    while (this.epochs.length > 0) {
      const o = this.epochs.pop()!;
      this.span(Row.Epoch, o.begin, this.last, o.label, 'epoch', true, this.epochs.length);
    }
    while (this.ops.length > 0) {
      const o = this.ops.pop()!;
      this.span(this.ops.length > 0 ? Row.Inner : Row.Op, o.begin, this.last, o.label, 'open', true);
    }
    for (const o of this.locks.splice(0)) this.span(Row.Lock, o.begin, this.last, o.label, 'lock', true);
  }

  private span(row: RowId, b: number, e: number, label: string, kind: string, cut: boolean, depth = 0): void {
    this.lane.rows[row]!.push({ b, e, row, depth, label, kind, cut });
  }
}

function laneOrder(trace: TraceDocument): number[] {
  const cpus = new Set<number>();
  for (let c = 0; c < trace.run.cpus; c++) cpus.add(c);
  for (const e of trace.events) cpus.add(e.cpu);
  const list = [...cpus].filter((c) => c >= 0).sort((a, b) => a - b);
  return [...list, -1];
}

/** Where each segment after the first begins, as event indices. */
function gapsOf(trace: TraceDocument, indexOfSeq: Map<number, number>): number[] {
  const segments = trace.window?.segments ?? [];
  return segments.slice(1).map((s) => indexOfSeq.get(s.from)).filter((i): i is number => i !== undefined);
}

function stepsOf(trace: TraceDocument, indexOfSeq: Map<number, number>): EpochStep[] {
  const starts = new Map<number, { published: number; released: number }>();
  for (const s of trace.window?.segments ?? []) {
    const i = indexOfSeq.get(s.from);
    if (i !== undefined) starts.set(i, { published: s.published, released: s.released });
  }
  const steps: EpochStep[] = trace.events.length > 0 && !starts.has(0) ? [{ i: 0, published: 1, released: 0 }] : [];
  trace.events.forEach((e, i) => {
    const start = starts.get(i);
    if (start !== undefined) steps.push({ i, ...start });
    if (e.event === 'epoch_advance') steps.push({ i, published: Number(e['epoch']), released: Number(e['released']) });
  });
  return steps;
}

export function buildModel(trace: TraceDocument): Model {
  const events = trace.events;
  const indexOfSeq = new Map<number, number>();
  events.forEach((e, i) => indexOfSeq.set(e.seq, i));
  const order = laneOrder(trace);
  const laneOf = new Map(order.map((cpu, k) => [cpu, k]));
  const builders = order.map((cpu) => new LaneBuilder(cpu));
  const gaps = gapsOf(trace, indexOfSeq);
  const gapSet = new Set(gaps);
  let start = 0;
  events.forEach((e, i) => {
    if (gapSet.has(i)) {
      for (const b of builders) b.finish();
      start = i;
    }
    builders[laneOf.get(e.cpu)!]!.add(e, i, start);
  });
  for (const b of builders) b.finish();
  for (const b of builders) for (const row of b.lane.rows) row.sort((x, y) => x.b - y.b || x.depth - y.depth);
  const reportsAt = new Map<number, ViolationReport[]>();
  for (const r of trace.reports) {
    const i = indexOfSeq.get(r.seq);
    if (i !== undefined) reportsAt.set(i, [...(reportsAt.get(i) ?? []), r]);
  }
  const kind = new Uint8Array(events.length);
  const dur = new Float64Array(events.length).fill(-1);
  events.forEach((e, i) => {
    kind[i] = MARK_OF[e.event] ?? Mark.Other;
    if (typeof e['dur'] === 'number') dur[i] = e['dur'];
  });
  return {
    trace, events, lanes: builders.map((b) => b.lane), laneOf, steps: stepsOf(trace, indexOfSeq), gaps, indexOfSeq,
    reports: trace.reports, reportsAt, kind, dur,
  };
}

/** The index of the last element of `sorted` (ascending by key) whose key is <= x, or -1. */
export function lastAtOrBefore<T>(sorted: readonly T[], x: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(sorted[mid]!) <= x) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

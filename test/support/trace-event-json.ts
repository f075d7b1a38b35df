/**
 * Reading a Trace Event Format export back in tests, and the nesting
 * contract its slices keep on every track: with slices sorted by start
 * (the longer first on a tie), each one either starts after the innermost
 * open slice has ended (strictly: no touching), or lies inside it and ends
 * strictly before it. Computed with floats, as ts + dur, the way viewers do.
 */
import { readFileSync } from 'node:fs';

export interface TraceEventRecord {
  ph: string;
  ts?: number;
  dur?: number;
  pid?: number;
  tid?: number;
  name?: string;
  cat?: string;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

export interface TraceEventDoc {
  displayTimeUnit: string;
  traceEvents: TraceEventRecord[];
  otherData: Record<string, unknown>;
}

export const loadTraceEventDoc = (path: string): TraceEventDoc => JSON.parse(readFileSync(path, 'utf8')) as TraceEventDoc;

export interface Span {
  tid: number;
  name: string;
  ts: number;
  dur: number;
}

/** The pairs of slices on one track that break the nesting contract, as readable lines. */
export function nestingProblems(spans: readonly Span[]): string[] {
  const problems: string[] = [];
  const byTid = new Map<number, Span[]>();
  for (const s of spans) byTid.set(s.tid, [...(byTid.get(s.tid) ?? []), s]);
  for (const list of byTid.values()) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const open: Span[] = [];
    for (const x of sorted) {
      while (open.length > 0 && open[open.length - 1]!.ts + open[open.length - 1]!.dur < x.ts) open.pop();
      const top = open[open.length - 1];
      if (top !== undefined && !(x.ts >= top.ts && x.ts + x.dur < top.ts + top.dur)) {
        problems.push(`tid ${x.tid}: ${x.name} [${x.ts}, ${x.ts + x.dur}] against ${top.name} [${top.ts}, ${top.ts + top.dur}]`);
      }
      open.push(x);
    }
  }
  return problems;
}

/** The complete events of a document as spans. */
export const spansOf = (doc: TraceEventDoc): Span[] => doc.traceEvents
  .filter((e) => e.ph === 'X')
  .map((e) => ({ tid: e.tid as number, name: e.name as string, ts: e.ts as number, dur: e.dur as number }));

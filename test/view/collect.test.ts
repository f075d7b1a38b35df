/**
 * The window collector: a short trace is kept whole; a long one keeps its
 * start, the events around the violations it is told of and its end, within
 * the limit; every segment starts from the state the left-out events before
 * it left (epochs, retire queues), and what was dropped is counted by name.
 * Last, inside a real checked run the checker tells it where a violation
 * fired.
 */
import { expect } from 'chai';
import { WindowCollector } from '../../src/view/collect.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import type { RetiredBlock } from '../../src/view/document.js';
import { loadScenario } from '../../src/scenario/scenario.js';
import { runChecked } from '../../src/harness/checked-run.js';
import { MemorySink } from '../../src/trace/jsonl.js';

/** A trace that retires a block per op, frees it 9 events later, and advances the epoch every 10 events. */
function synthetic(n: number): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const base = { seq, t: seq * 10, irql: 'PASSIVE' };
    if (seq % 10 === 0) events.push({ ...base, cpu: -1, event: 'epoch_advance', epoch: 1 + seq / 10, released: seq / 10 - 1 });
    else if (seq % 10 === 1) events.push({ ...base, cpu: seq % 3 === 0 ? 1 : 0, event: 'retire', block: seq, epoch: 1 + Math.floor(seq / 10), tag: 'eVal' });
    else if (seq % 10 === 9 && seq > 9) events.push({ ...base, cpu: -1, event: 'free', block: seq - 8, stamp: 0, released: 0, tag: 'eVal' });
    else events.push({ ...base, cpu: seq % 2, event: 'read', block: 1, state: 'live', stamp: 0, readerEpoch: 1, published: 1, age: 0 });
  }
  return events;
}

/** The state just before event `seq`, folded independently from the whole trace. */
function stateBefore(events: TraceEvent[], seq: number): { published: number; released: number; retired: RetiredBlock[] } {
  let published = 1;
  let released = 0;
  const retired = new Map<number, RetiredBlock>();
  for (const e of events) {
    if (e.seq >= seq) break;
    if (e.event === 'retire') retired.set(Number(e['block']), { cpu: e.cpu, block: Number(e['block']), stamp: Number(e['epoch']), tag: String(e['tag']), seq: e.seq });
    if (e.event === 'free') retired.delete(Number(e['block']));
    if (e.event === 'epoch_advance') { published = Number(e['epoch']); released = Number(e['released']); }
  }
  return { published, released, retired: [...retired.values()] };
}

function collect(events: TraceEvent[], options: ConstructorParameters<typeof WindowCollector>[0], violations: number[] = []): ReturnType<WindowCollector['result']> {
  const c = new WindowCollector(options);
  for (const e of events) {
    c.write(e);
    if (violations.includes(e.seq)) c.onReport('memory.use-after-free', e.seq);
  }
  return c.result();
}

const n = (x: number): string => x.toLocaleString('en-US');

describe('view/collect: the window of a long trace', () => {
  it('keeps a trace under its limit whole, with no window', () => {
    const events = synthetic(500);
    const r = collect(events, { limit: 1000, before: 50, after: 20, violations: 2 });
    expect(r.window).to.equal(null);
    expect(r.events).to.deep.equal(events);
  });

  const total = 20_000;
  const o = { limit: 5000, before: 300, after: 100, violations: 2 };
  const head = o.limit - o.violations * (o.before + o.after) - o.before;

  it('keeps the start, the events around each violation and the end, each run starting from the state before it', () => {
    const events = synthetic(total);
    const r = collect(events, o, [8000, 12_000]);
    const w = r.window!;
    const runs = [[1, head], [8000 - o.before + 1, 8000 + o.after], [12_000 - o.before + 1, 12_000 + o.after], [total - o.before + 1, total]];
    expect(w.segments!.map((s) => [s.from, s.to])).to.deep.equal(runs);
    expect(r.events.map((e) => e.seq)).to.deep.equal(runs.flatMap(([a, b]) => Array.from({ length: b! - a! + 1 }, (_, k) => a! + k)));
    expect(r.events.length).to.be.at.most(o.limit);
    expect(w).to.deep.include({ from: 1, to: total, total });
    for (const s of w.segments!) expect({ published: s.published, released: s.released, retired: s.retired }).to.deep.equal(stateBefore(events, s.from));
    expect(w.note).to.equal(`Showing ${n(r.events.length)} of ${n(total)} events: #1-#${n(head)} (the start), ` +
      `#${n(runs[1]![0]!)}-#${n(runs[1]![1]!)} (around the violation at #8,000), #${n(runs[2]![0]!)}-#${n(runs[2]![1]!)} (around the violation at #12,000), ` +
      `#${n(runs[3]![0]!)}-#${n(total)} (the end).`);
  });

  it('counts what it left out, by event name', () => {
    const events = synthetic(total);
    const r = collect(events, o, [8000]);
    const kept = new Set(r.events.map((e) => e.seq));
    const expected: Record<string, number> = {};
    for (const e of events) if (!kept.has(e.seq)) expected[e.event] = (expected[e.event] ?? 0) + 1;
    expect(r.window!.dropped).to.deep.equal(expected);
    expect(Object.values(r.window!.dropped!).reduce((a, b) => a + b, 0)).to.equal(total - r.events.length);
  });

  it('a violation among the kept events takes no window; violations past the budget are named in the note', () => {
    const events = synthetic(total);
    const one = { ...o, violations: 1 };
    const head1 = one.limit - (one.before + one.after) - one.before;
    const r = collect(events, one, [head1 - 30, 9000, 9500]);
    expect(r.window!.segments!.map((s) => [s.from, s.to])).to.deep.equal([[1, head1], [9000 - o.before + 1, 9000 + o.after], [total - o.before + 1, total]]);
    expect(r.events.some((e) => e.seq === 9500)).to.equal(false);
    expect(r.window!.note).to.contain(`#1-#${n(head1)} (the start), `);
    expect(r.window!.note).to.match(/; 1 more violation\(s\) outside it, from #9,500\.$/);
  });

  it('in a real checked run, the checker tells the collector where the violation fired', async function () {
    this.timeout(60_000);
    const plan = await loadScenario('smoke', {});
    plan.mode = 'controlled';
    plan.mutant = 'callback-under-lock';
    const all = new MemorySink();
    const w = { limit: 20, before: 4, after: 2, violations: 1 };
    const collector = new WindowCollector(w);
    const run = await runChecked(plan, 'test', { sinks: [all, collector] });
    const fired = run.report.check!.reports[0]!.seq;
    const r = collector.result();
    // The run is long enough that the violation falls after the kept start (10 events) and its 4 before.
    expect(fired).to.be.greaterThan(w.limit - w.before - w.after - w.before + w.before);
    expect(all.events.length).to.be.greaterThan(fired + w.after + w.before);
    const around = r.window!.segments!.find((s) => s.from <= fired && fired <= s.to)!;
    expect([around.from, around.to]).to.deep.equal([fired - w.before + 1, fired + w.after]);
    expect(r.window!.note).to.contain(`(around the violation at #${fired})`);
    expect({ published: around.published, released: around.released, retired: around.retired }).to.deep.equal(stateBefore(all.events, around.from));
  });
});

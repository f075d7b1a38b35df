/**
 * The Perfetto / Chrome trace export of real runs: a 2-CPU controlled run
 * of examples/replace-and-delete.json (written while it ran, and again
 * from its JSON Lines file), a run that breaks rules, and a replay of a
 * failure file. The JSON itself is checked: a named track per lane, slices
 * for every operation, epoch, lock hold and callback, properly nested, the
 * three counter tracks, one flow per freed block from its retire to its
 * free, and a violation instant per violation.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../../src/api/run.js';
import { stress } from '../../src/api/stress.js';
import { replay } from '../../src/api/replay.js';
import { exportPerfetto } from '../../src/view/export.js';
import { loadTraceFile } from '../../src/view/trace-file.js';
import { CALLBACK_EVENTS } from '../../src/check/context.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import { loadTraceEventDoc, nestingProblems, spansOf, type TraceEventDoc, type TraceEventRecord } from '../support/trace-event-json.js';

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-perfetto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ofPhase = (doc: TraceEventDoc, ph: string): TraceEventRecord[] => doc.traceEvents.filter((e) => e.ph === ph);
const meta = (doc: TraceEventDoc, name: string): TraceEventRecord[] => ofPhase(doc, 'M').filter((e) => e.name === name);

describe('view/perfetto: a 2-CPU controlled run of examples/replace-and-delete.json', function () {
  this.timeout(120_000);
  let report: RunResult;
  let events: TraceEvent[];
  let doc: TraceEventDoc;
  const tidOf = (lane: string): number => meta(doc, 'thread_name').find((m) => m.args?.['name'] === lane)!.tid as number;
  const laneOf = (cpu: number): string => (cpu < 0 ? 'epoch manager' : `CPU ${cpu}`);

  before(async () => {
    report = await run('examples/replace-and-delete.json', { mode: 'controlled', trace: join(tmp, 'rd.jsonl'), perfetto: join(tmp, 'rd.json') });
    events = await loadTraceFile(join(tmp, 'rd.jsonl'));
    doc = loadTraceEventDoc(join(tmp, 'rd.json'));
  });

  it('has one named, ordered track per lane, and says that 1 µs is one decision', () => {
    expect(report.verdict).to.equal('pass');
    const names = meta(doc, 'thread_name').map((m) => m.args?.['name']);
    expect(names).to.deep.equal(['CPU 0', 'CPU 1', 'epoch manager']);
    expect(new Set(meta(doc, 'thread_name').map((m) => m.tid)).size).to.equal(3);
    expect(meta(doc, 'thread_sort_index').map((m) => [m.tid, m.args?.['sort_index']]))
      .to.deep.equal([[tidOf('CPU 0'), 0], [tidOf('CPU 1'), 1], [tidOf('epoch manager'), 1000]]);
    expect(String(meta(doc, 'process_name')[0]!.args?.['name'])).to.contain('1 µs = 1 scheduling decision');
    expect(doc.otherData).to.include({ mode: 'controlled', scenario: 'replace-and-delete', cpus: 2, seed: 7 });
    expect(doc.displayTimeUnit).to.equal('ns');
  });

  it('draws every operation, epoch, lock hold and callback as a slice on its lane, properly nested', () => {
    const slices = ofPhase(doc, 'X');
    const count = (cat: string) => slices.filter((s) => s.cat === cat).length;
    expect(count('op')).to.equal(events.filter((e) => e.event === 'op_begin').length);
    expect(count('epoch')).to.equal(events.filter((e) => e.event === 'epoch_enter' || e.event === 'epoch_advance').length);
    expect(count('lock')).to.equal(events.filter((e) => e.event === 'bucket_lock').length);
    expect(count('callback')).to.equal(events.filter((e) => CALLBACK_EVENTS.has(e.event)).length);
    for (const end of events.filter((e) => e.event === 'op_end')) {
      const slice = slices.find((s) => s.cat === 'op' && s.args?.['seqEnd'] === end.seq)!;
      const begin = events.find((e) => e.seq === slice.args?.['seq'])!;
      expect(slice.name).to.equal([end['op'], end['map'], end['key']].filter((x) => x !== undefined).join(' '));
      expect(slice.args).to.include({ result: end['result'], mode: begin['mode'], irql: begin.irql });
      expect(slice.tid).to.equal(tidOf(laneOf(end.cpu)));
      expect(slice.ts).to.equal(begin.t);
    }
    expect(nestingProblems(spansOf(doc))).to.deep.equal([]);
    expect(doc.otherData).to.include({ clipped: 0, unmatched: 0 });
  });

  it('has the three counter tracks: the published and released epochs, the blocks retired but not freed', () => {
    const counters = ofPhase(doc, 'C');
    expect([...new Set(counters.map((c) => c.name))].sort()).to.deep.equal(['published', 'released', 'retired, not freed']);
    const advances = events.filter((e) => e.event === 'epoch_advance');
    expect(counters.filter((c) => c.name === 'published').map((c) => c.args?.['epoch'])).to.deep.equal(advances.map((e) => e['epoch']));
    expect(counters.filter((c) => c.name === 'released').map((c) => c.args?.['epoch'])).to.deep.equal(advances.map((e) => e['released']));
    let waiting = 0;
    const expected = events.filter((e) => e.event === 'retire' || (e.event === 'free' && e['stamp'] !== 0)).map((e) => (waiting += e.event === 'retire' ? 1 : -1));
    expect(counters.filter((c) => c.name === 'retired, not freed').map((c) => c.args?.['blocks'])).to.deep.equal(expected);
    expect(expected.at(-1)).to.equal(0);
  });

  it('has exactly one flow start and one flow end per freed block, from the retire marker to the free marker', () => {
    const starts = ofPhase(doc, 's');
    const ends = ofPhase(doc, 'f');
    expect(report.blocksFreed).to.be.greaterThan(0);
    expect(starts).to.have.length(report.blocksFreed);
    expect(ends).to.have.length(report.blocksFreed);
    expect(new Set(starts.map((s) => s.id)).size).to.equal(starts.length);
    const slices = ofPhase(doc, 'X');
    const markerAt = (f: TraceEventRecord) => slices.find((s) => s.tid === f.tid && s.cat === 'reclaim' && s.ts! <= f.ts! && f.ts! <= s.ts! + s.dur!);
    for (const s of starts) {
      const f = ends.find((e) => e.id === s.id)!;
      expect(f, `flow ${s.id}`).to.not.equal(undefined);
      expect(f).to.include({ bp: 'e', name: s.name, cat: s.cat });
      const retire = markerAt(s)!;
      const free = markerAt(f)!;
      expect(retire.name, `flow ${s.id}`).to.match(/^retire /);
      expect(free.name).to.equal(retire.name!.replace('retire', 'free'));
      expect(free.args?.['block']).to.equal(retire.args?.['block']);
      expect(f.ts!).to.be.greaterThan(s.ts!);
    }
  });

  it('is the same written from the JSON Lines file as written while the run went', async () => {
    const summary = await exportPerfetto(join(tmp, 'rd.jsonl'), join(tmp, 'rd-again.json'));
    expect(loadTraceEventDoc(join(tmp, 'rd-again.json')).traceEvents).to.deep.equal(doc.traceEvents);
    expect(summary).to.include({ flows: report.blocksFreed, violations: 0, timeUnit: 'decision' });
    expect(summary.lanes).to.deep.equal(['CPU 0', 'CPU 1', 'epoch manager']);
  });
});

describe('view/perfetto: violations', function () {
  this.timeout(120_000);

  it('draws each violation of a run as an instant on its lane, with the rule and the message', async () => {
    const out = join(tmp, 'diff.json');
    const r = await run('diff-delete-under-lock', { mode: 'controlled', profile: 'ebpf-for-windows', perfetto: out });
    const instants = ofPhase(loadTraceEventDoc(out), 'i');
    expect(r.violationCount).to.be.greaterThan(0);
    expect(instants).to.have.length(r.violationCount);
    const byRule: Record<string, number> = {};
    for (const i of instants) {
      expect(i.s).to.equal('t');
      expect(i.args?.['message']).to.be.a('string').and.not.equal('');
      byRule[String(i.args?.['rule'])] = (byRule[String(i.args?.['rule'])] ?? 0) + 1;
    }
    expect(byRule).to.deep.equal(r.check!.byRule);
  });

  it('replay --perfetto draws the reproduced violation; replay --trace starts with run_begin', async () => {
    const failure = join(tmp, 'failure.json');
    const hunt = await stress('smoke', { runs: 5, mutant: 'callback-under-lock', out: failure, shrink: false });
    expect(hunt.violation, 'the planted bug is found').to.not.equal(null);
    const r = await replay(failure, { perfetto: join(tmp, 'replay.json'), trace: join(tmp, 'replay.jsonl') });
    expect(r.perfetto).to.equal(join(tmp, 'replay.json'));
    const rules = ofPhase(loadTraceEventDoc(join(tmp, 'replay.json')), 'i').map((i) => String(i.args?.['rule']));
    expect([...new Set(rules)].sort()).to.deep.equal(Object.keys(r.rules).filter((k) => r.rules[k]! > 0).sort());
    const first = JSON.parse(readFileSync(join(tmp, 'replay.jsonl'), 'utf8').split('\n')[0]!) as TraceEvent;
    expect(first).to.include({ event: 'run_begin', mode: 'controlled', mutant: 'callback-under-lock', scenario: r.scenario });
  });
});

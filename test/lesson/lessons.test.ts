/**
 * Every lesson, on real threads: it runs to its end in controlled mode with
 * the same trace digests every time; its own run is clean and its broken
 * run shows the rule it is about; every step of both narrations is pinned
 * to an event of its trace, in seq order; and the answer says what the
 * trace shows, recomputed here from the events by code of its own.
 */
import { expect } from 'chai';
import { lesson, lessons, type LessonResult } from '../../src/api/lesson.js';
import { LESSONS } from '../../src/lesson/catalog.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import type { LessonStep, TraceDocument } from '../../src/view/document.js';

const n = (e: TraceEvent, field: string): number => e[field] as number;

function first(events: readonly TraceEvent[], pred: (e: TraceEvent) => boolean, after = 0): TraceEvent {
  const e = events.find((x) => x.seq > after && pred(x));
  if (e === undefined) throw new Error('no such event');
  return e;
}

function lastBefore(events: readonly TraceEvent[], seq: number, pred: (e: TraceEvent) => boolean): TraceEvent {
  const e = events.filter((x) => x.seq < seq && pred(x)).at(-1);
  if (e === undefined) throw new Error('no such event');
  return e;
}

const tick = (e: TraceEvent): boolean => e.event === 'epoch_advance';

const CALLBACKS = [
  'preprocess_map_create', 'postprocess_map_delete', 'postprocess_map_find_element', 'preprocess_map_update_element',
  'preprocess_map_delete_element', 'postprocess_map_delete_element', 'preprocess_map_associate_program_type',
];

/** The value CPU 0 found first, and the events of its retire and its free. */
function cpu0Value(events: readonly TraceEvent[]) {
  const read = first(events, (e) => e.event === 'read' && e.cpu === 0);
  const block = n(read, 'block');
  const retire = first(events, (e) => e.event === 'retire' && n(e, 'block') === block, read.seq);
  const free = first(events, (e) => e.event === 'free' && n(e, 'block') === block, retire.seq);
  return { read, block, retire, free };
}

/** Each lesson's answer, recomputed from its own run: phrases the answer must contain. */
const EXPECTED: Record<string, (events: readonly TraceEvent[]) => string[]> = {
  'why-epochs': (events) => {
    const v = cpu0Value(events);
    const freeing = lastBefore(events, v.free.seq, tick);
    const before = first(events, tick, v.retire.seq);
    expect(n(before, 'released')).to.be.below(n(v.retire, 'epoch'));
    return [`The tick at #${freeing.seq} (epoch ${n(freeing, 'epoch')}, released ${n(freeing, 'released')}) frees block ${v.block} at #${v.free.seq}`,
      `The tick at #${before.seq} released only epoch ${n(before, 'released')}`];
  },
  'grace-period': (events) => {
    const v = cpu0Value(events);
    const inside: number[] = [];
    for (const cpu of [0, 1, 2]) {
      const mine = events.filter((e) => e.cpu === cpu && e.seq < v.free.seq && (e.event === 'epoch_enter' || e.event === 'epoch_exit'));
      if (mine.at(-1)?.event === 'epoch_enter') inside.push(cpu);
    }
    expect(inside).to.deep.equal([2]);
    const enter = lastBefore(events, v.free.seq, (e) => e.event === 'epoch_enter' && e.cpu === 2);
    expect(n(enter, 'epoch')).to.be.above(n(v.retire, 'epoch'));
    return [`CPU 2, in epoch ${n(enter, 'epoch')}, when block ${v.block} is freed at #${v.free.seq}`,
      `reaches the value's stamp ${n(v.retire, 'epoch')}`];
  },
  'released-epoch': (events) => {
    const v = cpu0Value(events);
    const held = first(events, tick, v.retire.seq);
    expect(n(held, 'released')).to.equal(n(v.read, 'readerEpoch') - 1);
    return [`At #${held.seq} the published epoch is ${n(held, 'epoch')} and the released epoch ${n(held, 'released')}`,
      `The old value is stamped ${n(v.retire, 'epoch')}`];
  },
  'stalled-reader': (events) => {
    const warning = first(events, (e) => e.event === 'stall_warning');
    const upTo = events.filter((e) => e.seq <= warning.seq);
    const waiting = upTo.filter((e) => e.event === 'retire').length - upTo.filter((e) => e.event === 'free').length;
    const exit = first(events, (e) => e.event === 'epoch_exit' && e.cpu === 0, warning.seq);
    const burst = first(events, tick, exit.seq);
    const next = first(events, tick, burst.seq);
    const freed = events.filter((e) => e.event === 'free' && e.seq > burst.seq && e.seq < next.seq).length;
    expect(waiting).to.be.above(2);
    expect(freed).to.equal(waiting);
    return [`${waiting} blocks were waiting at the warning (#${warning.seq})`, `the tick at #${burst.seq}`, `freed ${freed}.`];
  },
  'updates-original-value': (events) => {
    const calls = events.filter((e) => e.cpu === 1 && e['map'] === 'objects' && e['mode'] === 'helper' && e.event === 'op_begin');
    expect(calls.map((e) => e['op'])).to.deep.equal(['find', 'update', 'delete']);
    const ends = calls.map((c) => first(events, (e) => e.event === 'op_end' && e.cpu === 1, c.seq));
    const from = calls[0]!.seq;
    const to = ends.at(-1)!.seq;
    const callbacks = events.filter((e) => e.seq > from && e.seq < to && CALLBACKS.includes(e.event));
    expect(callbacks).to.deep.equal([]);
    return ['0 callbacks', ...ends.map((e) => `${String(e['op'])} ${String(e['result'])} (#${e.seq})`)];
  },
  'retire-before-unlink': (events) => {
    const unlink = first(events, (e) => e.event === 'bucket_unlock' && e['core'] === 'remove');
    const retire = first(events, (e) => e.event === 'retire' && e['tag'] === 'ObOb');
    expect(unlink.seq).to.be.below(retire.seq);
    const find = first(events, (e) => e.event === 'op_end' && e.cpu === 1 && e['op'] === 'find');
    expect(find['result']).to.equal('EBPF_OBJECT_NOT_FOUND');
    return [`EBPF_OBJECT_NOT_FOUND (#${find.seq})`, `unlinked the entry at #${unlink.seq}, before it retired the object at #${retire.seq}`];
  },
};

/** Every step is an event of the trace; the steps are in strictly increasing seq order. */
function expectPinned(steps: readonly LessonStep[], trace: TraceDocument): void {
  const seqs = new Set(trace.events.map((e) => e.seq));
  expect(steps.length).to.be.above(1);
  for (const s of steps) {
    expect(seqs.has(s.seq), `step at #${s.seq}`).to.equal(true);
    expect(s.text).to.match(/^[A-Z].*\.$/);
  }
  for (let i = 1; i < steps.length; i++) expect(steps[i]!.seq).to.be.above(steps[i - 1]!.seq);
}

describe('lesson: every lesson, run twice', function () {
  this.timeout(120_000);

  it('lessons() lists the six, each with its title and what its break-it variant switches', () => {
    expect(lessons().map((l) => l.name)).to.deep.equal([
      'why-epochs', 'grace-period', 'released-epoch', 'stalled-reader', 'updates-original-value', 'retire-before-unlink']);
    const rbu = lessons().find((l) => l.name === 'retire-before-unlink')!;
    expect(rbu).to.deep.include({ mutant: null, brokenProfile: 'ebpf-for-windows' });
  });

  for (const spec of LESSONS) {
    describe(spec.name, () => {
      let runs: LessonResult[];
      before(async () => {
        runs = [await lesson(spec.name), await lesson(spec.name)];
      });

      it('runs to its end with the same trace digests every time, as it is and broken', () => {
        const [a, b] = runs as [LessonResult, LessonResult];
        expect(a.digests.lesson).to.match(/^[0-9a-f]{64}$/);
        expect(a.digests.broken).to.match(/^[0-9a-f]{64}$/);
        expect(a.digests.lesson).to.not.equal(a.digests.broken);
        expect(b.digests).to.deep.equal(a.digests);
        expect(b.lesson).to.deep.equal(a.lesson);
        // To its end: both runs got through teardown, where every map is deleted.
        for (const t of [a.trace, a.lesson.broken!.trace]) {
          const maps = Object.keys(spec.scenario['maps'] as object);
          expect(t.events.filter((e) => e.event === 'postprocess_map_delete').map((e) => e['map'])).to.have.members(maps);
        }
      });

      it(`its own run is clean; the broken run (${spec.broken.label}) shows ${spec.broken.rule}`, () => {
        const r = runs[0]!;
        expect(r.trace.reports).to.deep.equal([]);
        expect(r.trace.run).to.deep.include({ mode: 'controlled', strategy: 'sequential', mutant: null, profile: spec.profile });
        const broken = r.lesson.broken!;
        expect(broken.trace.run).to.deep.include({ mutant: spec.broken.mutant, profile: spec.broken.profile });
        expect(broken.trace.reports.map((x) => x.rule)).to.include(spec.broken.rule);
      });

      it('every step of both narrations is pinned to an event of its trace, in seq order', () => {
        const l = runs[0]!.lesson;
        expectPinned(l.steps, runs[0]!.trace);
        expectPinned(l.broken!.steps, l.broken!.trace);
        // The broken narration reaches the violation: its last step is at or after the first report of the rule.
        const report = l.broken!.trace.reports.find((x) => x.rule === spec.broken.rule)!;
        expect(l.broken!.steps.at(-1)!.seq).to.be.at.least(report.seq);
      });

      it('the answer says what the trace shows', () => {
        const r = runs[0]!;
        expect(r.lesson.question).to.match(/\?$/);
        for (const phrase of EXPECTED[spec.name]!(r.trace.events)) expect(r.lesson.answer).to.contain(phrase);
      });

      it('the view document embeds the lesson and its own trace', () => {
        const v = runs[0]!.view;
        expect(v).to.deep.include({ version: 1, title: `epochlab lesson: ${spec.title}` });
        expect(v.generator).to.match(new RegExp(`^epochlab \\S+: epochlab lesson ${spec.name}$`));
        expect(v.trace).to.equal(runs[0]!.trace);
        expect(v.lesson).to.equal(runs[0]!.lesson);
        expect(v.trace.timeUnit).to.equal('decision');
      });
    });
  }
});

/**
 * The lesson engine fails loudly: a stretch of the schedule that never
 * happens, a narration step that matches no event (or only one before the
 * previous step), a broken run that does not show its rule, each is a
 * LessonError naming the lesson and what was looked for.
 */
import { expect } from 'chai';
import { runLesson } from '../../src/lesson/run-lesson.js';
import { narrate } from '../../src/lesson/narrate.js';
import { LessonError, type LessonSpec, type StepSpec } from '../../src/lesson/spec.js';
import { whyEpochs } from '../../src/lesson/lessons/why-epochs.js';
import { is } from '../../src/lesson/events.js';
import type { TraceEvent } from '../../src/trace/decode.js';

const ev = (seq: number, event: string, cpu = 0): TraceEvent => ({ seq, t: seq, cpu, irql: 'PASSIVE', event });
const step = (id: string, event: string): StepSpec => ({ id, what: `the ${event}`, match: (e) => e.event === event, text: (e) => `At #${e.seq}.` });

async function rejection(spec: LessonSpec): Promise<Error> {
  try {
    await runLesson(spec, 'test');
  } catch (err) {
    return err as Error;
  }
  return expect.fail(`lesson ${spec.name} ran`);
}

describe('lesson engine: narration pinned by predicate', () => {
  const events = [ev(1, 'epoch_enter'), ev(2, 'read'), ev(3, 'epoch_exit'), ev(4, 'read')];

  it('each step is the first match after the previous step, and its text sees the event', () => {
    const n = narrate('lesson t', [step('in', 'epoch_enter'), step('out', 'epoch_exit'), step('again', 'read')], events);
    expect(n.steps).to.deep.equal([{ seq: 1, text: 'At #1.' }, { seq: 3, text: 'At #3.' }, { seq: 4, text: 'At #4.' }]);
    expect(n.resolved['out']).to.equal(events[2]);
  });

  it('a step that matches nothing after the previous one is an error naming it', () => {
    expect(() => narrate('lesson t (lesson)', [step('out', 'epoch_exit'), step('enter', 'epoch_enter')], events))
      .to.throw(LessonError, 'lesson t (lesson): step "enter" (the epoch_enter) matched no event after #3');
    expect(() => narrate('lesson t', [step('a', 'read'), step('a', 'read')], events)).to.throw(LessonError, 'two steps named "a"');
  });
});

describe('lesson engine: a lesson whose run does not show what it narrates', function () {
  this.timeout(120_000);

  it('a stretch that never happens', async () => {
    const spec = { ...whyEpochs, schedule: [whyEpochs.schedule[0]!, { lane: 0, what: 'CPU 0 deletes key 1', until: (e: TraceEvent) => is(e, 'op_end', { op: 'delete' }) }] };
    const err = await rejection(spec);
    expect(err).to.be.instanceOf(LessonError);
    expect(err.message).to.match(/^lesson why-epochs \(lesson\): stretch "CPU 0 deletes key 1": no such event of lane 0 after decision \d+$/);
  });

  it('a step that matches no event of the run', async () => {
    const err = await rejection({ ...whyEpochs, steps: [...whyEpochs.steps, step('warned', 'stall_warning')] });
    expect(err).to.be.instanceOf(LessonError);
    expect(err.message).to.match(/^lesson why-epochs \(lesson\): step "warned" \(the stall_warning\) matched no event after #\d+$/);
  });

  it('a broken run without the violation it is about', async () => {
    const err = await rejection({ ...whyEpochs, broken: { ...whyEpochs.broken, mutant: null } });
    expect(err).to.be.instanceOf(LessonError);
    expect(err.message).to.equal('lesson why-epochs: the broken run (free the replaced value at once) shows no memory.use-after-free (rules: none)');
  });
});

/**
 * A stalled reader holds reclamation back: CPU 0 finds a value and then
 * stalls inside its epoch (it is kept off the processor), while CPU 1 goes
 * on replacing the value. Every block retired meanwhile waits, even those
 * CPU 0 never saw; the garbage grows and the epoch manager warns about the
 * stalled CPU. When CPU 0 leaves, one tick frees the lot. Broken: skip-cpu,
 * the manager ignores CPU 0's epoch, and frees the value CPU 0 still holds.
 */
import type { LessonSpec, StepSpec } from '../spec.js';
import { at, between, garbageAt, is, num } from '../events.js';
import type { TraceEvent } from '../../trace/decode.js';

const found: StepSpec = {
  id: 'found', what: 'the first read on CPU 0',
  match: (e) => is(e, 'read', { cpu: 0 }),
  text: (e) => `CPU 0 finds key 1 inside epoch ${num(e, 'readerEpoch')} and holds its value, block ${num(e, 'block')}. `
    + 'Then it stalls: it is preempted inside its epoch and does not run again for a while.',
};

/** The scenario's stallEpochs: a CPU lagging the published epoch by more than this many advances is warned about. */
const STALL_EPOCHS = 2;

const replaces = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'update', map: 'm', key: 1, value: 11 + i }));

/** CPU 1 replaces key 1, then the manager ticks. */
const replaceAndTick = [
  { lane: 1, what: 'CPU 1 replaces key 1', until: (e: TraceEvent) => is(e, 'op_end', { op: 'update' }) },
  { lane: 'manager' as const, what: 'a tick' },
];

/** The blocks one tick freed: the frees after it, up to the next tick. */
function freedBy(events: readonly TraceEvent[], tick: TraceEvent): TraceEvent[] {
  const next = events.find((e) => e.seq > tick.seq && is(e, 'epoch_advance'));
  return between(events, tick.seq, next ? next.seq : Infinity, (e) => is(e, 'free'));
}

/** How many stall warnings a run had, in words. */
function warnings(events: readonly TraceEvent[]): string {
  const n = events.filter((e) => is(e, 'stall_warning')).length;
  return n === 0 ? 'no stall warning comes' : `${n} stall warning${n === 1 ? '' : 's'} came`;
}

export const stalledReader: LessonSpec = {
  name: 'stalled-reader',
  title: 'A stalled reader holds reclamation back',
  intro: 'The epoch manager can release only epochs older than the oldest one still active. One reader that stays in its '
    + 'epoch therefore holds back every block retired after it entered, including blocks it never saw. Retired blocks pile '
    + 'up, and the manager warns about the CPU that lags the published epoch. When the reader leaves, they are freed at once.',
  scenario: {
    name: 'stalled-reader', cpus: 2, stallEpochs: STALL_EPOCHS,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
    threads: [
      { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }, { op: 'find', map: 'm', key: 1 }] },
      { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 10 }, ...replaces(3)] },
    ],
  },
  profile: 'documented',
  schedule: [
    { lane: 1, what: 'CPU 1 inserts key 1', until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 0, what: 'CPU 0 looks key 1 up, then stalls', until: (e) => is(e, 'read') },
    ...replaceAndTick, ...replaceAndTick, ...replaceAndTick,
    { lane: 0, what: 'CPU 0 runs again and finishes its find', until: (e) => is(e, 'op_end', { op: 'find' }) },
    { lane: 'manager', what: 'a tick, then the rest without preemption' },
  ],
  steps: [
    found,
    {
      id: 'retired', what: 'the retire of the value CPU 0 holds',
      match: (e, s) => is(e, 'retire', { block: num(s['found']!, 'block') }),
      text: (e) => `CPU 1 replaces key 1 and retires block ${num(e, 'block')}, stamped ${num(e, 'epoch')}.`,
    },
    {
      id: 'held', what: 'an epoch_advance that releases less than that stamp',
      match: (e, s) => is(e, 'epoch_advance') && num(e, 'released') < num(s['retired']!, 'epoch'),
      text: (e, s, events) => `The manager publishes epoch ${num(e, 'epoch')} but releases only ${num(e, 'released')}: CPU 0 is still in epoch `
        + `${num(s['found']!, 'readerEpoch')}. Nothing retired since CPU 0 entered can be freed, not even blocks it never saw: `
        + `${garbageAt(events, e.seq)} retired blocks wait.`,
    },
    {
      id: 'warning', what: 'the stall warning about CPU 0',
      match: (e) => is(e, 'stall_warning', { stalledCpu: 0 }),
      text: (e, _s, events) => `The published epoch is ${num(e, 'published')}, and CPU 0 is still in epoch ${num(e, 'epoch')}, more than `
        + `${STALL_EPOCHS} advances behind: the manager warns that CPU 0 is stalled. ${garbageAt(events, e.seq)} retired blocks are waiting for it.`,
    },
    {
      id: 'resumes', what: 'CPU 0 reading the retired value',
      match: (e, s) => is(e, 'read', { cpu: 0, block: num(s['found']!, 'block'), state: 'retired' }),
      text: (e) => `CPU 0 runs again and reads block ${num(e, 'block')}: retired, not freed, so still valid.`,
    },
    {
      id: 'left', what: "CPU 0's epoch_exit",
      match: (e) => is(e, 'epoch_exit', { cpu: 0 }),
      text: (e) => `CPU 0 leaves epoch ${num(e, 'epoch')}.`,
    },
    {
      id: 'burst', what: 'the first epoch_advance after that',
      match: (e) => is(e, 'epoch_advance'),
      text: (e, _s, events) => `The next tick releases epoch ${num(e, 'released')} and frees ${freedBy(events, e).length} blocks at once: `
        + 'everything that piled up behind the stalled reader.',
    },
  ],
  question: 'How many retired blocks were waiting when the stall warning fired, and how many did the tick after CPU 0 left free?',
  answer: (s, events) => {
    const warning = s['warning']!;
    const burst = s['burst']!;
    return `${garbageAt(events, warning.seq)} blocks were waiting at the warning (${at(warning)}); the tick at ${at(burst)} `
      + `(released ${num(burst, 'released')}) freed ${freedBy(events, burst).length}.`;
  },
  broken: {
    mutant: 'skip-cpu', profile: 'documented', label: "ignore CPU 0's epoch", rule: 'memory.use-after-free',
    steps: [
      found,
      {
        id: 'freed', what: 'the free of the value CPU 0 holds',
        match: (e, s) => is(e, 'free', { block: num(s['found']!, 'block') }),
        text: (e, _s, events) => `With skip-cpu the manager ignores CPU 0's epoch. The tick after CPU 1's replace releases epoch `
          + `${num(e, 'released')} and frees block ${num(e, 'block')}, which CPU 0 still holds. Nothing piles up, and `
          + `${warnings(events)}.`,
      },
      {
        id: 'use-after-free', what: 'the use-after-free violation on CPU 0',
        match: (e) => is(e, 'violation', { cpu: 0, rule: 'memory.use-after-free' }),
        text: (e) => `CPU 0 runs again and reads freed memory: ${String(e['message'])}. A stalled reader is slow, not gone: `
          + 'its epoch must be waited for.',
      },
    ],
  },
};

/**
 * Why a reader needs an epoch: CPU 0 finds a value and is still reading it
 * when CPU 1 replaces it. The old value is retired, not freed, and the
 * epoch manager frees it only once CPU 0 has left the epoch it found the
 * value in. Broken: free-immediately frees the replaced value at once, and
 * CPU 0's next read of it is a use after free.
 */
import type { LessonSpec, StepSpec } from '../spec.js';
import { at, is, lastBefore, num } from '../events.js';

/** CPU 0's lookup: the first read of the value of key 1. */
const found: StepSpec = {
  id: 'found', what: 'the first read on CPU 0',
  match: (e) => is(e, 'read', { cpu: 0 }),
  text: (e) => `CPU 0 looks key 1 up inside epoch ${num(e, 'readerEpoch')} and gets a pointer to its value, block ${num(e, 'block')}. `
    + 'Readers take no lock, so nothing stops CPU 1 from changing the map while CPU 0 holds that pointer.',
};

const replaced: StepSpec = {
  id: 'replaced', what: "CPU 1's replace of the value CPU 0 found",
  match: (e, s) => is(e, 'bucket_unlock', { cpu: 1, core: 'replace', value: num(s['found']!, 'block') }),
  text: (e) => `CPU 1 replaces key 1: the map now holds a new value, block ${num(e, 'newValue')}. `
    + `No reader can find block ${num(e, 'value')} any more, but CPU 0 already has it.`,
};

export const whyEpochs: LessonSpec = {
  name: 'why-epochs',
  title: 'Why a reader needs an epoch',
  intro: 'A reader finds a value in the map and holds a pointer to it while a writer replaces it. '
    + 'Readers take no lock, so the writer cannot know when the old value is safe to free. '
    + 'It retires the value instead, and the epoch manager frees it only after every reader that could hold it has left its epoch.',
  scenario: {
    name: 'why-epochs', cpus: 2,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
    threads: [
      { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }, { op: 'find', map: 'm', key: 1 }] },
      { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 10 }, { op: 'update', map: 'm', key: 1, value: 20 }] },
    ],
  },
  profile: 'documented',
  schedule: [
    { lane: 1, what: 'CPU 1 inserts key 1', until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 0, what: 'CPU 0 looks key 1 up', until: (e) => is(e, 'read') },
    { lane: 1, what: 'CPU 1 replaces key 1', until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 'manager', what: 'one tick of the epoch manager' },
    { lane: 0, what: 'CPU 0 finishes its first find', until: (e) => is(e, 'op_end', { op: 'find' }) },
    { lane: 'manager', what: 'the next tick, then the rest without preemption' },
  ],
  steps: [
    found,
    replaced,
    {
      id: 'retired', what: 'the retire of the old value',
      match: (e, s) => is(e, 'retire', { block: num(s['found']!, 'block') }),
      text: (e) => `CPU 1 does not free block ${num(e, 'block')}: it retires it. The block goes on CPU 1's free list, `
        + `stamped with epoch ${num(e, 'epoch')}, the epoch published when it was unlinked.`,
    },
    {
      id: 'held', what: "an epoch_advance whose released epoch is below the old value's stamp",
      match: (e, s) => is(e, 'epoch_advance') && num(e, 'released') < num(s['retired']!, 'epoch'),
      text: (e, s) => `The epoch manager publishes epoch ${num(e, 'epoch')}, but the released epoch is only ${num(e, 'released')}: `
        + `CPU 0 is still inside epoch ${num(s['found']!, 'readerEpoch')}. A block stamped ${num(s['retired']!, 'epoch')} stays on the list.`,
    },
    {
      id: 'read-again', what: 'CPU 0 reading the retired value',
      match: (e, s) => is(e, 'read', { cpu: 0, block: num(s['found']!, 'block'), state: 'retired' }),
      text: (e) => `CPU 0 reads block ${num(e, 'block')} again to copy the value out. The block is ${String(e['state'])}, `
        + 'not freed, so the memory is still valid and the read is safe.',
    },
    {
      id: 'left', what: "CPU 0's epoch_exit",
      match: (e) => is(e, 'epoch_exit', { cpu: 0 }),
      text: (e) => `CPU 0 leaves epoch ${num(e, 'epoch')}. No CPU can hold a pointer to the old value any more.`,
    },
    {
      id: 'freed', what: 'the free of the old value',
      match: (e, s) => is(e, 'free', { block: num(s['found']!, 'block') }),
      text: (e) => `Now a tick releases epoch ${num(e, 'released')}, which reaches the block's stamp ${num(e, 'stamp')}: `
        + `block ${num(e, 'block')} is freed, after the last reader that could have seen it left.`,
    },
  ],
  question: 'Which tick frees the old value, and why could the tick before it not free it?',
  answer: (s, events) => {
    const free = s['freed']!;
    const tick = lastBefore(events, free.seq, (e) => is(e, 'epoch_advance'))!;
    const held = s['held']!;
    return `The tick at ${at(tick)} (epoch ${num(tick, 'epoch')}, released ${num(tick, 'released')}) frees block ${num(free, 'block')} at ${at(free)}. `
      + `The tick at ${at(held)} released only epoch ${num(held, 'released')}, below the block's stamp ${num(free, 'stamp')}, `
      + `because CPU 0 was still in epoch ${num(s['found']!, 'readerEpoch')} until ${at(s['left']!)}.`;
  },
  broken: {
    mutant: 'free-immediately', profile: 'documented', label: 'free the replaced value at once', rule: 'memory.use-after-free',
    steps: [
      found,
      replaced,
      {
        id: 'freed-now', what: 'the free of the old value on CPU 1',
        match: (e, s) => is(e, 'free', { cpu: 1, block: num(s['found']!, 'block') }),
        text: (e) => `With free-immediately, CPU 1 frees block ${num(e, 'block')} at once instead of retiring it, `
          + 'while CPU 0 is still inside its epoch holding a pointer to it.',
      },
      {
        id: 'use-after-free', what: 'the use-after-free violation on CPU 0',
        match: (e) => is(e, 'violation', { cpu: 0, rule: 'memory.use-after-free' }),
        text: (e) => `CPU 0 goes on with its find and reads freed memory: ${String(e['message'])}. `
          + 'Without the epoch, the writer had no way to know a reader still held the value.',
      },
    ],
  },
};

/**
 * The published and the released epoch. CPU 0 enters epoch 2 and finds a
 * value; CPU 1 replaces it in the same epoch, so the old value is stamped 2.
 * A reader in epoch 2 may have entered before or after that retire: the
 * stamp cannot tell. So the manager releases one less than the oldest
 * active epoch, 1, and the value waits. Broken: release-off-by-one
 * releases the oldest active epoch itself and frees the value CPU 0 holds.
 */
import type { LessonSpec, StepSpec } from '../spec.js';
import { at, is, lastBefore, num } from '../events.js';

const first: StepSpec = {
  id: 'first', what: 'the first epoch_advance',
  match: (e) => is(e, 'epoch_advance'),
  text: (e) => `A tick: the epoch manager publishes epoch ${num(e, 'epoch')}, the epoch every new enter and every new retire reads. `
    + `No CPU is inside an epoch, so it releases ${num(e, 'released')}: blocks stamped up to ${num(e, 'released')} may be freed.`,
};

const found: StepSpec = {
  id: 'found', what: 'the first read on CPU 0',
  match: (e) => is(e, 'read', { cpu: 0 }),
  text: (e) => `CPU 0 enters epoch ${num(e, 'readerEpoch')} and finds key 1: it holds the value, block ${num(e, 'block')}.`,
};

const retired: StepSpec = {
  id: 'retired', what: 'the retire of the value CPU 0 holds',
  match: (e, s) => is(e, 'retire', { block: num(s['found']!, 'block') }),
  text: (e, s) => `CPU 1 replaces key 1 and retires block ${num(e, 'block')} with stamp ${num(e, 'epoch')}: the same number as CPU 0's epoch, `
    + `${num(s['found']!, 'readerEpoch')}. A reader in epoch ${num(e, 'epoch')} may have entered before this retire, as CPU 0 did, or after it.`,
};

export const releasedEpoch: LessonSpec = {
  name: 'released-epoch',
  title: 'Published and released epochs: why released is one less than the oldest active epoch',
  intro: 'The epoch manager keeps two numbers. The published epoch is what a CPU records when it enters an epoch and what '
    + 'a retired block is stamped with. The released epoch is the newest stamp that may be freed. A stamp says when a '
    + 'block was unlinked, but not whether that came before or after a reader of the same epoch entered, so the released '
    + 'epoch is one less than the oldest epoch any CPU is still in.',
  scenario: {
    name: 'released-epoch', cpus: 2,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
    threads: [
      { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }, { op: 'find', map: 'm', key: 1 }] },
      { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 10 }, { op: 'update', map: 'm', key: 1, value: 20 }] },
    ],
  },
  profile: 'documented',
  schedule: [
    { lane: 1, what: 'CPU 1 inserts key 1', until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 'manager', what: 'a tick' },
    { lane: 0, what: 'CPU 0 looks key 1 up', until: (e) => is(e, 'read') },
    { lane: 1, what: 'CPU 1 replaces key 1', until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 'manager', what: 'a tick' },
    { lane: 0, what: 'CPU 0 finishes its find', until: (e) => is(e, 'op_end', { op: 'find' }) },
    { lane: 'manager', what: 'a tick, then the rest without preemption' },
  ],
  steps: [
    first,
    found,
    retired,
    {
      id: 'held', what: "the next epoch_advance, releasing less than the old value's stamp",
      match: (e, s) => is(e, 'epoch_advance') && num(e, 'released') < num(s['retired']!, 'epoch'),
      text: (e, s) => `The next tick publishes epoch ${num(e, 'epoch')}. The oldest epoch still active is CPU 0's ${num(s['found']!, 'readerEpoch')}, `
        + `so it releases ${num(e, 'released')}, one less. Block ${num(s['retired']!, 'block')} (stamp ${num(s['retired']!, 'epoch')}) stays.`,
    },
    {
      id: 'reads-again', what: 'CPU 0 reading the retired value',
      match: (e, s) => is(e, 'read', { cpu: 0, block: num(s['found']!, 'block'), state: 'retired' }),
      text: (e) => `CPU 0 reads block ${num(e, 'block')} again: retired, not freed, so still valid.`,
    },
    {
      id: 'left', what: "CPU 0's epoch_exit",
      match: (e) => is(e, 'epoch_exit', { cpu: 0 }),
      text: (e) => `CPU 0 leaves epoch ${num(e, 'epoch')}.`,
    },
    {
      id: 'freed', what: 'the free of the old value',
      match: (e, s) => is(e, 'free', { block: num(s['found']!, 'block') }),
      text: (e, _s, events) => {
        const tick = lastBefore(events, e.seq, (x) => is(x, 'epoch_advance'))!;
        return `Then a tick publishes ${num(tick, 'epoch')} and releases ${num(e, 'released')}: `
          + `block ${num(e, 'block')} (stamp ${num(e, 'stamp')}) is freed.`;
      },
    },
  ],
  question: 'At the first tick after the replace, what are the published and the released epochs, and why is the old value not freed?',
  answer: (s) => {
    const held = s['held']!;
    const stamp = num(s['retired']!, 'epoch');
    return `At ${at(held)} the published epoch is ${num(held, 'epoch')} and the released epoch ${num(held, 'released')}: `
      + `one less than CPU 0's epoch ${num(s['found']!, 'readerEpoch')}, the oldest still active. The old value is stamped ${stamp}, `
      + `above ${num(held, 'released')}, so it waits: CPU 0 found it in epoch ${stamp} before it was retired.`;
  },
  broken: {
    mutant: 'release-off-by-one', profile: 'documented', label: 'release the oldest active epoch itself', rule: 'memory.use-after-free',
    steps: [
      first,
      found,
      retired,
      {
        id: 'early', what: 'the free of the value CPU 0 holds',
        match: (e, s) => is(e, 'free', { block: num(s['found']!, 'block') }),
        text: (e, s) => `With release-off-by-one the tick releases epoch ${num(e, 'released')}, CPU 0's own epoch `
          + `(${num(s['found']!, 'readerEpoch')}). That reaches the stamp ${num(e, 'stamp')}, and block ${num(e, 'block')} is freed while CPU 0 holds it.`,
      },
      {
        id: 'use-after-free', what: 'the use-after-free violation on CPU 0',
        match: (e) => is(e, 'violation', { cpu: 0, rule: 'memory.use-after-free' }),
        text: (e) => `CPU 0 reads freed memory: ${String(e['message'])}. A reader in the oldest active epoch may hold `
          + 'blocks stamped with that epoch, so the manager may release only the epochs before it.',
      },
    ],
  },
};

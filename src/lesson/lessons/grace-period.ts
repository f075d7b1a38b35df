/**
 * A grace period: CPU 1's program replaces a value that CPU 0 found, and
 * the old value waits until every CPU that could have seen it has left its
 * epoch: CPU 1 itself and CPU 0, but not CPU 2, which entered after the
 * retire and is still in its epoch when the value is freed. Broken:
 * local-epoch-stamp (eBPF for Windows issue 4920) stamps the retire with
 * CPU 1's own, older epoch, so the value is freed while CPU 0 holds it.
 */
import type { LessonSpec, StepSpec } from '../spec.js';
import { at, inEpochAt, is, lastBefore, num, who } from '../events.js';

const program: StepSpec = {
  id: 'program', what: "CPU 1's epoch_enter at DISPATCH (its program)",
  match: (e) => is(e, 'epoch_enter', { cpu: 1, irql: 'DISPATCH' }),
  text: (e) => `CPU 1 starts a program: it enters epoch ${num(e, 'epoch')} at DISPATCH and inserts key 1. `
    + 'A program keeps its epoch until it ends, however long that is.',
};

const found: StepSpec = {
  id: 'found', what: 'the first read on CPU 0',
  match: (e) => is(e, 'read', { cpu: 0 }),
  text: (e) => `The epoch has moved on. CPU 0 enters epoch ${num(e, 'readerEpoch')} and finds key 1: it holds the value, block ${num(e, 'block')}.`,
};

const stampOf = (s: Parameters<StepSpec['text']>[1]): number => num(s['retired']!, 'epoch');

export const gracePeriod: LessonSpec = {
  name: 'grace-period',
  title: 'A grace period: a retired block waits for every CPU that could see it',
  intro: 'A retired block is stamped with the epoch published when it was unlinked. Any CPU that entered an epoch '
    + 'up to that stamp may still hold it; a CPU that entered later cannot have found it. The epoch manager releases '
    + 'epochs below the oldest one still active, so the block is freed once the last CPU that could see it has left.',
  scenario: {
    name: 'grace-period', cpus: 3,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
    threads: [
      { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }, { op: 'find', map: 'm', key: 1 }] },
      { cpu: 1, irql: 'DISPATCH', ops: [{ op: 'batch', count: 1, ops: [
        { op: 'update', map: 'm', key: 1, value: 10 }, { op: 'update', map: 'm', key: 1, value: 20 }] }] },
      { cpu: 2, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }, { op: 'find', map: 'm', key: 1 }] },
    ],
  },
  profile: 'documented',
  schedule: [
    { lane: 1, what: "CPU 1's program inserts key 1", until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 'manager', what: 'a tick' },
    { lane: 0, what: 'CPU 0 looks key 1 up', until: (e) => is(e, 'read') },
    { lane: 1, what: "CPU 1's program replaces key 1", until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 'manager', what: 'a tick' },
    { lane: 1, what: "CPU 1's program ends" },
    { lane: 2, what: 'CPU 2 looks key 1 up', until: (e) => is(e, 'read') },
    { lane: 'manager', what: 'a tick' },
    { lane: 0, what: 'CPU 0 finishes its find', until: (e) => is(e, 'op_end', { op: 'find' }) },
    { lane: 'manager', what: 'a tick, then the rest without preemption' },
  ],
  steps: [
    program,
    {
      id: 'tick', what: 'the first epoch_advance',
      match: (e) => is(e, 'epoch_advance'),
      text: (e, s) => `The epoch manager publishes epoch ${num(e, 'epoch')}. It releases only epoch ${num(e, 'released')}: `
        + `CPU 1 is still in epoch ${num(s['program']!, 'epoch')}.`,
    },
    found,
    {
      id: 'retired', what: 'the retire of the value CPU 0 found',
      match: (e, s) => is(e, 'retire', { cpu: 1, block: num(s['found']!, 'block') }),
      text: (e) => `CPU 1's program replaces key 1 and retires block ${num(e, 'block')}, stamped ${num(e, 'epoch')}, the published epoch. `
        + `Every CPU that entered an epoch up to ${num(e, 'epoch')} may hold it: CPU 0 does, and CPU 1 is one of them too.`,
    },
    {
      id: 'left', what: "CPU 1's epoch_exit",
      match: (e) => is(e, 'epoch_exit', { cpu: 1 }),
      text: (e) => `CPU 1's program ends and leaves epoch ${num(e, 'epoch')}.`,
    },
    {
      id: 'late', what: 'the first read on CPU 2',
      match: (e) => is(e, 'read', { cpu: 2 }),
      text: (e, s) => `CPU 2 enters epoch ${num(e, 'readerEpoch')} and finds key 1: the new value, block ${num(e, 'block')}. `
        + `It came after the retire, so it can never reach block ${num(s['retired']!, 'block')}.`,
    },
    {
      id: 'waits', what: "an epoch_advance after CPU 2's read that releases less than the stamp",
      match: (e, s) => is(e, 'epoch_advance') && num(e, 'released') < stampOf(s),
      text: (e, s) => `The manager publishes epoch ${num(e, 'epoch')} and releases ${num(e, 'released')}: the oldest epoch still active is `
        + `CPU 0's ${num(s['found']!, 'readerEpoch')}. Block ${num(s['retired']!, 'block')} (stamp ${stampOf(s)}) waits.`,
    },
    {
      id: 'reads-again', what: 'CPU 0 reading the retired value',
      match: (e, s) => is(e, 'read', { cpu: 0, block: num(s['found']!, 'block'), state: 'retired' }),
      text: (e) => `CPU 0 reads block ${num(e, 'block')} again: retired, not freed, so still valid.`,
    },
    {
      id: 'a-left', what: "CPU 0's epoch_exit",
      match: (e) => is(e, 'epoch_exit', { cpu: 0 }),
      text: (e) => `CPU 0 leaves epoch ${num(e, 'epoch')}: the last CPU that could see the old value is gone.`,
    },
    {
      id: 'freed', what: 'the free of the old value',
      match: (e, s) => is(e, 'free', { block: num(s['found']!, 'block') }),
      text: (e, s) => `A tick releases epoch ${num(e, 'released')} and frees block ${num(e, 'block')}, while CPU 2 is still in epoch `
        + `${num(s['late']!, 'readerEpoch')}: the grace period waited for the CPUs that could see the block, not for every CPU.`,
    },
  ],
  question: 'When the old value is freed, which CPU is still inside an epoch, and why does it not hold the value back?',
  answer: (s, events) => {
    const free = s['freed']!;
    const tick = lastBefore(events, free.seq, (e) => is(e, 'epoch_advance'))!;
    const inside = [...inEpochAt(events, free.seq)].filter(([cpu]) => cpu >= 0);
    const cpus = inside.map(([cpu, epoch]) => `${who(cpu)}, in epoch ${epoch}`).join(' and ') || 'no CPU';
    const oldest = Math.min(...[...inEpochAt(events, tick.seq)].filter(([cpu]) => cpu >= 0).map(([, epoch]) => epoch), num(tick, 'epoch'));
    return `${cpus}, when block ${num(free, 'block')} is freed at ${at(free)}. The tick at ${at(tick)} released epoch ${num(tick, 'released')}, `
      + `one less than the oldest epoch still active (${oldest}), and that reaches the value's stamp ${num(free, 'stamp')}. `
      + 'A CPU that entered an epoch after the stamp entered after the value was unlinked, so it cannot have found it.';
  },
  broken: {
    mutant: 'local-epoch-stamp', profile: 'documented', label: "stamp with the writer's own epoch (issue 4920)", rule: 'memory.use-after-free',
    steps: [
      program,
      found,
      {
        id: 'retired', what: 'the retire of the value CPU 0 found',
        match: (e, s) => is(e, 'retire', { cpu: 1, block: num(s['found']!, 'block') }),
        text: (e, s) => `CPU 1 retires block ${num(e, 'block')} stamped with its own epoch, ${num(e, 'epoch')}, the one its program entered, `
          + `not the published one. But CPU 0 found the block in epoch ${num(s['found']!, 'readerEpoch')}.`,
      },
      {
        id: 'early', what: 'the free of the old value',
        match: (e, s) => is(e, 'free', { block: num(s['found']!, 'block') }),
        text: (e) => `Once CPU 1 has left, a tick releases epoch ${num(e, 'released')}, which reaches the stamp ${num(e, 'stamp')}: `
          + `block ${num(e, 'block')} is freed while CPU 0 still holds it.`,
      },
      {
        id: 'use-after-free', what: 'the use-after-free violation on CPU 0',
        match: (e) => is(e, 'violation', { cpu: 0, rule: 'memory.use-after-free' }),
        text: (e) => `CPU 0 reads freed memory: ${String(e['message'])}. The stamp must be the published epoch, `
          + 'or it no longer says who could have seen the block.',
      },
    ],
  },
};

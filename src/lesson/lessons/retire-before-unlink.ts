/**
 * The retire-before-unlink hazard (reference 6.14). The object provider's
 * delete callback releases the entry's object with epoch_free. As the
 * contract documents it, that callback runs after the entry is unlinked,
 * so a reader that comes after the retire cannot find the object. As
 * eBPF for Windows is built (PRE_FREE mode: --profile ebpf-for-windows),
 * it runs under the bucket lock before the unlink: a reader that enters
 * after the retire still finds the entry, its epoch does not protect the
 * object, and the object is freed under it.
 */
import type { LessonSpec, StepSpec } from '../spec.js';
import { at, is, lastBefore, num, str } from '../events.js';

const OBJECT = 'ObOb';

const inserted: StepSpec = {
  id: 'inserted', what: "CPU 0's insert of key 0",
  match: (e) => is(e, 'bucket_unlock', { cpu: 0, core: 'insert' }),
  text: (e) => `CPU 0 inserts key 0 into the object map. The entry's stored value, block ${num(e, 'value')}, refers to an object `
    + 'the provider allocated; the provider frees the object in its delete callback.',
};

const retiredAfter: StepSpec = {
  id: 'retired', what: "the retire of the provider's object on CPU 0",
  match: (e) => is(e, 'retire', { cpu: 0, tag: OBJECT }),
  text: (e) => `Only after the unlock does the delete callback run, at ${e.irql}. It releases the object, block ${num(e, 'block')}, `
    + `with epoch_free: retired, stamped ${num(e, 'epoch')}, when no new reader can reach it.`,
};

export const retireBeforeUnlink: LessonSpec = {
  name: 'retire-before-unlink',
  title: 'The retire-before-unlink hazard of eBPF for Windows as built',
  intro: 'Epoch reclamation is safe only if a block is unlinked before it is retired: then any reader that can still reach it '
    + 'entered its epoch before the retire, and holds it back. eBPF for Windows as built calls a provider\'s delete callback '
    + 'under the bucket lock, before the entry is unlinked (PRE_FREE mode). A provider that frees a per-entry object there, as '
    + 'the sample provider does, retires it while readers can still find it (reference 6.14). The lesson runs as the contract '
    + 'documents it; break it to run the runtime as built.',
  scenario: {
    name: 'retire-before-unlink', cpus: 2,
    maps: { objects: { provider: 'object', keySize: 4, valueSize: 4, maxEntries: 4 } },
    threads: [
      { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'objects', key: 0, value: 1 }, { op: 'delete', map: 'objects', key: 0 }] },
      { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'find', map: 'objects', key: 0 }, { op: 'find', map: 'objects', key: 0 }] },
    ],
  },
  profile: 'documented',
  schedule: [
    { lane: 0, what: 'CPU 0 inserts key 0', until: (e) => is(e, 'op_end', { op: 'update' }) },
    { lane: 0, what: "CPU 0's delete, until the provider retires the object", until: (e) => is(e, 'retire', { tag: OBJECT }) },
    { lane: 'manager', what: 'a tick' },
    { lane: 1, what: 'CPU 1 looks key 0 up', until: (e) => is(e, 'read') || is(e, 'op_end', { op: 'find' }) },
    { lane: 0, what: 'CPU 0 finishes its delete' },
    { lane: 'manager', what: 'a tick' },
    { lane: 1, what: 'CPU 1 goes on, then the rest without preemption' },
  ],
  steps: [
    inserted,
    {
      id: 'unlinked', what: "CPU 0's unlink of key 0",
      match: (e) => is(e, 'bucket_unlock', { cpu: 0, core: 'remove' }),
      text: () => 'CPU 0 deletes key 0: under the bucket lock the entry is unlinked first. From here on no reader can find it.',
    },
    retiredAfter,
    {
      id: 'missed', what: "CPU 1's find of key 0 ending",
      match: (e) => is(e, 'op_end', { cpu: 1, op: 'find' }),
      text: (e, s, events) => {
        const enter = lastBefore(events, e.seq, (x) => is(x, 'epoch_enter', { cpu: 1 }))!;
        return `CPU 1 enters epoch ${num(enter, 'epoch')}, after the retire (stamp ${num(s['retired']!, 'epoch')}), and looks key 0 up: `
          + `${str(e, 'result')}. A reader that comes after the retire cannot reach the object.`;
      },
    },
    {
      id: 'freed', what: 'the free of the object',
      match: (e, s) => is(e, 'free', { block: num(s['retired']!, 'block') }),
      text: (e) => `A tick releases epoch ${num(e, 'released')} and frees the object: nobody could still hold it.`,
    },
  ],
  question: 'CPU 1 entered its epoch after the object was retired. What did its find return, and why was that safe?',
  answer: (s, events) => {
    const missed = s['missed']!;
    const enter = lastBefore(events, missed.seq, (x) => is(x, 'epoch_enter', { cpu: 1 }))!;
    const retired = s['retired']!;
    return `${str(missed, 'result')} (${at(missed)}). CPU 0 unlinked the entry at ${at(s['unlinked']!)}, before it retired the object `
      + `at ${at(retired)} (stamp ${num(retired, 'epoch')}), so CPU 1, which entered epoch ${num(enter, 'epoch')} at ${at(enter)}, `
      + `could not find it, and the object was freed at ${at(s['freed']!)} with no reader holding it.`;
  },
  broken: {
    mutant: null, profile: 'ebpf-for-windows', label: 'eBPF for Windows as built (PRE_FREE mode)', rule: 'memory.use-after-free',
    steps: [
      inserted,
      {
        id: 'retired', what: "the retire of the provider's object on CPU 0, under the bucket lock",
        match: (e) => is(e, 'retire', { cpu: 0, tag: OBJECT }),
        text: (e) => `As built, CPU 0's delete runs the provider's delete callback under the bucket lock, at ${e.irql}, before the `
          + `unlink. It retires the object, block ${num(e, 'block')}, stamped ${num(e, 'epoch')}, while the entry still points at it.`,
      },
      {
        id: 'found', what: 'the first read on CPU 1',
        match: (e) => is(e, 'read', { cpu: 1 }),
        text: (e, s) => `CPU 1 enters epoch ${num(e, 'readerEpoch')}, after the retire (stamp ${num(s['retired']!, 'epoch')}), and still finds `
          + 'key 0: the entry is linked. Its epoch is newer than the stamp, so it does not hold the object back.',
      },
      {
        id: 'unlinked', what: "CPU 0's unlink of key 0",
        match: (e) => is(e, 'bucket_unlock', { cpu: 0, core: 'remove' }),
        text: () => 'Only now does CPU 0 unlink the entry.',
      },
      {
        id: 'freed', what: 'the free of the object',
        match: (e, s) => is(e, 'free', { block: num(s['retired']!, 'block') }),
        text: (e, s) => `CPU 0 leaves its epoch, and a tick releases epoch ${num(e, 'released')}, which reaches the stamp: the object is `
          + `freed while CPU 1, in epoch ${num(s['found']!, 'readerEpoch')}, is about to read it.`,
      },
      {
        id: 'use-after-free', what: 'the use-after-free violation on CPU 1',
        match: (e) => is(e, 'violation', { cpu: 1, rule: 'memory.use-after-free' }),
        text: (e) => `CPU 1's find callback reads the object: ${String(e['message'])}.`,
      },
    ],
  },
};

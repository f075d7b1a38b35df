/**
 * updates_original_value: the object provider stores, for each user value,
 * a reference to an object of its own. CPU 0 stores and reads key 1 from
 * user mode, through the provider's callbacks; CPU 1's program then tries
 * the same map with helper calls, and each is refused with
 * EBPF_OPERATION_NOT_SUPPORTED before any callback runs, while the same
 * helper find on a passthrough map works. Broken: helper-not-blocked lets
 * the program's calls reach the provider.
 */
import type { LessonSpec, StepSpec } from '../spec.js';
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_NAMES } from '../../trace/events.js';
import { at, between, is, str } from '../events.js';

const CALLBACKS = new Set<string>(CALLBACK_NAMES);

/** CPU 1's program: its batch op_begin and op_end. */
function program(events: readonly TraceEvent[]): { begin: TraceEvent; end: TraceEvent } {
  const begin = events.find((e) => is(e, 'op_begin', { cpu: 1, op: 'batch' }));
  const end = begin && events.find((e) => e.seq > begin.seq && is(e, 'op_end', { cpu: 1, op: 'batch' }));
  if (!begin || !end) throw new Error('no program batch on CPU 1');
  return { begin, end };
}

const created: StepSpec = {
  id: 'created', what: 'the op_end of the objects map create',
  match: (e) => is(e, 'op_end', { op: 'create', map: 'objects' }),
  text: (e) => `The objects map is created, and its provider sets updatesOriginalValue to ${String(e['updatesOriginalValue'])}: `
    + "the map will store not the user's 4-byte value but the provider's 8-byte reference to an object that holds it.",
};

const stored: StepSpec = {
  id: 'stored', what: "CPU 0's preprocess_map_update_element on objects",
  match: (e) => is(e, 'preprocess_map_update_element', { cpu: 0, map: 'objects' }),
  text: (e) => `CPU 0 stores 1234 under key 1 from user mode. preprocess_map_update_element (${str(e, 'result')}) creates the object `
    + 'and writes the reference the map stores in its place.',
};

const helperFind: StepSpec = {
  id: 'helper-find', what: "the op_begin of CPU 1's helper find on objects",
  match: (e) => is(e, 'op_begin', { cpu: 1, op: 'find', map: 'objects', mode: 'helper' }),
  text: () => 'CPU 1 runs a program at DISPATCH. Its first helper call looks key 1 up in the objects map. A helper lookup '
    + "hands the program a pointer to the stored value, to read and change in place; here that is the provider's reference, not 1234.",
};

export const updatesOriginalValue: LessonSpec = {
  name: 'updates-original-value',
  title: 'updates_original_value: why helper CRUD on an object map is blocked',
  intro: 'A provider that sets updates_original_value replaces each stored value with one of its own (the object provider '
    + 'stores a reference to an object). User-mode calls go through its callbacks, which translate both ways. A program\'s '
    + 'helper calls would get, or overwrite, the stored value directly, so the runtime refuses every helper find, update '
    + 'and delete on such a map with EBPF_OPERATION_NOT_SUPPORTED, before any callback runs.',
  scenario: {
    name: 'updates-original-value', cpus: 2,
    maps: {
      objects: { provider: 'object', keySize: 4, valueSize: 4, maxEntries: 4 },
      values: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 },
    },
    threads: [
      { cpu: 0, irql: 'PASSIVE', ops: [
        { op: 'update', map: 'objects', key: 1, value: 1234 }, { op: 'find', map: 'objects', key: 1 },
        { op: 'update', map: 'values', key: 1, value: 5 }] },
      { cpu: 1, irql: 'DISPATCH', ops: [{ op: 'batch', count: 1, ops: [
        { op: 'find', map: 'objects', key: 1 }, { op: 'update', map: 'objects', key: 1, value: 99 },
        { op: 'delete', map: 'objects', key: 1 }, { op: 'find', map: 'values', key: 1, add: 1 }] }] },
    ],
  },
  profile: 'documented',
  schedule: [
    { lane: 0, what: 'CPU 0 stores and reads key 1 from user mode' },
    { lane: 1, what: "CPU 1's program, then the rest without preemption" },
  ],
  steps: [
    created,
    stored,
    {
      id: 'user-find', what: "CPU 0's postprocess_map_find_element on objects",
      match: (e) => is(e, 'postprocess_map_find_element', { cpu: 0, map: 'objects' }),
      text: () => 'CPU 0 reads key 1 back from user mode: postprocess_map_find_element follows the reference and copies '
        + 'the user value, 1234, out of the object.',
    },
    helperFind,
    {
      id: 'blocked', what: "the op_end of CPU 1's helper find on objects",
      match: (e) => is(e, 'op_end', { cpu: 1, op: 'find', map: 'objects' }),
      text: (e) => `Refused: ${str(e, 'result')}, before any callback. The program never gets a pointer to the provider's reference.`,
    },
    {
      id: 'update-blocked', what: "the op_end of CPU 1's helper update on objects",
      match: (e) => is(e, 'op_end', { cpu: 1, op: 'update', map: 'objects' }),
      text: (e) => `The helper update is refused the same way (${str(e, 'result')}). Otherwise the provider's update callback would run `
        + 'at DISPATCH, from a program, which the contract promises a provider that updates the original value it never will.',
    },
    {
      id: 'passthrough', what: "the op_end of CPU 1's helper find on values",
      match: (e) => is(e, 'op_end', { cpu: 1, op: 'find', map: 'values' }),
      text: (e) => `On the passthrough map, which stores the user's value as it is, the same helper find succeeds (${str(e, 'result')}) `
        + 'and the program adds 1 to the value in place.',
    },
  ],
  question: "How many provider callbacks ran on the objects map during CPU 1's program, and what did each of its helper calls on that map return?",
  answer: (_s, events) => {
    const { begin, end } = program(events);
    const inside = (pred: (e: TraceEvent) => boolean) => between(events, begin.seq, end.seq, pred);
    const callbacks = inside((e) => e.cpu === 1 && CALLBACKS.has(e.event) && e['map'] === 'objects').length;
    const calls = inside((e) => is(e, 'op_end', { cpu: 1, map: 'objects' }))
      .map((e) => `${str(e, 'op')} ${str(e, 'result')} (${at(e)})`).join(', ');
    return `${callbacks} callbacks between ${at(begin)} and ${at(end)}. The helper calls returned: ${calls}.`;
  },
  broken: {
    mutant: 'helper-not-blocked', profile: 'documented', label: 'let helper calls through', rule: 'blocking.helper-crud',
    steps: [
      created,
      stored,
      helperFind,
      {
        id: 'reached', what: "CPU 1's postprocess_map_find_element on objects",
        match: (e) => is(e, 'postprocess_map_find_element', { cpu: 1, map: 'objects' }),
        text: (e) => `With helper-not-blocked the lookup reaches the provider's find callback (flags ${(e['flags'] as string[]).join(', ')}), `
          + 'and the program is handed a pointer to the stored reference. The checker reports blocking.helper-crud here.',
      },
      {
        id: 'update-reached', what: "CPU 1's preprocess_map_update_element on objects",
        match: (e) => is(e, 'preprocess_map_update_element', { cpu: 1, map: 'objects' }),
        text: (e) => `The helper update reaches preprocess_map_update_element at ${e.irql} (${str(e, 'result')}): the provider's `
          + 'callback runs from a program, at an IRQL the contract promised it would never see for this map.',
      },
    ],
  },
};

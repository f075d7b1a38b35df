/**
 * Built-in scenarios, written in the scenario-file format, so that
 * `epochlab run NAME` works without a file. `epochlab scenarios` lists them.
 */
import { availableParallelism } from 'node:os';

/** Sentinel for `cpus`: every core of this machine (capped at 64), resolved at load time. */
export const ALL_CPUS = 'all-cpus';

export interface BuiltinScenario {
  description: string;
  scenario: Record<string, unknown>;
}

const u32map = (provider: string, maxEntries: number) =>
  ({ provider, keySize: 4, valueSize: 4, maxEntries });

/** A one-CPU scenario: CPU 0 makes the explicit user-mode `ops` (PASSIVE) on `maps`. */
const oneCpu = (name: string, maps: Record<string, unknown>, ops: Array<Record<string, unknown>>): Record<string, unknown> =>
  ({ name, cpus: 1, maps, threads: [{ cpu: 0, irql: 'PASSIVE', ops }] });

export const BUILTIN_SCENARIOS: Readonly<Record<string, BuiltinScenario>> = {
  default: {
    description: 'every core, PASSIVE user ops and DISPATCH program batches on an object map and a passthrough map, about 2 s',
    scenario: {
      name: 'default', cpus: ALL_CPUS,
      maps: {
        objects: u32map('object', 1024),
        values: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 1024 },
      },
      workload: {
        findPct: 60, updatePct: 30, deletePct: 10, keyRange: 512,
        opsPerCpu: 100_000_000, batchSize: 64, durationMs: 2000, irql: 'mixed',
      },
    },
  },
  smoke: {
    description: 'one CPU, a handful of explicit user ops on a passthrough map (insert, find, replace, delete, misses)',
    scenario: oneCpu('smoke', { m: u32map('passthrough', 16) }, [
      { op: 'update', map: 'm', key: 1, value: 100 },
      { op: 'find', map: 'm', key: 1 },
      { op: 'update', map: 'm', key: 1, value: 200 },
      { op: 'find', map: 'm', key: 1 },
      { op: 'update', map: 'm', key: 2, value: 'hex:0a0b0c0d', option: 'NOEXIST' },
      { op: 'delete', map: 'm', key: 1 },
      { op: 'find', map: 'm', key: 1 },
      { op: 'delete', map: 'm', key: 1 },
    ]),
  },
  contention: {
    description: 'two CPUs fighting over 4 keys of a small passthrough map, user ops and program batches',
    scenario: {
      name: 'contention', cpus: 2,
      maps: { hot: u32map('passthrough', 16) },
      workload: {
        findPct: 40, updatePct: 40, deletePct: 20, keyRange: 4,
        opsPerCpu: 20_000, batchSize: 16, irql: 'mixed',
      },
    },
  },
  'object-churn': {
    description: 'two CPUs inserting, replacing and deleting objects in an object map from user mode (epoch reclamation)',
    scenario: {
      name: 'object-churn', cpus: 2,
      maps: { objects: u32map('object', 64) },
      workload: {
        findPct: 30, updatePct: 50, deletePct: 20, keyRange: 48,
        opsPerCpu: 20_000, batchSize: 32, irql: 'PASSIVE',
      },
    },
  },
  'full-map': {
    description: 'one CPU fills a 4-entry passthrough map: the 5th and 6th inserts fail with EBPF_OUT_OF_SPACE, a replace still works',
    scenario: oneCpu('full-map', { small: u32map('passthrough', 4) }, [
      ...[1, 2, 3, 4, 5, 6].map((key) => ({ op: 'update', map: 'small', key, value: key * 10 })),
      { op: 'update', map: 'small', key: 1, value: 111, option: 'EXIST' },
    ]),
  },
  'legacy-veto': {
    description: 'a legacy provider vetoes deleting key 2 from its preprocess delete callback',
    scenario: oneCpu('legacy-veto', { legacy: { ...u32map('legacy', 16), options: { vetoKeys: [2] } } }, [
      ...[1, 2, 3].map((key) => ({ op: 'update', map: 'legacy', key, value: key })),
      ...[1, 2, 3].map((key) => ({ op: 'delete', map: 'legacy', key })),
    ]),
  },
  stall: {
    description: 'a PASSIVE thread stalls 300 ms while another CPU keeps running program batches: a stall warning fires',
    scenario: {
      name: 'stall', cpus: 2, stallEpochs: 50,
      maps: { m: u32map('passthrough', 16) },
      threads: [
        {
          cpu: 0, irql: 'PASSIVE', ops: [
            { op: 'update', map: 'm', key: 1, value: 1 },
            { op: 'stall', ms: 300 },
            { op: 'find', map: 'm', key: 1 },
          ],
        },
        {
          cpu: 1, irql: 'DISPATCH', ops: [{
            op: 'batch', count: 200, ops: [
              { op: 'update', map: 'm', key: 2, value: 2 },
              { op: 'find', map: 'm', key: 2, add: 1 },
            ],
          }],
        },
      ],
    },
  },
  // ---- where the as-built runtime departs from the documented contract ----
  // Each runs clean under --profile documented; under --profile ebpf-for-windows
  // the checker reports the departure named in its description (see
  // `epochlab contract-diff`). Every map delete also shows 1.3: as built,
  // postprocess_map_delete runs outside any epoch.
  'diff-delete-under-lock': {
    description: 'explicit user deletes on a passthrough map; as built (PRE_FREE keyed on the update callback) postprocess delete runs at DISPATCH under the bucket lock, before unlink (reference 1.7, 6.1)',
    scenario: oneCpu('diff-delete-under-lock', { m: u32map('passthrough', 16) }, [
      { op: 'update', map: 'm', key: 1, value: 10 },
      { op: 'update', map: 'm', key: 2, value: 20 },
      { op: 'delete', map: 'm', key: 1 },
      { op: 'find_and_delete', map: 'm', key: 2 },
    ]),
  },
  'diff-cleanup-at-dispatch': {
    description: 'delete a passthrough map that still holds 3 entries; as built the MAP_CLEANUP callbacks run at DISPATCH under the map lock, outside any epoch (reference 1.8, 6.2)',
    scenario: oneCpu('diff-cleanup-at-dispatch', { m: u32map('passthrough', 16) }, [
      ...[1, 2, 3].map((key) => ({ op: 'update', map: 'm', key, value: key * 10 })),
      { op: 'delete_map', map: 'm' },
    ]),
  },
  'diff-map-delete-outside-epoch': {
    description: 'create and delete an empty passthrough map; as built postprocess_map_delete runs on the PASSIVE worker outside any epoch (reference 1.3, 6.2)',
    scenario: oneCpu('diff-map-delete-outside-epoch', { m: u32map('passthrough', 16) }, [{ op: 'delete_map', map: 'm' }]),
  },
  'diff-undo-without-preprocess': {
    description: 'a passthrough map without preprocess update: a NOEXIST insert of an existing key fails; as built the undo delete callback still fires (reference 1.6, 6.3)',
    scenario: oneCpu('diff-undo-without-preprocess', { m: { ...u32map('passthrough', 16), options: { noUpdateCallback: true } } }, [
      { op: 'update', map: 'm', key: 1, value: 10 },
      { op: 'update', map: 'm', key: 1, value: 11, option: 'NOEXIST' },
      { op: 'update', map: 'm', key: 2, value: 20, option: 'EXIST' },
      { op: 'delete', map: 'm', key: 1 },
    ]),
  },
  'diff-neither-delete-callback': {
    description: 'a minimal provider (neither delete callback): documented, the map is not created (EXTENSION_FAILED_TO_LOAD); as built it is (reference 1.1, 6.5)',
    scenario: oneCpu('diff-neither-delete-callback', { m: u32map('minimal', 16) }, [
      { op: 'update', map: 'm', key: 1, value: 10 },
      { op: 'find', map: 'm', key: 1 },
      { op: 'delete', map: 'm', key: 1 },
    ]),
  },
  'diff-migrate-dispatch': {
    description: 'a DISPATCH program batch on CPU 0 whose thread moves to CPU 1 inside its epoch; documented, an epoch state is not tied to a CPU; as built (per-CPU epochs) the exit on another CPU fails fast (reference 2.4, 2.7)',
    scenario: {
      name: 'diff-migrate-dispatch', cpus: 2, maps: { m: u32map('passthrough', 16) },
      threads: [{ cpu: 0, irql: 'DISPATCH', ops: [{ op: 'batch', ops: [{ op: 'update', map: 'm', key: 1, value: 10 }, { op: 'migrate', cpu: 1 }] }] }],
    },
  },
  'retire-before-unlink': {
    description: 'CPU 0 deletes and re-inserts 4 keys of an object map (a slow delete callback: 200 us after epoch_free) while CPU 1 keeps finding them; as built (PRE_FREE) readers can reach retired objects (reference 6.14)',
    scenario: {
      name: 'retire-before-unlink', cpus: 2,
      maps: { objects: { ...u32map('object', 16), options: { deleteSpinUs: 200 } } },
      threads: [{
        // 1,500 delete/re-insert pairs free-running; 16 in controlled mode,
        // where the 200 us spin is 200 scheduling points each.
        cpu: 0, irql: 'PASSIVE', repeat: 375, controlledRepeat: 4, ops: [0, 1, 2, 3].map((key) => [
          { op: 'update', map: 'objects', key, value: key + 1 },
          { op: 'delete', map: 'objects', key },
        ]).flat(),
      }],
      // CPU 1 has no thread: it runs this workload (finds only) for the same time.
      workload: {
        findPct: 100, updatePct: 0, deletePct: 0, keyRange: 4,
        opsPerCpu: 100_000_000, batchSize: 1, durationMs: 500, controlledOpsPerCpu: 400, irql: 'PASSIVE',
      },
    },
  },
  // ---- the real test provider's "preprocess" setup (update + deprecated preprocess delete) ----
  'preprocess-veto': {
    description: 'reference scenario 19: the preprocess provider (update + deprecated preprocess delete, PRE_FREE in both profiles) vetoes deleting key 2 under the bucket lock: ENOTSUP, the entry stays',
    scenario: oneCpu('preprocess-veto', { m: { ...u32map('preprocess', 16), options: { vetoKeys: [2] } } }, [
      ...[1, 2, 3].map((key) => ({ op: 'update', map: 'm', key, value: key * 100 })),
      ...[1, 2, 3].map((key) => ({ op: 'delete', map: 'm', key })),
      { op: 'find', map: 'm', key: 2 },
      { op: 'find_and_delete', map: 'm', key: 2 },
      { op: 'find', map: 'm', key: 2 },
    ]),
  },
  'preprocess-update-and-query': {
    description: 'as custom_maps_concurrent_update_and_query_preprocess: 4 CPUs replace keys 1 and 2 of a preprocess map (plain values), 2 CPUs look them up; every find succeeds with a value in range',
    scenario: preprocessUpdateAndQuery(),
  },
  'preprocess-insert-delete': {
    description: 'as custom_maps_concurrent_insert_delete_and_query_preprocess: 4 CPUs insert, delete and look up 8 shared keys of a preprocess map (plain values) that vetoes deleting key 3',
    scenario: preprocessInsertDelete(),
  },
  'diff-bad-option-after-preprocess': {
    description: 'a program updates a passthrough map with options 7 and 4 (none of ANY, NOEXIST, EXIST); documented they fail first, as built preprocess update runs, the core fails INVALID_ARGUMENT, then the undo fires (reference 0, 1.6)',
    scenario: {
      name: 'diff-bad-option-after-preprocess', cpus: 1, maps: { m: u32map('passthrough', 16) },
      threads: [{
        cpu: 0, irql: 'DISPATCH', ops: [{
          op: 'batch', ops: [
            { op: 'update', map: 'm', key: 1, value: 10 },
            { op: 'update', map: 'm', key: 1, value: 11, option: 7 },
            { op: 'update', map: 'm', key: 2, value: 20, option: 4 },
            { op: 'find', map: 'm', key: 1 },
          ],
        }],
      }],
    },
  },
  'diff-pop-drops-helper': {
    description: 'a program pushes, pops and peeks on an object map (no key): documented, all three are blocked (OPERATION_NOT_SUPPORTED); as built pop loses the HELPER flag and fails on the NULL key (INVALID_ARGUMENT) (reference 1.10, scenario 34)',
    scenario: oneCpu('diff-pop-drops-helper', { o: u32map('object', 16) }, [
      { op: 'update', map: 'o', key: 1, value: 1234 },
      { op: 'batch', ops: [{ op: 'push', map: 'o', value: 7 }, { op: 'pop', map: 'o' }, { op: 'peek', map: 'o' }] },
      { op: 'find', map: 'o', key: 1 },
    ]),
  },
  'next-key-while-deleting': {
    description: 'CPU 0 inserts then deletes 8 keys of a passthrough map, over and over, while CPU 1 walks it with get_next_key; a vanished previous key restarts the walk from the first key (reference 38, 40)',
    scenario: {
      name: 'next-key-while-deleting', cpus: 2, maps: { m: u32map('passthrough', 16) },
      threads: [
        {
          cpu: 0, irql: 'PASSIVE', repeat: 100, controlledRepeat: 2, ops: [
            ...[0, 1, 2, 3, 4, 5, 6, 7].map((key) => ({ op: 'update', map: 'm', key, value: key + 100 })),
            ...[0, 1, 2, 3, 4, 5, 6, 7].map((key) => ({ op: 'delete', map: 'm', key })),
          ],
        },
        { cpu: 1, irql: 'PASSIVE', repeat: 100, controlledRepeat: 4, ops: [{ op: 'iterate', map: 'm', limit: 64 }] },
      ],
    },
  },
  'diff-find-element-codes': {
    description: 'a program calls an extension helper that uses find_element_function on a stored key, a missing key and an array map: documented (the header) SUCCESS, KEY_NOT_FOUND, INVALID_OBJECT; as built SUCCESS, OBJECT_NOT_FOUND, INVALID_ARGUMENT (reference 1.9, 6.6, scenario 35)',
    scenario: oneCpu('diff-find-element-codes', { m: u32map('passthrough', 16) }, [
      { op: 'update', map: 'm', key: 1, value: 1234 },
      { op: 'batch', ops: [
        { op: 'find_element', map: 'm', key: 1 }, { op: 'find_element', map: 'm', key: 2 }, { op: 'find_element', arrayMap: true, key: 0 },
      ] },
    ]),
  },
  'batch-operations': {
    description: 'update_batch and delete_batch on a passthrough map run one update or delete per key and stop at the first error; the lookup batches, update-with-handle, write_data and set_wait_handle are not supported (reference 27, 28)',
    scenario: oneCpu('batch-operations', { m: u32map('passthrough', 16) }, [
      { op: 'update_batch', map: 'm', entries: [1, 2, 3].map((key) => ({ key, value: key * 10 })) },
      { op: 'update_batch', map: 'm', option: 'NOEXIST', entries: [4, 2, 5].map((key) => ({ key, value: key * 10 })) },
      { op: 'delete_batch', map: 'm', keys: [1, 9, 2] },
      { op: 'lookup_batch', map: 'm' },
      { op: 'lookup_and_delete_batch', map: 'm' },
      { op: 'update_with_handle', map: 'm', key: 3 },
      { op: 'write_data', map: 'm' },
      { op: 'set_wait_handle', map: 'm' },
    ]),
  },
  // ---- provider and map lifetime (reference 1.1-1.4, 2.6; scenarios 1, 2, 36, 43, 44, 50) ----
  'lifetime-deregister': {
    description: 'CPU 0 closes its map, then deregisters the passthrough provider while a program on CPU 1 still uses the map: the deregistration returns only after the program ends and postprocess_map_delete ran (reference 4 scenario 43)',
    scenario: {
      name: 'lifetime-deregister', cpus: 2,
      maps: { m: u32map('passthrough', 16) },
      threads: [
        // delete_map comes before deregister_provider: a prefix of this list never waits for a map nobody deletes.
        {
          cpu: 0, irql: 'PASSIVE', ops: [
            { op: 'update', map: 'm', key: 1, value: 10 },
            { op: 'find', map: 'm', key: 1 },
            { op: 'delete_map', map: 'm' },
            { op: 'deregister_provider', map: 'm' },
          ],
        },
        {
          cpu: 1, irql: 'DISPATCH', ops: [{
            op: 'batch', count: 20, ops: [
              { op: 'update', map: 'm', key: 2, value: 20 },
              { op: 'find', map: 'm', key: 2 },
            ],
          }],
        },
      ],
    },
  },
  'lifetime-create-failures': {
    description: 'creates that fail: no provider for type 16 (EXTENSION_FAILED_TO_LOAD), type 0xFFFC (INVALID_ARGUMENT), a failed name allocation after the provider made the map (NO_MEMORY), and a program type the provider refuses (reference 4 scenarios 1, 2, 44, 36)',
    scenario: {
      name: 'lifetime-create-failures', cpus: 2,
      maps: {
        unregistered: { ...u32map('passthrough', 16), mapType: 16 },
        unknown: { ...u32map('passthrough', 16), mapType: 0xfffc },
        unnamed: u32map('passthrough', 16),
        objects: { ...u32map('object', 16), options: { rejectProgramTypes: ['cgroup_sock_addr'] } },
      },
      faults: { nameAllocFail: ['unnamed'] },
      threads: [
        { cpu: 0, irql: 'PASSIVE', ops: ['unregistered', 'unknown', 'unnamed', 'objects'].map((map) => ({ op: 'update', map, key: 1, value: 1 })) },
        { cpu: 1, irql: 'DISPATCH', programType: 'cgroup_sock_addr', ops: [{ op: 'find', map: 'objects', key: 1 }] },
      ],
    },
  },
  'lifetime-synchronize': {
    description: 'a PASSIVE thread deletes a key, then calls ebpf_epoch_synchronize outside any epoch: it returns after one full epoch cycle, once the deleted value was freed (reference 2.6, 4 scenario 50)',
    scenario: oneCpu('lifetime-synchronize', { m: u32map('passthrough', 16) }, [
      { op: 'update', map: 'm', key: 1, value: 10 },
      { op: 'delete', map: 'm', key: 1 },
      { op: 'synchronize' },
      { op: 'find', map: 'm', key: 1 },
    ]),
  },
};

/** Values CPU `t` writes to key `key` (1 or 2) of preprocess-update-and-query: 1000*key + 1000*t .. + 9. */
function writerValues(key: number, t: number): number[] {
  return Array.from({ length: 10 }, (_, i) => 1000 * key + 1000 * t + i);
}

/**
 * The real test inserts keys 1 (100) and 2 (200) before its threads start;
 * here each reader inserts them itself before it looks them up (there are
 * no deletes), so every one of its finds must succeed. The real test uses an
 * object map; this one stores plain values (objectMap false), because an
 * object map whose deprecated delete frees its object before unlink exposes
 * reference 6.14 to any concurrent delete, which stress's swarm adds (see
 * test/integration/preprocess-provider.test.ts).
 */
function preprocessUpdateAndQuery(): Record<string, unknown> {
  const writer = (cpu: number, key: number, t: number): Record<string, unknown> => ({
    cpu, irql: 'PASSIVE', repeat: 200, controlledRepeat: 2,
    ops: writerValues(key, t).map((value) => ({ op: 'update', map: 'm', key, value })),
  });
  const reader = (cpu: number): Record<string, unknown> => ({
    cpu, irql: 'PASSIVE', repeat: 100, controlledRepeat: 2, ops: [
      { op: 'update', map: 'm', key: 1, value: 100 },
      { op: 'update', map: 'm', key: 2, value: 200 },
      ...Array.from({ length: 10 }, () => [1, 2].map((key) => ({ op: 'find', map: 'm', key }))).flat(),
    ],
  });
  return {
    name: 'preprocess-update-and-query', cpus: 6,
    maps: { m: { ...u32map('preprocess', 10), options: { objectMap: false, validValues: [[100, 100], [200, 200], [1000, 3999]] } } },
    threads: [writer(0, 1, 0), writer(1, 1, 1), writer(2, 2, 0), writer(3, 2, 1), reader(4), reader(5)],
  };
}

/** Insert, look up and delete 8 shared keys from four CPUs; deletes of key 3 are vetoed (it stays to the cleanup). */
function preprocessInsertDelete(): Record<string, unknown> {
  const keys = [0, 1, 2, 3, 4, 5, 6, 7];
  const thread = (cpu: number, ops: Array<Record<string, unknown>>): Record<string, unknown> =>
    ({ cpu, irql: 'PASSIVE', repeat: 150, controlledRepeat: 2, ops });
  return {
    name: 'preprocess-insert-delete', cpus: 4,
    maps: { m: { ...u32map('preprocess', 64), options: { objectMap: false, vetoKeys: [3] } } },
    threads: [
      thread(0, keys.flatMap((key) => [
        { op: 'update', map: 'm', key, value: key + 1 }, { op: 'find', map: 'm', key }, { op: 'delete', map: 'm', key },
      ])),
      thread(1, keys.map((key) => ({ op: 'update', map: 'm', key, value: 0x10000 + key }))),
      thread(2, [...keys].reverse().map((key) => ({ op: 'delete', map: 'm', key }))),
      thread(3, keys.flatMap((key) => [{ op: 'find', map: 'm', key }, { op: 'find_and_delete', map: 'm', key }])),
    ],
  };
}

/** Names and one-line descriptions, for `epochlab scenarios`. */
export function listScenarios(): Array<{ name: string; description: string }> {
  return Object.entries(BUILTIN_SCENARIOS).map(([name, b]) => ({ name, description: b.description }));
}

/** A fresh copy of a built-in scenario with load-time values (CPU count) filled in; undefined if unknown. */
export function builtinScenario(name: string): Record<string, unknown> | undefined {
  if (!Object.hasOwn(BUILTIN_SCENARIOS, name)) return undefined;
  const scenario = structuredClone(BUILTIN_SCENARIOS[name]!.scenario);
  if (scenario['cpus'] === ALL_CPUS) scenario['cpus'] = Math.min(64, availableParallelism());
  return scenario;
}

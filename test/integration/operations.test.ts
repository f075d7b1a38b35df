/**
 * The operations beyond find, update and delete, end to end on worker
 * threads, in both runtime profiles (reference 1.9, 1.10, 1.13, 3; scenarios
 * 15, 27, 28, 34, 35, 40): the result of every operation, the exact provider
 * callbacks (name, flags, IRQL, result), and the checker's verdict. Under
 * `documented` a run is clean; under `ebpf-for-windows` only the known
 * as-built departures fire (AS_BUILT), never a rule about these operations
 * unless the scenario is one (pop's dropped HELPER flag). Runs that need an
 * order across CPUs are controlled (a seeded scheduler), so they replay.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runOnce } from '../../src/hunt/hunt.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import type { TraceSink } from '../../src/trace/jsonl.js';
import type { ProfileName } from '../../src/runtime/profile.js';
import { callbackSequence } from '../support/run.js';
import { builtinScenario } from '../../src/scenario/builtins.js';

class Collect implements TraceSink {
  readonly events: TraceEvent[] = [];
  write(e: TraceEvent): void { this.events.push(e); }
  close(): void {}
}

const PROFILES: readonly ProfileName[] = ['documented', 'ebpf-for-windows'];

/** Rules that fire as built on any map with deletes or a cleanup (the departures contract-diff lists). */
const AS_BUILT = new Set([
  'delete.post-after-unlock', 'irql.user-passive', 'epoch.callback-inside', 'epoch.outside', 'cleanup.flags',
]);

interface Run { events: TraceEvent[]; rules: Record<string, number> }

async function run(scenario: Record<string, unknown>, profile: ProfileName, seed = 1): Promise<Run> {
  const plan = await compileScenario({ seed, ...scenario }, 'test', process.cwd(), {});
  plan.profile = profile;
  plan.mode = 'controlled';
  plan.strategy = 'random';
  const sink = new Collect();
  const r = await runOnce(plan, 'test', [sink]);
  return { events: sink.events, rules: r.rules };
}

/** Under documented: no violation; as built: only departures in `allowed` (AS_BUILT by default). */
function expectClean(r: Run, profile: ProfileName, allowed: ReadonlySet<string> = AS_BUILT): void {
  if (profile === 'documented') expect(r.rules).to.deep.equal({});
  else expect(Object.keys(r.rules).filter((rule) => !allowed.has(rule))).to.deep.equal([]);
}

/** op_end events of `ops` on `cpu`, as "op map RESULT" plus the extra fields named. */
function ends(events: TraceEvent[], ops: readonly string[], fields: readonly string[] = [], cpu?: number): string[] {
  return events.filter((e) => e.event === 'op_end' && ops.includes(String(e['op'])) && (cpu === undefined || e.cpu === cpu))
    .map((e) => [String(e['op']), e['map'] === undefined ? '-' : String(e['map']), String(e['result']).replace('EBPF_', ''),
      ...fields.filter((f) => e[f] !== undefined).map((f) => `${f}=${String(e[f])}`)].join(' '));
}

const u32 = (provider: string, maxEntries = 16) => ({ provider, keySize: 4, valueSize: 4, maxEntries });

const CREATE = 'preprocess_map_create 0 PASSIVE SUCCESS';
const ASSOCIATE = 'preprocess_map_associate_program_type 0 PASSIVE SUCCESS';
const MAP_DELETE = 'postprocess_map_delete 0 PASSIVE';
const PRE_UPDATE = 'preprocess_map_update_element 0 PASSIVE SUCCESS';
/** Map cleanup: PASSIVE documented; at DISPATCH under the map lock as built (reference 1.8). */
const cleanup = (profile: ProfileName): string =>
  `postprocess_map_delete_element MAP_CLEANUP ${profile === 'documented' ? 'PASSIVE' : 'DISPATCH'}`;
/** Explicit user delete on a passthrough map: after unlock (documented, FREE mode), under the bucket lock as built (PRE_FREE). */
const userDelete = (profile: ProfileName): string =>
  `postprocess_map_delete_element 0 ${profile === 'documented' ? 'PASSIVE' : 'DISPATCH'}`;

describe('integration: operations beyond CRUD', function () {
  this.timeout(120_000);

  describe('scenario 35: an extension helper calling find_element_function', () => {
    // CPU 0 (user mode) stores 1234 under key 1 in both maps; CPU 1's program
    // first holds its epoch for 2000 scheduling points, so it reads after.
    const scenario = {
      name: 'find-element', cpus: 2, maps: { m: u32('passthrough'), o: u32('object') },
      threads: [
        { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 1234 }, { op: 'update', map: 'o', key: 1, value: 1234 }] },
        {
          cpu: 1, irql: 'DISPATCH', ops: [
            { op: 'stall', ms: 2000 },
            { op: 'find_element', map: 'm', key: 1, add: 10 },
            { op: 'find_element', map: 'm', key: 1 },
            { op: 'find_element', map: 'o', key: 1 },
            { op: 'find_element', map: 'm', key: 7 },
            { op: 'find_element', arrayMap: true, key: 0 },
          ],
        },
      ],
    };
    for (const profile of PROFILES) {
      it(`scenario 35 (${profile}): raw stored values, no postprocess_map_find_element, no blocking; an array map is refused`, async () => {
        const r = await run(scenario, profile);
        if (profile === 'documented') expect(r.rules).to.deep.equal({});
        else expect(r.rules).to.deep.include({ 'ops.find-element-codes': 2 });
        expectClean(r, profile, new Set([...AS_BUILT, 'ops.find-element-codes']));
        const updates = r.events.filter((e) => e.event === 'op_end' && e.cpu === 0 && e['op'] === 'update');
        const firstRead = r.events.find((e) => e.event === 'op_begin' && e['op'] === 'find_element');
        expect(updates.every((u) => u.seq < firstRead!.seq), 'CPU 0 stored the values before the program read').to.equal(true);
        const got = ends(r.events, ['find_element'], ['stored'], 1);
        expect(got.slice(0, 2)).to.deep.equal(['find_element m SUCCESS stored=1234', 'find_element m SUCCESS stored=1244']);
        // The object map stores a reference (its first word an object pointer), returned as is although helper lookups are blocked.
        expect(got[2]).to.match(/^find_element o SUCCESS stored=[1-9]\d*$/);
        // The header's codes documented, the implementation's as built (reference 1.9, 6.6).
        expect(got.slice(3)).to.deep.equal(profile === 'documented'
          ? ['find_element m KEY_NOT_FOUND', 'find_element - INVALID_OBJECT']
          : ['find_element m OBJECT_NOT_FOUND', 'find_element - INVALID_ARGUMENT']);
        const program = r.events.filter((e) => e.cpu === 1 && e.event.startsWith('p'));
        expect(callbackSequence(program)).to.deep.equal([ASSOCIATE, ASSOCIATE]);
        expect(r.events.filter((e) => e.event === 'violation' && e.cpu >= 0)).to.deep.equal([]);
      });
    }
  });

  describe('scenario 34: helper push, pop and peek on a custom hash map', () => {
    const stack = (irql: 'PASSIVE' | 'DISPATCH') => ({
      name: 'stack-ops', cpus: 1, maps: { m: u32('passthrough'), o: u32('object') },
      threads: [{ cpu: 0, irql, ops: ['m', 'o'].flatMap((map) => [{ op: 'push', map, value: 5 }, { op: 'pop', map }, { op: 'peek', map }]) }],
    });
    for (const profile of PROFILES) {
      it(`scenario 34 (${profile}): -18 when blocked, -6 for the NULL key, pop drops HELPER as built; no callback`, async () => {
        const r = await run(stack('DISPATCH'), profile);
        const pop = profile === 'documented' ? 'OPERATION_NOT_SUPPORTED' : 'INVALID_ARGUMENT';
        expect(ends(r.events, ['push', 'pop', 'peek'])).to.deep.equal([
          'push m INVALID_ARGUMENT', 'pop m INVALID_ARGUMENT', 'peek m INVALID_ARGUMENT',
          'push o OPERATION_NOT_SUPPORTED', `pop o ${pop}`, 'peek o OPERATION_NOT_SUPPORTED',
        ]);
        for (const map of ['m', 'o']) expect(callbackSequence(r.events, { map })).to.deep.equal([CREATE, ASSOCIATE, MAP_DELETE]);
        if (profile === 'documented') expect(r.rules).to.deep.equal({});
        else expect(r.rules).to.deep.include({ 'ops.helper-stack-blocked': 1 });
        expectClean(r, profile, new Set([...AS_BUILT, 'ops.helper-stack-blocked']));
      });

      it(`scenario 34 (${profile}): from user mode push, pop and peek are never blocked and fail on the NULL key`, async () => {
        const r = await run(stack('PASSIVE'), profile);
        expectClean(r, profile);
        expect(ends(r.events, ['push', 'pop', 'peek'])).to.deep.equal(['m', 'o'].flatMap((map) =>
          ['push', 'pop', 'peek'].map((op) => `${op} ${map} INVALID_ARGUMENT`)));
        for (const map of ['m', 'o']) expect(callbackSequence(r.events, { map })).to.deep.equal([CREATE, MAP_DELETE]);
      });
    }
  });

  describe('scenario 40: get_next_key', () => {
    for (const profile of PROFILES) {
      it(`scenario 40 (${profile}): a walk visits every key once and ends with NO_MORE_KEYS; a missing previous key restarts`, async () => {
        const r = await run({
          name: 'walk', cpus: 1, maps: { m: u32('passthrough') },
          threads: [{ cpu: 0, irql: 'PASSIVE', ops: [
            { op: 'next_key', map: 'm' },
            ...[3, 1, 4, 5, 9].map((key) => ({ op: 'update', map: 'm', key, value: key })),
            { op: 'iterate', map: 'm' },
            { op: 'next_key', map: 'm', key: 77 },
          ] }],
        }, profile);
        expectClean(r, profile);
        const walk = r.events.filter((e) => e.event === 'op_end' && e['op'] === 'next_key');
        expect(walk.map((e) => String(e['result']))).to.deep.equal(['EBPF_NO_MORE_KEYS', ...Array<string>(5).fill('EBPF_SUCCESS'),
          'EBPF_NO_MORE_KEYS', 'EBPF_SUCCESS']);
        const seen = walk.slice(1, 6).map((e) => String(e['key']));
        expect([...seen].sort()).to.deep.equal(['01000000', '03000000', '04000000', '05000000', '09000000']);
        // Key 77 is not in the map: the IOCTL restarts and answers the first key.
        expect(walk[7]!['restarted']).to.equal(true);
        expect(walk[7]!['key']).to.equal(seen[0]);
        expect(walk.slice(0, 7).some((e) => e['restarted'] === true)).to.equal(false);
        expect(callbackSequence(r.events).filter((c) => !c.startsWith('preprocess_map_update') && !c.includes('MAP_CLEANUP')))
          .to.deep.equal([CREATE, MAP_DELETE]);
      });

      it(`scenario 40 (${profile}): another CPU deletes the previous key mid-walk: KEY_NOT_FOUND inside, the walk restarts from the first key`, async () => {
        // CPU 1 stores key 0 and reads the first key (0); CPU 0, after 400
        // scheduling points, inserts key 1 and deletes key 0 while CPU 1 holds
        // 3000; CPU 1 then asks for the key after 0.
        const r = await run({
          name: 'walk-delete', cpus: 2, maps: { m: u32('passthrough') },
          threads: [
            { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'stall', ms: 400 }, { op: 'update', map: 'm', key: 1, value: 11 }, { op: 'delete', map: 'm', key: 0 }] },
            { cpu: 1, irql: 'PASSIVE', ops: [
              { op: 'update', map: 'm', key: 0, value: 10 }, { op: 'next_key', map: 'm' }, { op: 'stall', ms: 3000 },
              { op: 'next_key', map: 'm', key: 0 }, { op: 'next_key', map: 'm', key: 1 },
            ] },
          ],
        }, profile);
        expectClean(r, profile);
        const deleted = r.events.find((e) => e.event === 'op_end' && e['op'] === 'delete')!;
        const walk = r.events.filter((e) => e.event === 'op_end' && e['op'] === 'next_key');
        expect(walk[0]!.seq).to.be.lessThan(deleted.seq);
        expect(walk[1]!.seq).to.be.greaterThan(deleted.seq);
        expect(ends(r.events, ['next_key', 'delete'], ['key', 'restarted'])).to.deep.equal([
          'next_key m SUCCESS key=00000000', 'delete m SUCCESS key=00000000',
          'next_key m SUCCESS key=01000000 restarted=true', 'next_key m NO_MORE_KEYS',
        ]);
      });

      it(`scenario 40 (${profile}): concurrent inserts and deletes while another CPU walks the map run clean, and the map ends empty`, async () => {
        let restarts = 0;
        // The built-in, with longer controlled runs: more walks meet more deletes.
        const scenario = builtinScenario('next-key-while-deleting')!;
        const threads = scenario['threads'] as Array<Record<string, unknown>>;
        threads[0]!['controlledRepeat'] = 4;
        threads[1]!['controlledRepeat'] = 8;
        for (const seed of [1, 2]) {
          const plan = await compileScenario(scenario, 'test', process.cwd(), { seed });
          plan.profile = profile;
          plan.mode = 'controlled';
          const sink = new Collect();
          const r = await runOnce(plan, 'test', [sink]);
          expectClean({ events: sink.events, rules: r.rules }, profile);
          const walk = sink.events.filter((e) => e.event === 'op_end' && e['op'] === 'next_key');
          expect(walk.every((e) => e['result'] === 'EBPF_SUCCESS' || e['result'] === 'EBPF_NO_MORE_KEYS')).to.equal(true);
          restarts += walk.filter((e) => e['restarted'] === true).length;
          expect(ends(sink.events, ['map_cleanup'], ['entries'])).to.deep.equal(['map_cleanup m SUCCESS entries=0']);
        }
        expect(restarts, 'some walk lost its previous key').to.be.greaterThan(0);
      });
    }
  });

  describe('scenarios 27 and 28: batch operations and unsupported operations', () => {
    const scenario = {
      name: 'batches', cpus: 1, maps: { m: u32('passthrough') },
      threads: [{ cpu: 0, irql: 'PASSIVE', ops: [
        { op: 'update_batch', map: 'm', entries: [1, 2, 3].map((key) => ({ key, value: key * 10 })) },
        { op: 'update_batch', map: 'm', option: 'NOEXIST', entries: [4, 2, 5].map((key) => ({ key, value: key * 10 })) },
        { op: 'delete_batch', map: 'm', keys: [1, 9, 2] },
        { op: 'lookup_batch', map: 'm' },
        { op: 'lookup_and_delete_batch', map: 'm' },
      ] }],
    };
    for (const profile of PROFILES) {
      it(`scenario 27 (${profile}): update_batch and delete_batch run per key and stop at the first error; lookup batches are not supported`, async () => {
        const r = await run(scenario, profile);
        expectClean(r, profile);
        expect(ends(r.events, ['update_batch', 'delete_batch', 'update', 'delete', 'lookup_batch', 'lookup_and_delete_batch'], ['key', 'processed'])).to.deep.equal([
          'update m SUCCESS key=01000000', 'update m SUCCESS key=02000000', 'update m SUCCESS key=03000000', 'update_batch m SUCCESS processed=3',
          'update m SUCCESS key=04000000', 'update m OBJECT_ALREADY_EXISTS key=02000000', 'update_batch m OBJECT_ALREADY_EXISTS processed=1',
          'delete m SUCCESS key=01000000', 'delete m KEY_NOT_FOUND key=09000000', 'delete_batch m KEY_NOT_FOUND processed=1',
          'lookup_batch m OPERATION_NOT_SUPPORTED', 'lookup_and_delete_batch m OPERATION_NOT_SUPPORTED',
        ]);
        // Key 5 never reached the provider; key 2 was never deleted; 2, 3 and 4 are cleaned up.
        expect(callbackSequence(r.events)).to.deep.equal([
          CREATE, PRE_UPDATE, PRE_UPDATE, PRE_UPDATE,
          PRE_UPDATE, PRE_UPDATE, 'postprocess_map_delete_element UPDATE PASSIVE',
          userDelete(profile),
          cleanup(profile), cleanup(profile), cleanup(profile), MAP_DELETE,
        ]);
        // One IOCTL, one epoch: each batch enters and leaves exactly once.
        const batchBegin = r.events.findIndex((e) => e.event === 'op_begin' && e['op'] === 'update_batch');
        const batchEnd = r.events.findIndex((e) => e.event === 'op_end' && e['op'] === 'update_batch');
        expect(r.events.slice(batchBegin, batchEnd).filter((e) => e.event === 'epoch_enter')).to.have.length(1);
      });

      it(`scenario 28 (${profile}): update-with-handle, write_data and set_wait_handle fail on a custom map, with no callback`, async () => {
        const r = await run({
          name: 'unsupported', cpus: 1, maps: { m: u32('passthrough') },
          threads: [{ cpu: 0, irql: 'PASSIVE', ops: [
            { op: 'update', map: 'm', key: 1, value: 5 },
            { op: 'update_with_handle', map: 'm', key: 1 }, { op: 'write_data', map: 'm' }, { op: 'set_wait_handle', map: 'm' },
          ] }],
        }, profile);
        expectClean(r, profile);
        expect(ends(r.events, ['update_with_handle', 'write_data', 'set_wait_handle'])).to.deep.equal([
          'update_with_handle m OPERATION_NOT_SUPPORTED', 'write_data m OPERATION_NOT_SUPPORTED', 'set_wait_handle m OPERATION_NOT_SUPPORTED',
        ]);
        expect(callbackSequence(r.events)).to.deep.equal([CREATE, PRE_UPDATE, cleanup(profile), MAP_DELETE]);
      });
    }
  });

  describe('scenario 15: the temporary out-value buffer cannot be allocated', () => {
    for (const profile of PROFILES) {
      it(`scenario 15 (${profile}): NO_MEMORY before any callback; the next update works`, async () => {
        const r = await run({
          name: 'temp-buffer', cpus: 1, maps: { o: u32('object'), m: u32('passthrough') },
          threads: [{ cpu: 0, irql: 'PASSIVE', ops: [
            { op: 'update', map: 'o', key: 1, value: 10 },
            { op: 'update', map: 'm', key: 1, value: 10 },
            { op: 'update', map: 'o', key: 2, value: 20 },
            { op: 'update', map: 'o', key: 2, value: 21 },
          ] }],
          faults: { tempBufferFailAt: [{ cpu: 0, at: 2 }] },
        }, profile);
        expectClean(r, profile);
        expect(ends(r.events, ['update'], ['key'])).to.deep.equal([
          'update o SUCCESS key=01000000', 'update m SUCCESS key=01000000', 'update o NO_MEMORY key=02000000', 'update o SUCCESS key=02000000',
        ]);
        // The failed update ran no callback: one preprocess per successful update of o.
        expect(callbackSequence(r.events, { map: 'o' })).to.deep.equal([CREATE, PRE_UPDATE, PRE_UPDATE, cleanup(profile), cleanup(profile), MAP_DELETE]);
      });
    }
  });

  describe('scenario files: the new operations are validated', () => {
    const bad = async (ops: unknown[], irql = 'PASSIVE', faults: Record<string, unknown> = {}): Promise<string> => {
      try {
        await compileScenario({ cpus: 1, maps: { m: u32('passthrough') }, threads: [{ cpu: 0, irql, ops }], faults }, 'bad.json', process.cwd(), {});
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };

    it('rejects find_element outside a program, with both or neither of map and arrayMap, and bad batch and fault fields', async () => {
      expect(await bad([{ op: 'find_element', map: 'm', key: 1 }])).to.match(/bad\.json: threads\[0\]\.ops\[0\]\.op: find_element is an extension helper/);
      expect(await bad([{ op: 'find_element', map: 'm', arrayMap: true, key: 1 }], 'DISPATCH')).to.match(/threads\[0\]\.ops\[0\]: find_element needs exactly one of map and arrayMap/);
      expect(await bad([{ op: 'find_element', key: 1 }], 'DISPATCH')).to.match(/needs exactly one of map and arrayMap/);
      expect(await bad([{ op: 'update_batch', map: 'm', entries: [] }])).to.match(/threads\[0\]\.ops\[0\]\.entries: must have at least 1 item/);
      expect(await bad([{ op: 'delete_batch', map: 'm', keys: [1, 'x'] }])).to.match(/threads\[0\]\.ops\[0\]\.keys\[1\]/);
      expect(await bad([{ op: 'next_key', map: 'nope' }])).to.match(/threads\[0\]\.ops\[0\]\.map: no map named "nope"/);
      expect(await bad([{ op: 'batch', ops: [{ op: 'next_key', map: 'm' }] }])).to.match(/op "next_key" is not allowed inside a batch/);
      expect(await bad([{ op: 'pop', map: 'm' }], 'PASSIVE', { tempBufferFailAt: [{ cpu: 1, at: 1 }] })).to.match(/faults\.tempBufferFailAt\[0\]\.cpu: cpu 1 is out of range/);
      expect(await bad([{ op: 'batch', ops: [{ op: 'find_element', arrayMap: true, key: 0 }, { op: 'pop', map: 'm' }] }])).to.equal('accepted');
    });
  });
});

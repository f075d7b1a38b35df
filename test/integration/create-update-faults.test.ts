/**
 * Reference scenarios that were implemented but untested (4, 5, 14, 16), the
 * double free (49) and two of issue 13's small departures (the value size a
 * delete callback gets; a bad update option), each in both profiles, with
 * the whole callback sequence (name, flags, IRQL, result), the operations'
 * results and the exact rules that fire. As built, a map's teardown also
 * shows the profile's cleanup departures; those counts are expected too.
 */
import { expect } from 'chai';
import { callbackSequence, opResults } from '../support/run.js';
import { PROFILES, fixtureProvider, runUnder, type ProfileName } from '../support/profile-run.js';
import { CREATE, MAP_DELETE, cleanupIrql, del, find, oneThread, u32Map, update, type Json } from '../support/one-map.js';
import type { TraceEvent } from '../../src/trace/decode.js';

const cpu0 = (events: TraceEvent[]): string[] => opResults(events.filter((e) => e.cpu === 0));

describe('map creation that fails after preprocess_map_create (reference 1.2)', function () {
  this.timeout(60_000);

  for (const profile of PROFILES) {
    it(`scenario 4: an object map without CRUD callbacks (register_crud_apis=false) (${profile})`, async () => {
      const r = await runUnder(oneThread(u32Map('preprocess', { registerCrudApis: false }), [update(1, 1), find(1)]), profile);
      if (profile === 'documented') {
        // Neither delete callback: refused at attach, before any callback (ebpf_extension.h "both or neither is an error").
        expect(callbackSequence(r.events)).to.deep.equal([]);
        expect(cpu0(r.events)).to.deep.equal(['create EXTENSION_FAILED_TO_LOAD', 'update INVALID_OBJECT', 'find INVALID_OBJECT']);
      } else {
        // Attach accepts "neither"; create runs, the updates_original_value check fails, the context is handed back.
        expect(callbackSequence(r.events)).to.deep.equal([CREATE, MAP_DELETE]);
        expect(cpu0(r.events)).to.deep.equal(['create INVALID_ARGUMENT', 'update INVALID_OBJECT', 'find INVALID_OBJECT']);
      }
      expect(r.rules).to.deep.equal({});
      expect(r.report.leakedBlocks).to.equal(0);
    });

    it(`scenario 4: an object map with find and delete but no preprocess update: create, postprocess_map_delete, INVALID_ARGUMENT (${profile})`, async () => {
      const r = await runUnder(oneThread(u32Map('preprocess', { noUpdateCallback: true }), [update(1, 1)]), profile);
      expect(callbackSequence(r.events)).to.deep.equal([CREATE, MAP_DELETE]);
      expect(cpu0(r.events)).to.deep.equal(['create INVALID_ARGUMENT', 'update INVALID_OBJECT']);
      const mapDelete = r.events.find((e) => e.event === 'postprocess_map_delete');
      expect(mapDelete?.['inEpoch'], 'the create-failure path runs in the IOCTL epoch').to.equal(true);
      expect(r.rules).to.deep.equal({});
      expect(r.report.leakedBlocks).to.equal(0);
    });

    for (const actual of [0, 8]) {
      it(`scenario 5: a non-object map whose provider reports actual_value_size ${actual} for value_size 4 (${profile})`, async () => {
        const r = await runUnder(oneThread(u32Map(fixtureProvider('wrong-actual-size'), { actual }), [update(1, 1)]), profile);
        expect(callbackSequence(r.events)).to.deep.equal([CREATE, MAP_DELETE]);
        expect(cpu0(r.events)).to.deep.equal(['create INVALID_ARGUMENT', 'update INVALID_OBJECT']);
        expect(r.rules).to.deep.equal({});
        expect(r.report.leakedBlocks).to.equal(0);
      });
    }
  }
});

describe('update faults on an object map (preprocess provider)', function () {
  this.timeout(60_000);

  // Allocations: 1 the map context, 2 the cleanup work item, 3 the object
  // (preprocess update), 4 the hash table's value, 5 its bucket.
  const faulted = (at: number): Json => oneThread(u32Map('preprocess'), [update(1, 1)], 'PASSIVE', { faults: { allocFailAt: [at] } });
  /** The teardown of an empty map as built: postprocess_map_delete outside an epoch, and its epoch_free there. */
  const emptyTeardown = (p: ProfileName): Record<string, number> => (p === 'documented' ? {} : { 'epoch.callback-inside': 1, 'epoch.outside': 1 });

  for (const profile of PROFILES) {
    for (const [at, what] of [[4, 'value'], [5, 'bucket']] as const) {
      it(`scenario 16: the hash ${what} allocation fails after preprocess ok: NO_MEMORY, then the undo cb(new, UPDATE) (${profile})`, async () => {
        const r = await runUnder(faulted(at), profile);
        expect(callbackSequence(r.events)).to.deep.equal([
          CREATE,
          'preprocess_map_update_element 0 PASSIVE SUCCESS',
          'preprocess_map_delete_element UPDATE PASSIVE SUCCESS', // the undo, outside any lock
          MAP_DELETE, // the map is empty: no MAP_CLEANUP callback
        ]);
        expect(cpu0(r.events)).to.deep.equal(['create SUCCESS', 'update NO_MEMORY', 'delete_map SUCCESS']);
        const undo = r.events.find((e) => e.event === 'preprocess_map_delete_element')!;
        expect(undo['bucketLockHeld']).to.equal(false);
        expect(r.report.allocFailures).to.equal(1);
        // The undo released the object preprocess made: nothing leaked, no live object at map delete.
        expect(r.report.leakedBlocks).to.equal(0);
        expect(r.rules).to.deep.equal(emptyTeardown(profile));
      });
    }

    it(`scenario 14: the object allocation in preprocess update fails: NO_MEMORY, no core update, no undo (${profile})`, async () => {
      const r = await runUnder(faulted(3), profile);
      expect(callbackSequence(r.events)).to.deep.equal([CREATE, 'preprocess_map_update_element 0 PASSIVE NO_MEMORY', MAP_DELETE]);
      expect(cpu0(r.events)).to.deep.equal(['create SUCCESS', 'update NO_MEMORY', 'delete_map SUCCESS']);
      expect(r.events.some((e) => e.event === 'bucket_lock'), 'no core update').to.equal(false);
      expect(r.rules).to.deep.equal(emptyTeardown(profile));
    });
  }
});

describe('issue 13 small departures', function () {
  this.timeout(60_000);

  for (const profile of PROFILES) {
    it(`scenario 49: a double free fails fast: memory.double-free and the run stops at that operation (${profile})`, async () => {
      const r = await runUnder(oneThread(u32Map(fixtureProvider('double-free')), [
        update(1, 1), update(2, 2), del(1), update(3, 3), find(2), del(2),
      ]), profile);
      // The delete of key 1 frees its object twice; nothing after it runs but the teardown.
      expect(cpu0(r.events)).to.deep.equal(['create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete SUCCESS', 'delete_map SUCCESS']);
      expect(r.rules['memory.double-free']).to.equal(1);
      const v = r.report.violations.find((x) => x.rule === 'memory.double-free')!;
      expect(v.message).to.match(/already retired; the runtime fails fast here .* so the run stops$/);
      expect(r.report.verdict).to.equal('fail');
      expect(r.report.exitCode).to.equal(1);
    });

    it(`reference 1.7, 6.7: every delete callback gets value_size = actual_value_size (4), not the table's 8 (${profile})`, async () => {
      const map = { provider: fixtureProvider('actual-size-probe'), keySize: 4, valueSize: 8, maxEntries: 16 };
      const r = await runUnder(oneThread(map, [update(1, 1), update(1, 2), update(2, 3, 'NOEXIST'), update(2, 3, 'NOEXIST'), find(1), del(1)]), profile);
      const irql = profile === 'documented' ? 'PASSIVE' : 'DISPATCH';
      expect(callbackSequence(r.events)).to.deep.equal([
        CREATE,
        'preprocess_map_update_element 0 PASSIVE SUCCESS', 'preprocess_map_update_element 0 PASSIVE SUCCESS',
        'postprocess_map_delete_element UPDATE PASSIVE', // replace of key 1
        'preprocess_map_update_element 0 PASSIVE SUCCESS', 'preprocess_map_update_element 0 PASSIVE SUCCESS',
        'postprocess_map_delete_element UPDATE PASSIVE', // undo of the failed NOEXIST
        'postprocess_map_find_element 0 PASSIVE SUCCESS',
        `postprocess_map_delete_element 0 ${irql}`, // explicit delete (as built: PRE_FREE, under the lock)
        `postprocess_map_delete_element MAP_CLEANUP ${cleanupIrql(profile)}`,
        MAP_DELETE,
      ]);
      // The provider reports any other value_size as provider.invariant.
      expect(r.rules['provider.invariant'] ?? 0).to.equal(0);
      expect(r.rules).to.deep.equal(profile === 'documented' ? {}
        : { 'delete.post-after-unlock': 1, 'irql.user-passive': 2, 'epoch.callback-inside': 2, 'epoch.outside': 1 });
    });

    it(`reference 1.6: a helper update with a bad option (7) ${profile === 'documented' ? 'fails first, with no callback' : 'runs preprocess, fails in the core, then the undo fires'} (${profile})`, async () => {
      const r = await runUnder(oneThread(u32Map('passthrough'), [{ op: 'batch', ops: [update(1, 10), update(1, 11, 7), find(1)] }], 'DISPATCH'), profile);
      const bad = profile === 'documented' ? [] : ['preprocess_map_update_element HELPER DISPATCH SUCCESS', 'postprocess_map_delete_element HELPER|UPDATE DISPATCH'];
      expect(callbackSequence(r.events)).to.deep.equal([
        CREATE, 'preprocess_map_associate_program_type 0 PASSIVE SUCCESS',
        'preprocess_map_update_element HELPER DISPATCH SUCCESS', ...bad, 'postprocess_map_find_element HELPER DISPATCH SUCCESS',
        `postprocess_map_delete_element MAP_CLEANUP ${cleanupIrql(profile)}`, MAP_DELETE,
      ]);
      expect(cpu0(r.events).slice(2, 5)).to.deep.equal(['update SUCCESS', 'update INVALID_ARGUMENT', 'find SUCCESS']);
      const begin = r.events.filter((e) => e.event === 'op_begin' && e['op'] === 'update').map((e) => e['option']);
      expect(begin).to.deep.equal(['ANY', '7']);
      expect(r.rules).to.deep.equal(profile === 'documented' ? {}
        : { 'update.bad-option-first': 1, 'irql.user-passive': 1, 'epoch.callback-inside': 2, 'epoch.outside': 1 });
    });

    it(`reference 0: a user-mode update with a bad option is rejected before the IOCTL, with no callback (${profile})`, async () => {
      const r = await runUnder(oneThread(u32Map('passthrough'), [update(1, 10), update(1, 11, 3), find(1)]), profile);
      expect(callbackSequence(r.events).slice(0, 3)).to.deep.equal([CREATE, 'preprocess_map_update_element 0 PASSIVE SUCCESS', 'postprocess_map_find_element 0 PASSIVE SUCCESS']);
      expect(cpu0(r.events).slice(1, 4)).to.deep.equal(['update SUCCESS', 'update INVALID_ARGUMENT', 'find SUCCESS']);
      expect(r.rules['update.bad-option-first'] ?? 0).to.equal(0);
    });
  }
});

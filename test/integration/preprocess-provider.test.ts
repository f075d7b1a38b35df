/**
 * The real test provider's "preprocess" setup (the built-in preprocess
 * provider: preprocess_map_update_element with the deprecated
 * preprocess_map_delete_element) and the reference scenarios around it, in
 * both profiles: the documented outcome under `documented`, the reference's
 * as-built outcome under `ebpf-for-windows`. Each test runs a scenario end
 * to end on worker threads with the contract checker on and asserts the
 * whole callback sequence (name, flags, IRQL, result), the operations'
 * results and the exact rules that fire. As built, every map teardown also
 * shows the profile's cleanup departures (MAP_CLEANUP at DISPATCH, cleanup
 * and postprocess_map_delete outside an epoch, the provider's epoch_free
 * there): those counts are part of the expectations.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { builtinScenario } from '../../src/scenario/builtins.js';
import { runOnce } from '../../src/hunt/hunt.js';
import { createProvider as createPreprocess } from '../../src/providers/preprocess.js';
import { callbackSequence, opResults } from '../support/run.js';
import { PROFILES, runUnder as run, type ProfileName as Profile } from '../support/profile-run.js';
import { CREATE, MAP_DELETE, cleanupIrql, del, find, oneThread, u32Map, update, type Json } from '../support/one-map.js';
import type { RunReport } from '../../src/runtime/report.js';
import type { TraceEvent } from '../../src/trace/decode.js';

const AS_BUILT: Profile = 'ebpf-for-windows';

const PRE_UPDATE = 'preprocess_map_update_element 0 PASSIVE SUCCESS';
const FIND = 'postprocess_map_find_element 0 PASSIVE SUCCESS';
/** The deprecated callback of an explicit delete in PRE_FREE mode: under the bucket lock, so at DISPATCH. */
const PRE_DELETE_LOCKED = 'preprocess_map_delete_element 0 DISPATCH SUCCESS';
const VETO_LOCKED = 'preprocess_map_delete_element 0 DISPATCH OPERATION_NOT_SUPPORTED';

const keyHex = (k: number): string => Buffer.from(new Uint32Array([k]).buffer).toString('hex');
const opEnd = (events: TraceEvent[], op: string): TraceEvent | undefined => events.find((e) => e.event === 'op_end' && e['op'] === op);
const explicitDeletes = (events: TraceEvent[], name: string): TraceEvent[] =>
  events.filter((e) => e.event === name && (e['flags'] as string[]).length === 0);

describe('preprocess provider: the deprecated preprocess delete with an update callback (PRE_FREE in both profiles)', function () {
  this.timeout(60_000);

  for (const profile of PROFILES) {
    it(`scenario 19: the deprecated delete's veto is honoured under the bucket lock: ENOTSUP, the entry stays (${profile})`, async () => {
      const r = await run(oneThread(u32Map('preprocess', { vetoKeys: [2] }), [
        update(1, 100), update(2, 200), del(1), del(2), find(2), { op: 'find_and_delete', map: 'm', key: 2 }, find(2),
      ]), profile);
      expect(callbackSequence(r.events)).to.deep.equal([
        CREATE, PRE_UPDATE, PRE_UPDATE,
        PRE_DELETE_LOCKED, // key 1
        VETO_LOCKED, // key 2: vetoed
        FIND, // key 2 is still there
        FIND, VETO_LOCKED, // find_and_delete: the find, then the delete, vetoed again
        FIND,
        `preprocess_map_delete_element MAP_CLEANUP ${cleanupIrql(profile)} SUCCESS`, // key 2, never vetoed under MAP_CLEANUP
        MAP_DELETE,
      ]);
      expect(opResults(r.events.filter((e) => e.cpu === 0))).to.deep.equal([
        'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete SUCCESS', 'delete OPERATION_NOT_SUPPORTED',
        'find SUCCESS', 'find_and_delete OPERATION_NOT_SUPPORTED', 'find SUCCESS', 'delete_map SUCCESS',
      ]);
      expect(opEnd(r.events, 'create')?.['preFreeMode'], 'PRE_FREE mode').to.equal(true);
      const explicit = explicitDeletes(r.events, 'preprocess_map_delete_element');
      expect(explicit.map((e) => e['key'])).to.deep.equal([keyHex(1), keyHex(2), keyHex(2)]);
      for (const e of explicit) expect([e['bucketLockHeld'], e['inEpoch']], `#${e.seq}`).to.deep.equal([true, true]);
      // The vetoed entry kept its object; the cleanup released it: nothing leaked, no live object at map delete.
      expect(r.report.leakedBlocks).to.equal(0);
      expect(r.rules).to.deep.equal(profile === 'documented' ? {} : { 'irql.user-passive': 1, 'epoch.callback-inside': 2, 'epoch.outside': 2 });
    });

    it(`scenario 20: the same provider without the update callback (${profile}): ${profile === 'documented' ? 'still PRE_FREE (keyed on the deprecated delete), veto honoured' : 'FREE mode, veto ignored'}`, async () => {
      const r = await run(oneThread(u32Map('preprocess', { objectMap: false, noUpdateCallback: true, vetoKeys: [2] }), [
        update(1, 100), update(2, 200), del(1), del(2), find(2),
      ]), profile);
      expect(opEnd(r.events, 'create')?.['preFreeMode']).to.equal(profile === 'documented');
      if (profile === 'documented') {
        expect(callbackSequence(r.events)).to.deep.equal([
          CREATE, PRE_DELETE_LOCKED, VETO_LOCKED, FIND, 'preprocess_map_delete_element MAP_CLEANUP PASSIVE SUCCESS', MAP_DELETE,
        ]);
        expect(opResults(r.events.filter((e) => e.cpu === 0)).slice(3, 6)).to.deep.equal(['delete SUCCESS', 'delete OPERATION_NOT_SUPPORTED', 'find SUCCESS']);
        expect(r.rules).to.deep.equal({});
        return;
      }
      // After unlink and unlock, at the caller's IRQL; the veto has no effect: SUCCESS, and the key is gone.
      expect(callbackSequence(r.events)).to.deep.equal([
        CREATE, 'preprocess_map_delete_element 0 PASSIVE SUCCESS', 'preprocess_map_delete_element 0 PASSIVE OPERATION_NOT_SUPPORTED', MAP_DELETE,
      ]);
      expect(opResults(r.events.filter((e) => e.cpu === 0)).slice(3, 6)).to.deep.equal(['delete SUCCESS', 'delete SUCCESS', 'find OBJECT_NOT_FOUND']);
      for (const e of explicitDeletes(r.events, 'preprocess_map_delete_element')) expect(e['bucketLockHeld']).to.equal(false);
      expect(r.rules).to.deep.equal({ 'delete.pre-under-lock': 2, 'epoch.callback-inside': 1, 'epoch.outside': 1 });
    });
  }

  it('scenario 20: the legacy provider (deprecated delete only) ignores the veto as built, honours it documented', async () => {
    const ops = [update(2, 200), del(2), find(2)];
    const documented = await run(oneThread(u32Map('legacy', { vetoKeys: [2] }), ops), 'documented');
    const asBuilt = await run(oneThread(u32Map('legacy', { vetoKeys: [2] }), ops), AS_BUILT);
    expect(opResults(documented.events.filter((e) => e.cpu === 0)).slice(1, 4)).to.deep.equal(['update SUCCESS', 'delete OPERATION_NOT_SUPPORTED', 'find SUCCESS']);
    expect(opResults(asBuilt.events.filter((e) => e.cpu === 0)).slice(1, 4)).to.deep.equal(['update SUCCESS', 'delete SUCCESS', 'find OBJECT_NOT_FOUND']);
    expect(explicitDeletes(asBuilt.events, 'preprocess_map_delete_element').map((e) => `${String(e['result'])} ${e.irql}`))
      .to.deep.equal(['EBPF_OPERATION_NOT_SUPPORTED PASSIVE']);
  });
});

describe('preprocess provider: the concurrency built-ins, controlled', function () {
  this.timeout(120_000);

  /** One controlled run of a built-in (seed `seed`) under `profile`. */
  async function controlled(name: string, profile: Profile, seed: number): Promise<{ rules: Record<string, number>; report: RunReport }> {
    const plan = await compileScenario({ ...builtinScenario(name)!, seed }, 'test', process.cwd(), {});
    plan.mode = 'controlled';
    plan.strategy = 'random';
    plan.profile = profile;
    const r = await runOnce(plan, 'test');
    return { rules: r.rules, report: r.report };
  }

  for (const profile of PROFILES) {
    it(`scenario 37 (custom_maps_concurrent_update_and_query_preprocess): every lookup succeeds with a value in range (${profile})`, async () => {
      for (const seed of [1, 2]) {
        const { rules, report } = await controlled('preprocess-update-and-query', profile, seed);
        // Two readers x 2 repeats x 20 finds; every one SUCCESS (no OBJECT_NOT_FOUND), and no value out of range (provider.invariant).
        expect(Object.keys(report.results), `seed ${seed}`).to.deep.equal(['EBPF_SUCCESS']);
        expect(report.callbacks['postprocess_map_find_element']).to.equal(80);
        expect(rules['provider.invariant'] ?? 0).to.equal(0);
        expect(rules).to.deep.equal(profile === 'documented' ? {} : { 'irql.user-passive': 2, 'epoch.callback-inside': 3, 'epoch.outside': 1 });
      }
    });

    it(`scenario 38/39 (custom_maps_concurrent_insert_delete_and_query_preprocess): inserts, vetoed and plain deletes, lookups race cleanly (${profile})`, async () => {
      const { rules, report } = await controlled('preprocess-insert-delete', profile, 3);
      // Key 3's deletes are vetoed in both profiles (PRE_FREE): some ENOTSUP, and no contract rule fires beyond the teardown's.
      expect(report.results['EBPF_OPERATION_NOT_SUPPORTED']).to.be.greaterThan(0);
      const teardown = new Set(['irql.user-passive', 'epoch.callback-inside', 'epoch.outside']);
      const other = Object.keys(rules).filter((k) => profile === 'documented' || !teardown.has(k));
      expect(other).to.deep.equal([]);
    });
  }
});

describe('preprocess provider: an object map that frees in the deprecated delete (reference 6.14)', function () {
  this.timeout(120_000);

  /** CPU 0 inserts and deletes 4 keys (a 200 us spin after each free, under the lock); CPU 1 only finds them. */
  const hazard = (objectMap: boolean, seed = 4): Json => ({
    name: 'preprocess-retire-before-unlink', cpus: 2, seed,
    maps: { m: u32Map('preprocess', { objectMap, deleteSpinUs: 200 }) },
    threads: [{ cpu: 0, irql: 'PASSIVE', repeat: 4, ops: [0, 1, 2, 3].flatMap((key) => [update(key, key + 1), del(key)]) }],
    workload: { findPct: 100, updatePct: 0, deletePct: 0, keyRange: 4, opsPerCpu: 400, batchSize: 1, controlledOpsPerCpu: 400, irql: 'PASSIVE' },
  });
  const controlled = async (scenario: Json, profile: Profile): Promise<Record<string, number>> => {
    const plan = await compileScenario(scenario, 'test', process.cwd(), {});
    Object.assign(plan, { mode: 'controlled', strategy: 'random', switchEvery: 20, profile });
    return (await runOnce(plan, 'test')).rules;
  };

  // A seed per profile whose schedule reaches the free (the per-CPU epoch model of
  // ebpf-for-windows schedules its hops, so the same seed interleaves differently).
  const SEEDS: Record<Profile, number> = { documented: 4, 'ebpf-for-windows': 3 };
  for (const profile of PROFILES) {
    it(`scenarios 19 and 38: PRE_FREE runs the deprecated delete before unlink, so its epoch_free leaves a reachable object: a reader reads it freed (${profile})`, async () => {
      // Documented too: PRE_FREE is the deprecated callback's documented mode, so the hazard is the provider's (the real test provider's).
      const rules = await controlled(hazard(true, SEEDS[profile]), profile);
      expect(rules['memory.use-after-free'], JSON.stringify(rules)).to.equal(1);
      expect(rules['age.window']).to.be.greaterThan(0);
    });
  }

  it('scenarios 19 and 38: the same races on a plain-value preprocess map (the runtime retires after unlink) break no rule', async () => {
    expect(await controlled(hazard(false), 'documented')).to.deep.equal({});
  });
});

describe('preprocess provider and update option: bad input names the field', () => {
  const message = async (scenario: Json): Promise<string> => {
    try {
      await compileScenario(scenario, 'test.json', process.cwd(), {});
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };

  it('rejects malformed preprocess options, naming the map\'s options', async () => {
    expect(await message(oneThread(u32Map('preprocess', { validValues: [[5, 1]] }), [])))
      .to.equal('test.json: maps.m.options: preprocess provider: validValues must be a non-empty array of [min, max] pairs of u32 values, min <= max');
    expect(await message(oneThread(u32Map('preprocess', { objectMap: 'yes' }), [])))
      .to.equal('test.json: maps.m.options: preprocess provider: objectMap must be true or false');
    expect(await message(oneThread(u32Map('preprocess', { vetoKeys: ['hex:1'] }), [])))
      .to.equal('test.json: maps.m.options: preprocess provider: vetoKeys entry "hex:1" is not "hex:" and an even number of hex digits');
  });

  it('rejects an update option that is neither a name nor an integer in range', async () => {
    expect(await message(oneThread(u32Map('passthrough'), [update(1, 1, 'FOO')])))
      .to.equal('test.json: threads[0].ops[0].option: expected "ANY", "NOEXIST", "EXIST" or an integer from 0 to 2147483647, got "FOO"');
    expect(await message(oneThread(u32Map('passthrough'), [update(1, 1, -1)])))
      .to.equal('test.json: threads[0].ops[0].option: must be at least 0, got -1');
  });
});

describe('preprocess provider: what it registers', () => {
  const registered = (options: Json): { names: string[]; uov: boolean } => {
    const p = createPreprocess(options);
    return { names: Object.keys(p.dispatch).sort(), uov: p.properties.updatesOriginalValue };
  };
  const REQUIRED = ['postprocessMapDelete', 'preprocessMapAssociateProgramType', 'preprocessMapCreate'];

  it('by default: an object map with find, update and the deprecated delete, and no postprocess delete (helpers.h use_postprocess_delete=false)', () => {
    expect(registered({})).to.deep.equal({
      names: [...REQUIRED, 'postprocessMapFindElement', 'preprocessMapDeleteElement', 'preprocessMapUpdateElement'].sort(), uov: true,
    });
  });

  it('objectMap false, registerCrudApis false and noUpdateCallback change exactly what they name', () => {
    expect(registered({ objectMap: false }).uov).to.equal(false);
    expect(registered({ registerCrudApis: false }).names).to.deep.equal(REQUIRED);
    expect(registered({ noUpdateCallback: true }).names).to.deep.equal(
      [...REQUIRED, 'postprocessMapFindElement', 'preprocessMapDeleteElement'].sort());
  });
});

/**
 * Acceptance tests: the FULL provider callback sequence of single-thread
 * scenarios, under the documented contract (the seed header
 * ebpf_extension-custom-maps.txt and the [DOC] statements of
 * reference/ebpf-contract.md sections 1 and 4), on real worker threads.
 *
 * Every scenario runs end to end: CPU 0 creates the maps
 * (preprocess_map_create), DISPATCH threads load a program first
 * (preprocess_map_associate_program_type at PASSIVE per map), the thread runs,
 * teardown closes the handle (delete_map), and the epoch manager's system lane
 * runs the deferred cleanup: one delete callback with MAP_CLEANUP alone per
 * remaining entry, then postprocess_map_delete once. Each test asserts the
 * whole list, from create to postprocess_map_delete.
 *
 * Expectations follow the documented contract, not whatever the runtime does;
 * a mismatch is a runtime bug to report, not an expectation to adjust.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callbackSequence, opResults, runScenario, type TestRun } from '../support/run.js';
import type { TraceEvent } from '../../src/trace/decode.js';

// ---------------------------------------------------------------------------
// Expected callback strings ("name flags irql [result]", as callbackSequence prints them)
// ---------------------------------------------------------------------------

const CREATE = 'preprocess_map_create 0 PASSIVE SUCCESS';
const ASSOCIATE = 'preprocess_map_associate_program_type 0 PASSIVE SUCCESS';
const MAP_DELETE = 'postprocess_map_delete 0 PASSIVE';

/** User-mode preprocess update: flags 0 (UPDATE is never set here), PASSIVE. */
const PRE_UPDATE = 'preprocess_map_update_element 0 PASSIVE SUCCESS';
/** Helper preprocess update on a non-object map: HELPER, DISPATCH. */
const PRE_UPDATE_HELPER = 'preprocess_map_update_element HELPER DISPATCH SUCCESS';

const FIND = 'postprocess_map_find_element 0 PASSIVE SUCCESS';
const FIND_HELPER = 'postprocess_map_find_element HELPER DISPATCH SUCCESS';

/** Explicit user delete (or lookup-and-delete): flags 0, PASSIVE. */
const DELETE = 'postprocess_map_delete_element 0 PASSIVE';
const DELETE_HELPER = 'postprocess_map_delete_element HELPER DISPATCH';
/** Replace (old value) or undo (new value) of a user update: UPDATE, PASSIVE. */
const DELETE_UPDATE = 'postprocess_map_delete_element UPDATE PASSIVE';
const DELETE_UPDATE_HELPER = 'postprocess_map_delete_element HELPER|UPDATE DISPATCH';
/** Map cleanup: MAP_CLEANUP alone; CustomMaps.md's IRQL table says PASSIVE. */
const CLEANUP = 'postprocess_map_delete_element MAP_CLEANUP PASSIVE';

const times = (n: number, s: string): string[] => Array.from({ length: n }, () => s);

// ---------------------------------------------------------------------------
// Scenario builders
// ---------------------------------------------------------------------------

type Op = Record<string, unknown>;

const u32Map = (provider: string, maxEntries = 16, options: Record<string, unknown> = {}) =>
  ({ provider, keySize: 4, valueSize: 4, maxEntries, options });

/** One CPU, one thread on CPU 0 at `irql`, running `ops` against map `m`. */
function oneThread(map: Record<string, unknown>, irql: 'PASSIVE' | 'DISPATCH', ops: Op[],
  extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'callback-sequence', cpus: 1, maps: { m: map }, threads: [{ cpu: 0, irql, ops }], ...extra };
}

const user = (map: Record<string, unknown>, ops: Op[], extra: Record<string, unknown> = {}) =>
  oneThread(map, 'PASSIVE', ops, extra);
const program = (map: Record<string, unknown>, ops: Op[], extra: Record<string, unknown> = {}) =>
  oneThread(map, 'DISPATCH', ops, extra);

/**
 * A workload that never runs (CPU 0 has an explicit thread) but whose prefill
 * inserts keys 0..count-1 from user mode during setup, right after create:
 * the deterministic way to give a DISPATCH-only scenario entries in an
 * object map, whose helper updates are blocked.
 */
const prefill = (count: number) => ({
  workload: { findPct: 100, updatePct: 0, deletePct: 0, keyRange: count, opsPerCpu: 1, batchSize: 1, prefill: count },
});

const update = (key: unknown, value: unknown, option?: string): Op =>
  ({ op: 'update', map: 'm', key, value, ...(option ? { option } : {}) });
const find = (key: unknown, add?: number): Op => ({ op: 'find', map: 'm', key, ...(add ? { add } : {}) });
const del = (key: unknown): Op => ({ op: 'delete', map: 'm', key });
const findAndDelete = (key: unknown): Op => ({ op: 'find_and_delete', map: 'm', key });

/** Little-endian hex of a u32 key, as the trace prints keys. */
const keyHex = (k: number): string => Buffer.from(new Uint32Array([k]).buffer).toString('hex');

/**
 * op_end results, as opResults prints them, checked per lane: the CPUs' ops
 * in order, and the system lane's map_cleanup separately. The cleanup work
 * item may run as soon as the handle's reference drops, so its op_end can
 * land before or after the op_end of the delete_map that scheduled it: that
 * interleaving is a race of the trace, not part of the contract.
 */
function expectOpResults(events: TraceEvent[], expected: string[]): void {
  const isCleanup = (s: string): boolean => s.startsWith('map_cleanup ');
  expect(opResults(events.filter((e) => e.cpu !== -1)), 'op results on the CPUs').to.deep.equal(expected.filter((s) => !isCleanup(s)));
  expect(opResults(events.filter((e) => e.cpu === -1)), 'op results on the system lane').to.deep.equal(expected.filter(isCleanup));
}

const callbackEvents = (events: TraceEvent[], name: string): TraceEvent[] => events.filter((e) => e.event === name);

const CALLBACK_NAMES = new Set([
  'preprocess_map_create', 'postprocess_map_delete', 'postprocess_map_find_element', 'preprocess_map_update_element',
  'preprocess_map_delete_element', 'postprocess_map_delete_element', 'preprocess_map_associate_program_type',
]);

/**
 * The documented context of every callback in a run: epoch-protected ("Provider
 * dispatch function invocations ... already are epoch-protected", seed header),
 * and no bucket lock held, except the deprecated preprocess delete of an
 * explicit delete, which runs before removal under the bucket lock.
 */
function expectDocumentedContexts(events: TraceEvent[]): void {
  for (const e of events.filter((x) => CALLBACK_NAMES.has(x.event))) {
    const flags = e['flags'] as string[];
    const where = `${e.event} [${flags.join('|')}] at seq ${e.seq}`;
    expect(e['inEpoch'], `${where}: inEpoch`).to.equal(true);
    const explicitPreDelete = e.event === 'preprocess_map_delete_element'
      && !flags.includes('EBPF_MAP_OPERATION_UPDATE') && !flags.includes('EBPF_MAP_OPERATION_MAP_CLEANUP');
    expect(e['bucketLockHeld'], `${where}: bucketLockHeld`).to.equal(explicitPreDelete);
  }
}

/** The verdict must be pass (on failure, show the violations), and every callback ran in its documented context. */
function expectPass(run: TestRun): void {
  expect(run.report.verdict, JSON.stringify(run.report.violations)).to.equal('pass');
  expectDocumentedContexts(run.events);
}

// ---------------------------------------------------------------------------
// A test provider module (written to a temp dir): only the ProviderContext API
// ---------------------------------------------------------------------------

/**
 * A non-object provider whose shape is chosen by options:
 * - deleteCallbacks: 'post' (default) | 'pre' | 'both' | 'neither'
 * - createResult: what preprocessMapCreate returns (default 0 = SUCCESS)
 * - createSetsContext: whether preprocessMapCreate writes a map context even
 *   when it fails (default true). The context is a 64-byte cache-aligned
 *   epoch block, freed in postprocessMapDelete.
 * - findFailValue: postprocessMapFindElement returns OPERATION_NOT_SUPPORTED
 *   (18) when the stored value, read as a u32, equals it: makes the stored
 *   value observable through a find's result.
 */
const PROBE_PROVIDER_SOURCE = `
const SUCCESS = 0;
const OPERATION_NOT_SUPPORTED = 18;
const CONTEXT_BYTES = 64;
const TAG = 0x62507454; // 'TtPb'

export function createProvider(options) {
  const deleteCallbacks = options.deleteCallbacks ?? 'post';
  const createResult = options.createResult ?? SUCCESS;
  const createSetsContext = options.createSetsContext ?? true;
  const findFailValue = options.findFailValue;
  const dispatch = {
    preprocessMapCreate(ctx, _type, keySize, valueSize, _maxEntries, out) {
      out.actualValueSize = valueSize;
      if (createResult === SUCCESS || createSetsContext) {
        const context = ctx.epoch.allocateCacheAlignedWithTag(CONTEXT_BYTES, TAG);
        if (context === 0) return 12;
        ctx.mem.fill(context, 0, CONTEXT_BYTES);
        out.mapContext = context;
      }
      return keySize === 0 ? 6 : createResult;
    },
    postprocessMapDelete(ctx, mapContext) {
      if (mapContext !== 0) ctx.epoch.freeCacheAligned(mapContext);
    },
    preprocessMapAssociateProgramType() {
      return SUCCESS;
    },
    postprocessMapFindElement(ctx, _mapContext, _keySize, _key, inValueSize, inValue) {
      if (findFailValue === undefined || inValue === 0 || inValueSize < 4) return SUCCESS;
      return ctx.mem.readU32(inValue) === (findFailValue >>> 0) ? OPERATION_NOT_SUPPORTED : SUCCESS;
    },
    preprocessMapUpdateElement() {
      return SUCCESS;
    },
  };
  if (deleteCallbacks === 'post' || deleteCallbacks === 'both') dispatch.postprocessMapDeleteElement = () => {};
  if (deleteCallbacks === 'pre' || deleteCallbacks === 'both') dispatch.preprocessMapDeleteElement = () => SUCCESS;
  return { name: 'probe', properties: { updatesOriginalValue: false }, dispatch };
}
`;

let tmp = '';
let probePath = '';

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'epochlab-callback-sequences-'));
  probePath = join(tmp, 'probe-provider.mjs');
  writeFileSync(probePath, PROBE_PROVIDER_SOURCE);
});
after(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

const probeMap = (options: Record<string, unknown>, maxEntries = 16) =>
  ({ provider: probePath, keySize: 4, valueSize: 4, maxEntries, options });

// ---------------------------------------------------------------------------
// User-mode updates
// ---------------------------------------------------------------------------

describe('callback sequences: user-mode update', function () {
  this.timeout(60_000);

  for (const provider of ['passthrough', 'object']) {
    it(`an insert of a new key (${provider}) calls preprocess update once and no delete callback`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10)]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        CLEANUP,
        MAP_DELETE,
      ]);
      expectOpResults(run.events, ['create SUCCESS', 'update SUCCESS', 'delete_map SUCCESS', 'map_cleanup SUCCESS']);
      expectPass(run);
    });

    it(`a replace (${provider}) calls preprocess update, then one delete callback for the OLD value with UPDATE`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10), update(1, 20)]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        PRE_UPDATE,
        DELETE_UPDATE,
        CLEANUP,
        MAP_DELETE,
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      // The replace callback gets the displaced stored value, not the one that stays in the map.
      const [replaced] = callbackEvents(run.events, 'postprocess_map_delete_element')
        .filter((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_UPDATE'));
      const [cleaned] = callbackEvents(run.events, 'postprocess_map_delete_element')
        .filter((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_MAP_CLEANUP'));
      expect(replaced?.['key']).to.equal(keyHex(1));
      expect(replaced?.['value']).to.be.a('number').and.not.equal(cleaned?.['value']);
      expect(replaced?.['bucketLockHeld']).to.equal(false);
      // ... and it runs after the core update: after the bucket lock was released.
      const unlock = run.events.filter((e) => e.cpu === 0 && e.event === 'bucket_unlock' && e.seq < (replaced?.seq ?? 0)).pop();
      expect(unlock, 'a bucket_unlock before the replace callback').to.not.equal(undefined);
      expectPass(run);
    });

    it(`an insert into a full map (${provider}) fails with OUT_OF_SPACE and undoes the preprocess with one UPDATE delete callback`, async () => {
      const run = await runScenario(user(u32Map(provider, 2), [update(1, 10), update(2, 20), update(3, 30)]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        PRE_UPDATE,
        PRE_UPDATE,
        DELETE_UPDATE, // undo of the new value
        ...times(2, CLEANUP),
        MAP_DELETE,
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'update OUT_OF_SPACE', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      const undo = callbackEvents(run.events, 'postprocess_map_delete_element')
        .find((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_UPDATE'));
      expect(undo?.['key']).to.equal(keyHex(3));
      expectPass(run);
    });
  }

  it('a replace in a full map still succeeds with one UPDATE delete callback for the old value', async () => {
    const run = await runScenario(user(u32Map('passthrough', 2), [update(1, 10), update(2, 20), update(1, 11, 'EXIST')]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      PRE_UPDATE,
      PRE_UPDATE,
      PRE_UPDATE,
      DELETE_UPDATE,
      ...times(2, CLEANUP),
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  for (const provider of ['passthrough', 'object']) {
    it(`NOEXIST on an existing key (${provider}) fails with OBJECT_ALREADY_EXISTS and undoes the NEW value with UPDATE`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10), update(1, 20, 'NOEXIST')]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        PRE_UPDATE,
        DELETE_UPDATE, // undo: the new value, not the stored one
        CLEANUP,
        MAP_DELETE,
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'update OBJECT_ALREADY_EXISTS', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      // The undo names the caller's new value; the stored value is still there and is cleaned up later.
      const deletes = callbackEvents(run.events, 'postprocess_map_delete_element');
      const undo = deletes.find((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_UPDATE'));
      const cleaned = deletes.find((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_MAP_CLEANUP'));
      expect(undo?.['value']).to.be.a('number').and.not.equal(cleaned?.['value']);
      expectPass(run);
    });

    it(`EXIST on a missing key (${provider}) fails with KEY_NOT_FOUND and undoes the new value with UPDATE`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10, 'EXIST')]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        DELETE_UPDATE, // undo
        MAP_DELETE, // the map is empty: no MAP_CLEANUP callback
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update KEY_NOT_FOUND', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      expectPass(run);
    });
  }

  it('a failing preprocess update is returned as is, with no core update, no undo and no replace callback', async () => {
    const map = u32Map('passthrough', 16, { failUpdateValue: 13 });
    const run = await runScenario(user(map, [update(1, 10), update(1, 13), update(2, 13), find(2)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      PRE_UPDATE,
      'preprocess_map_update_element 0 PASSIVE INVALID_ARGUMENT', // replace attempt: no delete callback follows
      'preprocess_map_update_element 0 PASSIVE INVALID_ARGUMENT', // insert attempt: no undo follows
      CLEANUP, // only key 1 is left
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'update INVALID_ARGUMENT', 'update INVALID_ARGUMENT', 'find OBJECT_NOT_FOUND',
      'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });
});

// ---------------------------------------------------------------------------
// User-mode delete and lookup
// ---------------------------------------------------------------------------

describe('callback sequences: user-mode delete and lookup', function () {
  this.timeout(60_000);

  for (const provider of ['passthrough', 'object']) {
    it(`a delete (${provider}) calls postprocess delete once with flags 0, after the entry is removed`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10), del(1), find(1)]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        DELETE,
        MAP_DELETE, // nothing left to clean up
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'delete SUCCESS', 'find OBJECT_NOT_FOUND', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      expectPass(run);
    });
  }

  it('postprocess delete after a user delete runs at PASSIVE, in an epoch, after the bucket lock is released', async () => {
    const run = await runScenario(user(u32Map('passthrough'), [update(1, 10), del(1)]));
    const [cb] = callbackEvents(run.events, 'postprocess_map_delete_element');
    expect(cb).to.not.equal(undefined);
    const e = cb as TraceEvent;
    expect(e.cpu).to.equal(0);
    expect(e.irql).to.equal('PASSIVE');
    expect(e['flags']).to.deep.equal([]);
    expect(e['key']).to.equal(keyHex(1));
    expect(e['inEpoch']).to.equal(true);
    expect(e['bucketLockHeld']).to.equal(false);
    // Within the delete op: the bucket was locked and unlocked before the callback ran.
    const begin = run.events.find((x) => x.event === 'op_begin' && x['op'] === 'delete');
    const end = run.events.find((x) => x.event === 'op_end' && x['op'] === 'delete');
    const inOp = run.events.filter((x) => x.cpu === 0 && x.seq > (begin?.seq ?? 0) && x.seq < (end?.seq ?? 0));
    const kinds = inOp.filter((x) => ['bucket_lock', 'bucket_unlock', 'postprocess_map_delete_element'].includes(x.event))
      .map((x) => x.event);
    expect(kinds).to.deep.equal(['bucket_lock', 'bucket_unlock', 'postprocess_map_delete_element']);
    expectPass(run);
  });

  it('a delete of a missing key returns KEY_NOT_FOUND with no callback', async () => {
    const run = await runScenario(user(u32Map('passthrough'), [del(1), update(2, 20), del(1)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      PRE_UPDATE,
      CLEANUP,
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'delete KEY_NOT_FOUND', 'update SUCCESS', 'delete KEY_NOT_FOUND', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  for (const provider of ['passthrough', 'object']) {
    it(`a user find (${provider}) calls postprocess find once with flags 0 at PASSIVE; a miss is OBJECT_NOT_FOUND with no callback`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10), find(1), find(2)]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        FIND,
        CLEANUP,
        MAP_DELETE,
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'find SUCCESS', 'find OBJECT_NOT_FOUND', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      expectPass(run);
    });

    it(`a user find_and_delete (${provider}) calls postprocess find, then one delete callback with flags 0`, async () => {
      const run = await runScenario(user(u32Map(provider), [update(1, 10), findAndDelete(1), findAndDelete(1), find(1)]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        FIND,
        DELETE,
        MAP_DELETE,
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'find_and_delete SUCCESS', 'find_and_delete OBJECT_NOT_FOUND', 'find OBJECT_NOT_FOUND',
        'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      expectPass(run);
    });
  }
});

// ---------------------------------------------------------------------------
// The deprecated preprocess delete (legacy provider)
// ---------------------------------------------------------------------------

describe('callback sequences: deprecated preprocess delete', function () {
  this.timeout(60_000);

  it('the deprecated preprocess delete runs under the bucket lock before removal, and its veto keeps the entry', async () => {
    const map = u32Map('legacy', 16, { vetoKeys: [2] });
    const run = await runScenario(user(map, [update(1, 1), update(2, 2), del(1), del(2), find(2), del(2)]));
    // Under the bucket lock (a spinlock) the callback runs at DISPATCH.
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      'preprocess_map_delete_element 0 DISPATCH SUCCESS', // key 1
      'preprocess_map_delete_element 0 DISPATCH OPERATION_NOT_SUPPORTED', // key 2: vetoed
      'preprocess_map_delete_element 0 DISPATCH OPERATION_NOT_SUPPORTED', // key 2 again: still there, vetoed again
      'preprocess_map_delete_element MAP_CLEANUP PASSIVE SUCCESS', // key 2 is cleaned up at map delete
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete SUCCESS', 'delete OPERATION_NOT_SUPPORTED',
      'find SUCCESS', 'delete OPERATION_NOT_SUPPORTED', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    const pre = callbackEvents(run.events, 'preprocess_map_delete_element');
    const explicit = pre.filter((e) => (e['flags'] as string[]).length === 0);
    expect(explicit.map((e) => e['key'])).to.deep.equal([keyHex(1), keyHex(2), keyHex(2)]);
    for (const e of explicit) {
      expect(e['bucketLockHeld'], `bucketLockHeld at seq ${e.seq}`).to.equal(true);
      expect(e['inEpoch']).to.equal(true);
    }
    // Before removal: the callback sits between the bucket's lock and unlock.
    for (const e of explicit) {
      const lock = run.events.filter((x) => x.cpu === e.cpu && x.event === 'bucket_lock' && x.seq < e.seq).pop();
      const unlock = run.events.find((x) => x.cpu === e.cpu && x.event === 'bucket_unlock' && x.seq > e.seq);
      expect(lock?.['bucket']).to.equal(unlock?.['bucket']);
      expect(run.events.some((x) => x.cpu === e.cpu && x.event === 'bucket_unlock' && x.seq > (lock?.seq ?? 0) && x.seq < e.seq))
        .to.equal(false);
    }
    const cleanup = pre.filter((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_MAP_CLEANUP'));
    expect(cleanup.map((e) => e['key'])).to.deep.equal([keyHex(2)]);
    expectPass(run);
  });

  it('a replace calls the deprecated preprocess delete for the old value with UPDATE, outside the lock, and is never vetoed', async () => {
    const map = u32Map('legacy', 16, { vetoKeys: [1] });
    const run = await runScenario(user(map, [update(1, 1), update(1, 2), del(1)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      'preprocess_map_delete_element UPDATE PASSIVE SUCCESS', // old value of key 1 (must not fail under UPDATE)
      'preprocess_map_delete_element 0 DISPATCH OPERATION_NOT_SUPPORTED', // explicit delete of key 1: vetoed
      'preprocess_map_delete_element MAP_CLEANUP PASSIVE SUCCESS',
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete OPERATION_NOT_SUPPORTED', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  it('with no preprocess update registered, a failed insert has no preprocess to undo and calls no delete callback', async () => {
    // Documented: the undo follows a SUCCESSFUL preprocess update (seed header, preprocess update note).
    // (The built runtime also undoes without a preprocess: reference 6.3; the documented profile does not.)
    const run = await runScenario(user(u32Map('legacy', 1), [update(1, 1), update(2, 2), update(1, 3, 'NOEXIST')]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      'preprocess_map_delete_element MAP_CLEANUP PASSIVE SUCCESS',
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'update OUT_OF_SPACE', 'update OBJECT_ALREADY_EXISTS', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });
});

// ---------------------------------------------------------------------------
// Helper calls (DISPATCH thread: a program)
// ---------------------------------------------------------------------------

describe('callback sequences: helper calls from a program', function () {
  this.timeout(60_000);

  it('a helper find (passthrough) calls postprocess find with HELPER at DISPATCH; a miss is OBJECT_NOT_FOUND with no callback', async () => {
    const run = await runScenario(program(u32Map('passthrough'), [update(1, 10), find(1), find(2)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      ASSOCIATE,
      PRE_UPDATE_HELPER,
      FIND_HELPER,
      CLEANUP,
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'associate_program_type SUCCESS', 'update SUCCESS', 'find SUCCESS', 'find OBJECT_NOT_FOUND',
      'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  it('helper replace, delete and find_and_delete (passthrough) carry HELPER at DISPATCH', async () => {
    const run = await runScenario(program(u32Map('passthrough'), [
      { op: 'batch', ops: [update(1, 10), update(1, 11), update(2, 20), del(1), findAndDelete(2), del(3)] },
    ]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      ASSOCIATE,
      PRE_UPDATE_HELPER, // insert 1
      PRE_UPDATE_HELPER, // replace 1
      DELETE_UPDATE_HELPER, // old value of 1
      PRE_UPDATE_HELPER, // insert 2
      DELETE_HELPER, // delete 1
      FIND_HELPER, // find_and_delete 2: find first
      DELETE_HELPER, // ... then delete
      MAP_DELETE, // empty map
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'associate_program_type SUCCESS',
      'update SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete SUCCESS', 'find_and_delete SUCCESS', 'delete KEY_NOT_FOUND',
      'batch SUCCESS', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  it('a helper find (object) is blocked with OPERATION_NOT_SUPPORTED and calls no callback', async () => {
    const run = await runScenario(program(u32Map('object'), [find(0), find(7)], prefill(1)));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      PRE_UPDATE, // prefill of key 0 from user mode, at setup
      ASSOCIATE,
      CLEANUP, // key 0 is still there
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'associate_program_type SUCCESS',
      'find OPERATION_NOT_SUPPORTED', 'find OPERATION_NOT_SUPPORTED', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  it('helper CRUD on an object map returns OPERATION_NOT_SUPPORTED with no callbacks and leaves the entry in place', async () => {
    const run = await runScenario(program(u32Map('object'), [
      { op: 'batch', ops: [find(0), update(0, 5), update(9, 5), update(0, 5, 'NOEXIST'), del(0), findAndDelete(0), del(9)] },
    ], prefill(1)));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      PRE_UPDATE, // prefill of key 0 from user mode
      ASSOCIATE,
      CLEANUP, // key 0 survived every blocked helper call
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'update SUCCESS', 'associate_program_type SUCCESS',
      'find OPERATION_NOT_SUPPORTED', 'update OPERATION_NOT_SUPPORTED', 'update OPERATION_NOT_SUPPORTED',
      'update OPERATION_NOT_SUPPORTED', 'delete OPERATION_NOT_SUPPORTED', 'find_and_delete OPERATION_NOT_SUPPORTED',
      'delete OPERATION_NOT_SUPPORTED',
      'batch SUCCESS', 'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    const cleaned = callbackEvents(run.events, 'postprocess_map_delete_element');
    expect(cleaned.map((e) => e['key'])).to.deep.equal([keyHex(0)]);
    expectPass(run);
  });

  it('a helper find with add changes the stored value in place: a later helper find sees it', async () => {
    // The probe provider's find fails with OPERATION_NOT_SUPPORTED when the stored value is 12 = 7 + 5.
    const run = await runScenario(program(probeMap({ findFailValue: 12 }), [update(1, 7), find(1, 5), find(1)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      ASSOCIATE,
      PRE_UPDATE_HELPER,
      FIND_HELPER, // sees 7, then the program adds 5 in place
      'postprocess_map_find_element HELPER DISPATCH OPERATION_NOT_SUPPORTED', // a later invocation sees 12
      CLEANUP,
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'associate_program_type SUCCESS', 'update SUCCESS', 'find SUCCESS', 'find OPERATION_NOT_SUPPORTED',
      'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  it('a helper find without add leaves the stored value unchanged (control for the in-place write)', async () => {
    const run = await runScenario(program(probeMap({ findFailValue: 12 }), [update(1, 7), find(1), find(1)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      ASSOCIATE,
      PRE_UPDATE_HELPER,
      FIND_HELPER,
      FIND_HELPER,
      CLEANUP,
      MAP_DELETE,
    ]);
    expectOpResults(run.events, [
      'create SUCCESS', 'associate_program_type SUCCESS', 'update SUCCESS', 'find SUCCESS', 'find SUCCESS',
      'delete_map SUCCESS', 'map_cleanup SUCCESS',
    ]);
    expectPass(run);
  });

  it('a helper find with add changes the stored value in place: a later user-mode find sees it', async () => {
    // CPU 0 runs the program at once; CPU 1 (PASSIVE) waits 300 ms, then looks the key up from user mode.
    const run = await runScenario({
      name: 'in-place-add-user-find', cpus: 2, stallEpochs: 1_000_000_000,
      maps: { m: probeMap({ findFailValue: 12 }) },
      threads: [
        { cpu: 0, irql: 'DISPATCH', ops: [update(1, 7), find(1, 5)] },
        { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'stall', ms: 300 }, find(1)] },
      ],
    });
    const helperFindEnd = run.events.find((e) => e.event === 'op_end' && e['op'] === 'find' && e.cpu === 0);
    const userFindBegin = run.events.find((e) => e.event === 'op_begin' && e['op'] === 'find' && e.cpu === 1);
    expect(helperFindEnd!.seq, 'the stall must order the user find after the helper find').to.be.below(userFindBegin!.seq);
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      ASSOCIATE,
      PRE_UPDATE_HELPER,
      FIND_HELPER, // sees 7; the program adds 5
      'postprocess_map_find_element 0 PASSIVE OPERATION_NOT_SUPPORTED', // the user find sees 12
      CLEANUP,
      MAP_DELETE,
    ]);
    expectPass(run);
  });
});

// ---------------------------------------------------------------------------
// Map delete
// ---------------------------------------------------------------------------

describe('callback sequences: map delete', function () {
  this.timeout(60_000);

  for (const provider of ['passthrough', 'object']) {
    it(`a map deleted with entries (${provider}) gets one MAP_CLEANUP delete callback per entry, then postprocess_map_delete once`, async () => {
      const run = await runScenario(user(u32Map(provider), [
        update(1, 10), update(2, 20), update(3, 30), del(2), { op: 'delete_map', map: 'm' },
      ]));
      expect(callbackSequence(run.events)).to.deep.equal([
        CREATE,
        PRE_UPDATE,
        PRE_UPDATE,
        PRE_UPDATE,
        DELETE,
        ...times(2, CLEANUP),
        MAP_DELETE,
      ]);
      expectOpResults(run.events, [
        'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete SUCCESS',
        'delete_map SUCCESS', 'map_cleanup SUCCESS',
      ]);
      const cleanup = callbackEvents(run.events, 'postprocess_map_delete_element')
        .filter((e) => (e['flags'] as string[]).includes('EBPF_MAP_OPERATION_MAP_CLEANUP'));
      // Hash order is unspecified: compare the keys as a set. MAP_CLEANUP is alone in the flags.
      expect(cleanup.map((e) => e['key']).sort()).to.deep.equal([keyHex(1), keyHex(3)].sort());
      for (const e of cleanup) expect(e['flags']).to.deep.equal(['EBPF_MAP_OPERATION_MAP_CLEANUP']);
      // The deferred cleanup runs on the system lane, after the handle is closed, and map delete comes last.
      const closed = run.events.find((e) => e.event === 'op_begin' && e['op'] === 'delete_map');
      const mapDelete = callbackEvents(run.events, 'postprocess_map_delete');
      expect(mapDelete).to.have.length(1);
      for (const e of [...cleanup, ...mapDelete]) {
        expect(e.cpu).to.equal(-1);
        expect(e.seq).to.be.above(closed!.seq);
      }
      expect(Math.max(...cleanup.map((e) => e.seq))).to.be.below(mapDelete[0]!.seq);
      expectPass(run);
    });
  }
});

// ---------------------------------------------------------------------------
// Create failures
// ---------------------------------------------------------------------------

describe('callback sequences: create failures', function () {
  this.timeout(60_000);

  /** A scenario whose only map fails to create; the thread has nothing to do. */
  const failing = (map: Record<string, unknown>) => user(map, []);

  it('a provider registering both delete callbacks fails create with EXTENSION_FAILED_TO_LOAD and no callback', async () => {
    const run = await runScenario(failing(probeMap({ deleteCallbacks: 'both' })));
    expect(callbackSequence(run.events)).to.deep.equal([]);
    expectOpResults(run.events, ['create EXTENSION_FAILED_TO_LOAD']);
    expect(run.report.maps['m']).to.equal('EBPF_EXTENSION_FAILED_TO_LOAD');
    expectPass(run);
  });

  it('a provider registering neither delete callback (minimal) fails create with EXTENSION_FAILED_TO_LOAD and no callback', async () => {
    const run = await runScenario(failing(u32Map('minimal')));
    expect(callbackSequence(run.events)).to.deep.equal([]);
    expectOpResults(run.events, ['create EXTENSION_FAILED_TO_LOAD']);
    expect(run.report.maps['m']).to.equal('EBPF_EXTENSION_FAILED_TO_LOAD');
    expectPass(run);
  });

  it('a failing preprocess create that set a map context gets postprocess_map_delete, and create returns EXTENSION_FAILED_TO_LOAD', async () => {
    const run = await runScenario(failing(probeMap({ createResult: 6, createSetsContext: true })));
    expect(callbackSequence(run.events)).to.deep.equal([
      'preprocess_map_create 0 PASSIVE INVALID_ARGUMENT',
      MAP_DELETE,
    ]);
    expectOpResults(run.events, ['create EXTENSION_FAILED_TO_LOAD']);
    expect(run.report.maps['m']).to.equal('EBPF_EXTENSION_FAILED_TO_LOAD');
    // The undo runs on the creating CPU, within the create.
    const [mapDelete] = callbackEvents(run.events, 'postprocess_map_delete');
    expect(mapDelete?.cpu).to.equal(0);
    expect(mapDelete?.['inEpoch']).to.equal(true);
    expectPass(run); // the context was freed: no memory.leak
  });

  it('a failing preprocess create that set no map context gets no postprocess_map_delete', async () => {
    const run = await runScenario(failing(probeMap({ createResult: 6, createSetsContext: false })));
    expect(callbackSequence(run.events)).to.deep.equal([
      'preprocess_map_create 0 PASSIVE INVALID_ARGUMENT',
    ]);
    expectOpResults(run.events, ['create EXTENSION_FAILED_TO_LOAD']);
    expectPass(run);
  });

  it('any preprocess create error (here NO_MEMORY) surfaces as EXTENSION_FAILED_TO_LOAD', async () => {
    const run = await runScenario(failing(probeMap({ createResult: 12, createSetsContext: true })));
    expect(callbackSequence(run.events)).to.deep.equal([
      'preprocess_map_create 0 PASSIVE NO_MEMORY',
      MAP_DELETE,
    ]);
    expectOpResults(run.events, ['create EXTENSION_FAILED_TO_LOAD']);
    expectPass(run);
  });

  it('the probe provider with one delete callback creates normally (control for the failure cases)', async () => {
    const run = await runScenario(user(probeMap({}), [update(1, 1)]));
    expect(callbackSequence(run.events)).to.deep.equal([
      CREATE,
      PRE_UPDATE,
      CLEANUP,
      MAP_DELETE,
    ]);
    expectOpResults(run.events, ['create SUCCESS', 'update SUCCESS', 'delete_map SUCCESS', 'map_cleanup SUCCESS']);
    expectPass(run);
  });
});

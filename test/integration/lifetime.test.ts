/**
 * Provider and map lifetime (reference 1.1-1.4, 1.8, 2.6 and 4 scenarios 1,
 * 2, 36, 41, 43, 44, 50), on real worker threads, in both profiles where the
 * scenario applies. Each test asserts the whole callback sequence of the map
 * (name, flags, IRQL, result), the operations' result codes, and what the
 * checker says: nothing under `documented`; under `ebpf-for-windows` only the
 * departures the profile is known for (postprocess_map_delete and MAP_CLEANUP
 * outside any epoch, cleanup at DISPATCH), named per test.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { MemorySink } from '../../src/trace/jsonl.js';
import { BadInput } from '../../src/contract/bad-input.js';
import { ContractChecker } from '../../src/check/checker.js';
import { createRules } from '../../src/check/rules/index.js';
import type { RunPlan } from '../../src/runtime/plan.js';
import type { RunReport } from '../../src/runtime/report.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import { callbackSequence, opResults } from '../support/run.js';
import { runFile } from '../support/cli-run.js';

type Profile = 'documented' | 'ebpf-for-windows';
const PROFILES: readonly Profile[] = ['documented', 'ebpf-for-windows'];

interface Run {
  report: RunReport;
  events: TraceEvent[];
  /** Violations by rule: the checker's and the runtime's (the watchdog's too). */
  rules: Record<string, number>;
  /** Each violation's rule and message. */
  messages: Array<{ rule: string; message: string }>;
}

/** Compiles and runs `scenario` under `profile` (controlled round-robin when `controlled`), with the checker's counts. */
async function run(scenario: Record<string, unknown>, profile: Profile, controlled = false): Promise<Run> {
  const plan: RunPlan = await compileScenario(scenario, 'test.json', process.cwd(), {});
  plan.profile = profile;
  if (controlled) {
    plan.mode = 'controlled';
    plan.strategy = 'round-robin';
  }
  const sink = new MemorySink();
  const checker = new ContractChecker(createRules(), { rerun: 'test' });
  const report = await runPlan(plan, { sinks: [sink, checker] });
  checker.close();
  const summary = checker.summary();
  const rules: Record<string, number> = { ...summary.byRule };
  const messages = summary.reports.map((v) => ({ rule: v.rule, message: v.message }));
  for (const v of report.violations.filter((x) => x.seq === 0)) {
    rules[v.rule] = (rules[v.rule] ?? 0) + 1;
    messages.push({ rule: v.rule, message: v.message });
  }
  return { report, events: sink.events, rules, messages };
}

const u32Map = (extra: Record<string, unknown> = {}) => ({ provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 16, ...extra });
const update = (key: number, value: number) => ({ op: 'update', map: 'm', key, value });
const find = (key: number) => ({ op: 'find', map: 'm', key });
const passive = (cpu: number, ops: unknown[], extra: Record<string, unknown> = {}) => ({ cpu, irql: 'PASSIVE', ops, ...extra });

const CREATE = 'preprocess_map_create 0 PASSIVE SUCCESS';
const PRE_UPDATE = 'preprocess_map_update_element 0 PASSIVE SUCCESS';
const FIND = 'postprocess_map_find_element 0 PASSIVE SUCCESS';
const MAP_DELETE = 'postprocess_map_delete 0 PASSIVE';
/** MAP_CLEANUP: PASSIVE documented (CustomMaps.md), DISPATCH under the map's spinlock as built (reference 1.8). */
const cleanup = (p: Profile) => `postprocess_map_delete_element MAP_CLEANUP ${p === 'documented' ? 'PASSIVE' : 'DISPATCH'}`;
/** An explicit user delete: PASSIVE after unlock documented; DISPATCH under the bucket lock as built (PRE_FREE, reference 1.7). */
const userDelete = (p: Profile) => `postprocess_map_delete_element 0 ${p === 'documented' ? 'PASSIVE' : 'DISPATCH'}`;

/** Rules each profile may report for a run that deletes a map: none documented; as built, the map delete's departures. */
function expectDepartures(r: Run, p: Profile, asBuilt: string[]): void {
  const fired = Object.keys(r.rules).sort();
  expect(fired, JSON.stringify(r.messages.slice(0, 3))).to.deep.equal(p === 'documented' ? [] : [...asBuilt].sort());
}

const event = (r: Run, pred: (e: TraceEvent) => boolean): TraceEvent => {
  const e = r.events.find(pred);
  expect(e, 'event not found').to.not.equal(undefined);
  return e!;
};
const opEvent = (r: Run, kind: 'op_begin' | 'op_end', op: string, cpu?: number) =>
  event(r, (e) => e.event === kind && e['op'] === op && (cpu === undefined || e.cpu === cpu));

describe('integration: provider and map lifetime', function () {
  this.timeout(120_000);

  for (const p of PROFILES) {
    it(`scenario 1: create with no provider registered for the type is EXTENSION_FAILED_TO_LOAD, no callbacks (${p})`, async () => {
      const r = await run({ cpus: 1, maps: { m: u32Map({ mapType: 16 }) }, threads: [passive(0, [update(1, 1), find(1)])] }, p);
      expect(r.report.maps).to.deep.equal({ m: 'EBPF_EXTENSION_FAILED_TO_LOAD' });
      expect(callbackSequence(r.events)).to.deep.equal([]);
      expect(opResults(r.events)).to.deep.equal(['create EXTENSION_FAILED_TO_LOAD', 'update INVALID_OBJECT', 'find INVALID_OBJECT']);
      expectDepartures(r, p, []);
    });

    it(`scenario 2: create with a type >= BPF_MAP_TYPE_MAX (0xFFFC) is INVALID_ARGUMENT before any provider lookup (${p})`, async () => {
      // The second map's provider would fail its attach (neither delete callback is refused documented,
      // and a failing preprocess_map_create would give EXTENSION_FAILED_TO_LOAD): the type check comes first.
      const r = await run({
        cpus: 1,
        maps: { m: u32Map({ mapType: 0xfffc }), n: { provider: 'minimal', keySize: 4, valueSize: 4, maxEntries: 16, mapType: 17 } },
        threads: [passive(0, [update(1, 1)])],
      }, p);
      expect(r.report.maps).to.deep.equal({ m: 'EBPF_INVALID_ARGUMENT', n: 'EBPF_INVALID_ARGUMENT' });
      expect(callbackSequence(r.events)).to.deep.equal([]);
      expect(opResults(r.events)).to.deep.equal(['create INVALID_ARGUMENT', 'create INVALID_ARGUMENT', 'update INVALID_OBJECT']);
      expectDepartures(r, p, []);
    });

    it(`scenario 36: a program of a type the provider refuses fails to load (associate OPERATION_NOT_SUPPORTED) and runs nothing (${p})`, async () => {
      const objectMap = { provider: 'object', keySize: 4, valueSize: 4, maxEntries: 16, options: { rejectProgramTypes: ['cgroup_sock_addr'] } };
      const r = await run({
        cpus: 2, maps: { m: objectMap },
        threads: [
          { cpu: 0, irql: 'DISPATCH', programType: 'cgroup_sock_addr', ops: [find(1)] },
          { cpu: 1, irql: 'DISPATCH', ops: [find(1)] }, // the default program type, "sample", loads
        ],
      }, p);
      expect(r.report.programLoadFailures).to.deep.equal(['cpu 0: EBPF_OPERATION_NOT_SUPPORTED']);
      const onCpu = (cpu: number) => r.events.filter((e) => e.cpu === cpu);
      expect(opResults(onCpu(0))).to.deep.equal(['create SUCCESS', 'associate_program_type OPERATION_NOT_SUPPORTED', 'delete_map SUCCESS']);
      expect(callbackSequence(onCpu(0))).to.deep.equal([CREATE, 'preprocess_map_associate_program_type 0 PASSIVE OPERATION_NOT_SUPPORTED']);
      // CPU 1's program loads and its find runs (blocked on an object map, reference 1.10), with no callback.
      expect(opResults(onCpu(1))).to.deep.equal(['associate_program_type SUCCESS', 'find OPERATION_NOT_SUPPORTED']);
      expect(callbackSequence(onCpu(1))).to.deep.equal(['preprocess_map_associate_program_type 0 PASSIVE SUCCESS']);
      expect(callbackSequence(onCpu(-1))).to.deep.equal([MAP_DELETE]);
      expectDepartures(r, p, ['epoch.callback-inside', 'epoch.outside']);
    });

    it(`scenario 44: create failing after the custom map was made (name allocation) calls postprocess_map_delete inside the caller's epoch, NO_MEMORY (${p})`, async () => {
      const r = await run({
        cpus: 1, maps: { m: u32Map(), k: u32Map() }, faults: { nameAllocFail: ['m'] },
        threads: [passive(0, [update(1, 1), { op: 'update', map: 'k', key: 1, value: 1 }])],
      }, p);
      expect(r.report.maps).to.deep.equal({ m: 'EBPF_NO_MEMORY', k: 'EBPF_SUCCESS' });
      // As built too (reference 1.2 step 7, 1.3): synchronous, PASSIVE, in the create's epoch; the table is empty, so no cleanup callback.
      expect(callbackSequence(r.events, { map: 'm' })).to.deep.equal([CREATE, MAP_DELETE]);
      const mapDelete = event(r, (e) => e.event === 'postprocess_map_delete' && e['map'] === 'm');
      expect(mapDelete.cpu).to.equal(0);
      expect(mapDelete['inEpoch']).to.equal(true);
      const createEnd = event(r, (e) => e.event === 'op_end' && e['op'] === 'create' && e['map'] === 'm');
      expect(mapDelete.seq).to.be.below(createEnd.seq);
      expect(r.events.filter((e) => e['op'] === 'map_cleanup' && e['map'] === 'm')).to.deep.equal([]);
      expect(opResults(r.events.filter((e) => e['map'] === 'm'))).to.deep.equal(['create NO_MEMORY', 'update INVALID_OBJECT']);
      // Only map k's ordinary delete and cleanup show the as-built departures (outside any epoch, at DISPATCH).
      expectDepartures(r, p, ['irql.user-passive', 'epoch.callback-inside', 'epoch.outside']);
    });
  }
});

describe('integration: provider deregistration (scenario 43)', function () {
  this.timeout(120_000);

  for (const p of PROFILES) {
    it(`scenario 43: deregister_provider returns only after the map's postprocess_map_delete; map operations keep working meanwhile (${p})`, async () => {
      const r = await run({
        cpus: 2, maps: { m: u32Map() },
        threads: [
          passive(0, [{ op: 'deregister_provider', map: 'm' }]),
          // The stall (scheduling points in controlled mode) lets CPU 0's deregistration begin first.
          passive(1, [{ op: 'stall', ms: 40 }, update(1, 10), find(1), { op: 'delete', map: 'm', key: 1 }, update(2, 20), { op: 'delete_map', map: 'm' }]),
        ],
      }, p, true);
      expect(callbackSequence(r.events)).to.deep.equal([CREATE, PRE_UPDATE, FIND, userDelete(p), PRE_UPDATE, cleanup(p), MAP_DELETE]);
      expect(opResults(r.events.filter((e) => e.cpu === 1))).to.deep.equal([
        'stall SUCCESS', 'update SUCCESS', 'find SUCCESS', 'delete SUCCESS', 'update SUCCESS', 'delete_map SUCCESS',
      ]);
      const begin = opEvent(r, 'op_begin', 'deregister_provider', 0);
      const end = opEvent(r, 'op_end', 'deregister_provider', 0);
      expect(end['result']).to.equal('EBPF_SUCCESS');
      expect(begin.seq, 'the deregistration began before the first map operation').to.be.below(opEvent(r, 'op_begin', 'update', 1).seq);
      const mapDelete = event(r, (e) => e.event === 'postprocess_map_delete');
      expect(mapDelete.seq, 'it returned only after postprocess_map_delete').to.be.below(end.seq);
      expectDepartures(r, p, ['delete.post-after-unlock', 'irql.user-passive', 'epoch.callback-inside', 'epoch.outside']);
    });
  }

  it('scenario 43: a program holding the map keeps the deregistration waiting until it ends; its helper calls keep working', async () => {
    const r = await run({
      cpus: 2, maps: { m: u32Map() },
      threads: [
        passive(0, [{ op: 'stall', ms: 20 }, { op: 'delete_map', map: 'm' }, { op: 'deregister_provider', map: 'm' }]),
        { cpu: 1, irql: 'DISPATCH', ops: [{ op: 'batch', count: 30, ops: [update(1, 5), find(1)] }] },
      ],
    }, 'documented', true);
    expectDepartures(r, 'documented', []);
    const closed = opEvent(r, 'op_end', 'delete_map', 0);
    const helperAfterClose = r.events.filter((e) => e.cpu === 1 && e.event === 'op_end' && e['op'] === 'update' && e.seq > closed.seq);
    expect(helperAfterClose.length, 'helper calls ran after the handle was closed').to.be.greaterThan(0);
    for (const e of helperAfterClose) expect(e['result']).to.equal('EBPF_SUCCESS');
    const batchEnd = opEvent(r, 'op_end', 'batch', 1);
    const mapDelete = event(r, (e) => e.event === 'postprocess_map_delete');
    const end = opEvent(r, 'op_end', 'deregister_provider', 0);
    expect(batchEnd.seq).to.be.below(mapDelete.seq);
    expect(mapDelete.seq).to.be.below(end.seq);
    expect(callbackSequence(r.events.filter((e) => e.cpu === -1))).to.deep.equal([cleanup('documented'), MAP_DELETE]);
  });

  it('scenario 43: the deregistration waits for every map of the provider, and not for a map of another provider', async () => {
    const r = await run({
      cpus: 2, maps: { m: u32Map(), k: u32Map(), o: { ...u32Map(), provider: 'object' } },
      threads: [
        passive(0, [{ op: 'deregister_provider', map: 'm' }]),
        passive(1, [{ op: 'stall', ms: 20 }, { op: 'delete_map', map: 'm' }, { op: 'stall', ms: 60 }, { op: 'delete_map', map: 'k' }]),
      ],
    }, 'documented', true);
    expectDepartures(r, 'documented', []);
    const end = opEvent(r, 'op_end', 'deregister_provider', 0);
    const mapDeleteOf = (map: string) => event(r, (e) => e.event === 'postprocess_map_delete' && e['map'] === map);
    expect(mapDeleteOf('m').seq).to.be.below(end.seq);
    expect(mapDeleteOf('k').seq, 'map k has the same provider').to.be.below(end.seq);
    // Map o (the object provider) is deleted only by teardown, after the CPUs' ops: the deregistration did not wait for it.
    expect(mapDeleteOf('o').seq).to.be.above(end.seq);
  });

  it('scenario 43: a deregistration whose map nobody deletes never returns: the watchdog ends the run and names it', async () => {
    const r = await run({
      cpus: 1, watchdogMs: 300, maps: { m: u32Map() }, threads: [passive(0, [update(1, 1), { op: 'deregister_provider', map: 'm' }])],
    }, 'documented');
    expect(r.report.verdict).to.equal('aborted');
    // The map was never deleted either: the checker says so at the end of the trace.
    expect(r.rules).to.deep.equal({ 'run.watchdog': 1, 'lifecycle.delete-last': 1 });
    expect(r.report.watchdog?.cpus.find((c) => c.cpu === 0)?.lastOp).to.equal('deregister_provider');
  });
});

/** Cleanup's delete callbacks and removes (bucket_unlock core remove) in order, as "cb V" / "del V" (V: the value block). */
function cleanupOrder(r: Run): string[] {
  const begin = opEvent(r, 'op_begin', 'map_cleanup').seq;
  const end = opEvent(r, 'op_end', 'map_cleanup').seq;
  return r.events.filter((e) => e.seq > begin && e.seq < end).flatMap((e) => {
    if (e.event === 'postprocess_map_delete_element') return [`cb ${String(e['value'])}`];
    if (e.event === 'bucket_unlock' && e['core'] === 'remove') return [`del ${String(e['value'])}`];
    if (e.event === 'retire' && e['tag'] === 'eVal') return [`retire ${String(e['block'])}`];
    return [];
  });
}

describe('integration: map cleanup order (scenario 41)', function () {
  this.timeout(120_000);
  // maxEntries 4: four buckets for four keys, so that some bucket holds more than one entry.
  const scenario = {
    cpus: 1, maps: { m: u32Map({ maxEntries: 4 }) },
    threads: [passive(0, [update(1, 10), update(2, 20), update(3, 30), update(4, 40), { op: 'delete_map', map: 'm' }])],
  };

  it('scenario 41: as built, the callback of the next key comes before the delete of the current one: cb(k1) cb(k2) del(k1) ... del(kn)', async () => {
    const r = await run(scenario, 'ebpf-for-windows');
    const order = cleanupOrder(r);
    const values = order.filter((s) => s.startsWith('cb ')).map((s) => s.slice(3));
    expect(values).to.have.length(4);
    const expected = [`cb ${values[0]}`];
    for (let i = 1; i < values.length; i++) expected.push(`cb ${values[i]}`, `del ${values[i - 1]}`, `retire ${values[i - 1]}`);
    expected.push(`del ${values[3]}`, `retire ${values[3]}`);
    expect(order).to.deep.equal(expected);
    expect(callbackSequence(r.events)).to.deep.equal([CREATE, ...Array(4).fill(PRE_UPDATE), ...Array(4).fill(cleanup('ebpf-for-windows')), MAP_DELETE]);
    expect(opEvent(r, 'op_end', 'map_cleanup')['entries']).to.equal(4);
    expectDepartures(r, 'ebpf-for-windows', ['irql.user-passive', 'epoch.callback-inside', 'epoch.outside']);
  });

  it('scenario 41: documented (the seed states no order), each bucket\'s callbacks come first, then its entries go at once, with no per-entry delete', async () => {
    const r = await run(scenario, 'documented');
    const order = cleanupOrder(r);
    expect(order.filter((s) => s.startsWith('del '))).to.deep.equal([]);
    const cbs = order.filter((s) => s.startsWith('cb ')).map((s) => s.slice(3));
    expect(cbs).to.have.length(4);
    for (const v of cbs) expect(order.indexOf(`cb ${v}`)).to.be.below(order.indexOf(`retire ${v}`));
    expectDepartures(r, 'documented', []);
  });
});

describe('integration: ebpf_epoch_synchronize (scenario 50)', function () {
  this.timeout(120_000);

  for (const p of PROFILES) {
    it(`scenario 50: outside an epoch, synchronize returns after one full cycle: the released epoch reached the epoch of the call (${p})`, async () => {
      const r = await run({
        cpus: 1, maps: { m: u32Map() },
        threads: [passive(0, [update(1, 1), update(2, 2), { op: 'delete', map: 'm', key: 2 }, { op: 'synchronize' }, find(1)])],
      }, p);
      const begin = opEvent(r, 'op_begin', 'synchronize');
      const end = opEvent(r, 'op_end', 'synchronize');
      expect(end['result']).to.equal('EBPF_SUCCESS');
      expect(Number(end['released'])).to.be.at.least(Number(end['epoch']));
      const advances = r.events.filter((e) => e.event === 'epoch_advance' && e.seq > begin.seq && e.seq < end.seq);
      expect(advances.length, 'an epoch cycle completed during the call').to.be.at.least(1);
      expect(Number(advances.at(-1)!['released'])).to.be.at.least(Number(end['epoch']));
      // What the delete retired before the call (the value of key 2) is freed before it returns.
      const removed = event(r, (e) => e.event === 'bucket_unlock' && e['core'] === 'remove');
      const freed = event(r, (e) => e.event === 'free' && e['block'] === removed['value']);
      expect(freed.seq).to.be.below(end.seq);
      expect(opResults(r.events.filter((e) => e.cpu === 0))).to.deep.equal([
        'create SUCCESS', 'update SUCCESS', 'update SUCCESS', 'delete SUCCESS', 'synchronize SUCCESS', 'find SUCCESS', 'delete_map SUCCESS',
      ]);
      expectDepartures(r, p, ['delete.post-after-unlock', 'irql.user-passive', 'epoch.callback-inside', 'epoch.outside']);
    });

    it(`scenario 50: inside an epoch, synchronize would never return: epochlab reports epoch.synchronize-in-epoch and goes on (${p})`, async () => {
      const r = await run({ cpus: 1, maps: { m: u32Map() }, threads: [passive(0, [{ op: 'synchronize', inEpoch: true }, update(1, 1)])] }, p);
      expect(r.rules['epoch.synchronize-in-epoch']).to.equal(1);
      const v = r.messages.find((x) => x.rule === 'epoch.synchronize-in-epoch')!;
      expect(v.message).to.match(/^CPU 0 called ebpf_epoch_synchronize inside an epoch \(depth 1\): it never returns/);
      const end = opEvent(r, 'op_end', 'synchronize');
      expect(Number(end['released']), 'the cycle it waits for never completed').to.be.below(Number(end['epoch']));
      expect(opResults(r.events.filter((e) => e.cpu === 0)).slice(1, 3)).to.deep.equal(['synchronize SUCCESS', 'update SUCCESS']);
    });
  }

  it('scenario 50: the command exits with the violation code (1) for a synchronize inside an epoch', () => {
    const text = JSON.stringify({ cpus: 1, maps: { m: u32Map() }, threads: [passive(0, [{ op: 'synchronize', inEpoch: true }])] });
    const c = runFile('sync.json', text);
    expect(c.status).to.equal(1);
    expect(c.stdout).to.include('VIOLATION epoch.synchronize-in-epoch');
  });
});

describe('scenario: lifetime fields and ops are validated (bad input, exit code 2)', function () {
  const bad = async (scenario: Record<string, unknown>): Promise<string> => {
    try {
      await compileScenario(scenario, 'test.json', process.cwd(), {});
    } catch (err) {
      expect(err).to.be.instanceOf(BadInput);
      return (err as Error).message;
    }
    return expect.fail('expected bad input');
  };
  const one = (m: Record<string, unknown>, ops: unknown[], irql = 'PASSIVE', extra: Record<string, unknown> = {}) =>
    ({ maps: { m }, threads: [{ cpu: 0, irql, ops }], ...extra });

  it('rejects a built-in map type, synchronize or deregister_provider on a DISPATCH thread, and unknown map names', async () => {
    expect(await bad(one(u32Map({ mapType: 1 }), []))).to.equal(
      "test.json: maps.m.mapType: types below 15 are eBPF's built-in maps, which epochlab does not simulate, got 1");
    expect(await bad(one(u32Map({ mapType: -1 }), []))).to.match(/^test\.json: maps\.m\.mapType: must be at least 0/);
    expect(await bad(one(u32Map(), [{ op: 'synchronize' }], 'DISPATCH'))).to.equal(
      'test.json: threads[0].ops[0].op: synchronize waits, so it runs only on PASSIVE threads (this thread is DISPATCH)');
    expect(await bad(one(u32Map(), [{ op: 'deregister_provider', map: 'x' }]))).to.equal('test.json: threads[0].ops[0].map: no map named "x"');
    expect(await bad(one(u32Map(), [{ op: 'batch', ops: [{ op: 'synchronize' }] }]))).to.equal(
      'test.json: threads[0].ops[0].ops[0].op: op "synchronize" is not allowed inside a batch');
    expect(await bad(one(u32Map(), [], 'PASSIVE', { faults: { nameAllocFail: ['x'] } }))).to.equal(
      'test.json: faults.nameAllocFail[0]: no map named "x"');
    expect(await bad(one(u32Map(), [{ op: 'synchronize', inEpoch: 1 }]))).to.match(/^test\.json: threads\[0\]\.ops\[0\]\.inEpoch: expected true or false/);
  });
});

/**
 * The trace rules on real runs (worker threads, the checker as the trace
 * sink). Under the documented profile the built-in scenarios and a few
 * targeted ones raise none of the checker's rules; under the as-built
 * profile (ebpf-for-windows) the departures of reference sections 1.x and 6
 * show up as exactly the expected rules. Runtime-detected rules (such as
 * epoch.outside) are left out of the comparisons: they are not these rules'.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileScenario } from '../../src/scenario/scenario.js';
import { builtinScenario } from '../../src/scenario/builtins.js';
import { runPlan } from '../../src/runtime/runner.js';
import { ContractChecker } from '../../src/check/checker.js';
import { ALL_RULES } from '../../src/check/rules/index.js';
import { TRACE_RULE_IDS } from './trace-builder.test.js';

type Profile = 'documented' | 'ebpf-for-windows';
type Scenario = Record<string, unknown>;

const TRACE_RULES = new Set(TRACE_RULE_IDS);

/** Runs a scenario with the checker; returns the counts of the checker's own rules. */
async function traceRules(scenario: Scenario, profile: Profile, dir = process.cwd()): Promise<Record<string, number>> {
  const plan = await compileScenario(scenario, 'test', dir, {});
  plan.trace = true;
  plan.profile = profile;
  const checker = new ContractChecker(ALL_RULES, { rerun: 'test' });
  await runPlan(plan, { sinks: [checker] });
  checker.close();
  return Object.fromEntries(Object.entries(checker.summary().byRule).filter(([rule]) => TRACE_RULES.has(rule)));
}

const builtin = (name: string): Scenario => {
  const s = builtinScenario(name);
  if (s === undefined) throw new Error(`no built-in scenario ${name}`);
  return s;
};

const u32 = (provider: string, maxEntries = 16, options: Scenario = {}) => ({ provider, keySize: 4, valueSize: 4, maxEntries, options });
const oneThread = (map: Scenario, irql: 'PASSIVE' | 'DISPATCH', ops: Scenario[], extra: Scenario = {}): Scenario =>
  ({ cpus: 1, maps: { m: map }, threads: [{ cpu: 0, irql, ops }], ...extra });
const update = (key: number, value: number, option = 'ANY'): Scenario => ({ op: 'update', map: 'm', key, value, option });
const op = (name: string, key: number): Scenario => ({ op: name, map: 'm', key });

/** Targeted scenarios, each reaching paths the built-ins do not. */
const TARGETED: Record<string, Scenario> = {
  // a legacy map (no preprocess update): its third insert (full) and a NOEXIST insert fail; no undo, as documented
  'legacy-full': oneThread(u32('legacy', 2), 'PASSIVE', [update(1, 1), update(2, 2), update(3, 3), update(1, 5, 'NOEXIST')]),
  // neither delete callback: refused at creation (documented), created as built
  minimal: oneThread(u32('minimal', 4), 'PASSIVE', [update(1, 1), update(1, 2), op('find', 1), op('delete', 1)]),
  // helper CRUD on an object map (updates_original_value): blocked before any callback
  'object-helper': oneThread(u32('object', 16), 'DISPATCH', [op('find', 0), update(1, 1), op('delete', 0), op('find_and_delete', 1)],
    { workload: { findPct: 100, updatePct: 0, deletePct: 0, keyRange: 2, opsPerCpu: 1, batchSize: 1, prefill: 2 } }),
  // helper replace, undo (NOEXIST), lookup-and-delete and delete on a passthrough map, in one program batch
  'passthrough-helper': oneThread(u32('passthrough', 16), 'DISPATCH', [{
    op: 'batch', count: 1,
    ops: [update(1, 1), update(1, 2), update(1, 3, 'NOEXIST'), op('find_and_delete', 1), update(2, 2), op('delete', 2), op('find', 2)],
  }]),
  // user lookup-and-delete, hit and miss
  'find-and-delete': oneThread(u32('passthrough', 16), 'PASSIVE', [update(1, 1), op('find_and_delete', 1), op('find_and_delete', 1)]),
};

describe('check rules on real runs: documented profile raises none of them', function () {
  this.timeout(120_000);

  for (const name of ['smoke', 'contention', 'object-churn', 'full-map', 'legacy-veto', 'stall']) {
    it(`built-in ${name}`, async () => {
      expect(await traceRules(builtin(name), 'documented')).to.deep.equal({});
    });
  }

  it('examples/replace-and-delete.json', async () => {
    const path = resolve('examples/replace-and-delete.json');
    const scenario = JSON.parse(readFileSync(path, 'utf8')) as Scenario;
    expect(await traceRules(scenario, 'documented', resolve('examples'))).to.deep.equal({});
  });

  for (const [name, scenario] of Object.entries(TARGETED)) {
    it(`targeted ${name}`, async () => {
      expect(await traceRules(structuredClone(scenario), 'documented')).to.deep.equal({});
    });
  }
});

describe('check rules on real runs: the as-built profile breaks the documented contract', function () {
  this.timeout(120_000);
  const AS_BUILT: Profile = 'ebpf-for-windows';

  it('smoke: postprocess delete under the lock at DISPATCH; cleanup at DISPATCH; cleanup and map delete outside an epoch', async () => {
    expect(await traceRules(builtin('smoke'), AS_BUILT)).to.deep.equal({
      'delete.post-after-unlock': 1, 'irql.user-passive': 2, 'epoch.callback-inside': 2,
    });
  });

  it('legacy-veto: FREE mode runs the deprecated delete after unlink, without the lock', async () => {
    expect(await traceRules(builtin('legacy-veto'), AS_BUILT)).to.deep.equal({ 'delete.pre-under-lock': 3, 'epoch.callback-inside': 1 });
  });

  it('full-map: four MAP_CLEANUP callbacks at DISPATCH outside an epoch', async () => {
    expect(await traceRules(builtin('full-map'), AS_BUILT)).to.deep.equal({ 'irql.user-passive': 4, 'epoch.callback-inside': 5 });
  });

  it('legacy-full: the undo fires without a preprocess update (reference 6.3)', async () => {
    expect(await traceRules(structuredClone(TARGETED['legacy-full']!), AS_BUILT)).to.deep.equal({
      'update.undo-once': 2, 'irql.user-passive': 2, 'epoch.callback-inside': 3,
    });
  });

  it('minimal: a provider with neither delete callback gets its map (reference 6.5)', async () => {
    expect(await traceRules(structuredClone(TARGETED['minimal']!), AS_BUILT)).to.deep.equal({
      'delete.exactly-one-registered': 1, 'epoch.callback-inside': 1,
    });
  });

  it('object-helper: helper calls stay blocked as built; only the cleanup departs', async () => {
    expect(await traceRules(structuredClone(TARGETED['object-helper']!), AS_BUILT)).to.deep.equal({
      'irql.user-passive': 2, 'epoch.callback-inside': 3,
    });
  });

  it('contention (two CPUs): the same departures, and nothing else', async () => {
    const found = await traceRules(builtin('contention'), AS_BUILT);
    expect(Object.keys(found).sort()).to.deep.equal(['delete.post-after-unlock', 'epoch.callback-inside', 'irql.user-passive']);
  });
});

/**
 * Swarm configurations: drawn from their seed alone, applied to a copy of
 * the scenario object, keeping its maps, CPUs and IRQLs; an explicit op list
 * is only ever cut to a prefix; the scenario's own faults and a pinned
 * strategy stay as the user wrote them.
 */
import { expect } from 'chai';
import { applySwarm, describeSwarm, drawSwarm } from '../../src/hunt/swarm.js';
import { builtinScenario } from '../../src/scenario/builtins.js';
import { compileScenario } from '../../src/scenario/scenario.js';

type Json = Record<string, unknown>;
const scenario = (name: string): Json => builtinScenario(name) as Json;
const IDS = Array.from({ length: 200 }, (_, i) => i + 1);

describe('hunt: swarm configurations', () => {
  it('a configuration depends only on its id and the scenario', () => {
    const json = scenario('default');
    for (const id of [1, 2, 77]) expect(drawSwarm(json, id, 2, false)).to.deep.equal(drawSwarm(json, id, 2, false));
    const distinct = new Set(IDS.map((id) => describeSwarm({ ...drawSwarm(json, id, 2, false), id: 1 })));
    expect(distinct.size).to.be.greaterThan(190);
  });

  it('varies the workload within the scenario: mixes sum to 100 with a writer, hot keys within the key range, maps from the scenario', () => {
    const json = scenario('default');
    const hot: number[] = [];
    for (const id of IDS) {
      const w = drawSwarm(json, id, 2, false).workload!;
      expect(w.findPct + w.updatePct + w.deletePct).to.equal(100);
      expect(w.updatePct + w.deletePct).to.be.greaterThan(0);
      expect(w.keyRange).to.be.within(1, 512);
      expect(w.controlledOpsPerCpu).to.be.within(1, 256);
      for (const m of w.maps ?? []) expect(['objects', 'values']).to.include(m);
      hot.push(w.keyRange);
    }
    // Most configurations are a small hot set (1 to 8 keys).
    expect(hot.filter((k) => k <= 8).length).to.be.greaterThan(140);
  });

  it('keeps maps, CPUs and IRQLs, and leaves the input untouched; the result compiles', async () => {
    const json = scenario('default');
    const before = JSON.stringify(json);
    for (const id of IDS.slice(0, 40)) {
      const out = applySwarm(json, drawSwarm(json, id, 2, false));
      expect(out['maps']).to.deep.equal(json['maps']);
      expect(out['cpus']).to.equal(json['cpus']);
      expect((out['workload'] as Json)['irql']).to.equal('mixed');
      await compileScenario(out, 'builtin:default', process.cwd(), { seed: id, cpus: 2 });
    }
    expect(JSON.stringify(json)).to.equal(before);
  });

  it('cuts an explicit op list to a prefix, repeats it no more often than written, and adds a workload after it three times in four', () => {
    const json = scenario('legacy-veto');
    const ops = ((json['threads'] as Json[])[0] as Json)['ops'] as unknown[];
    let cut = 0;
    let added = 0;
    for (const id of IDS) {
      const c = drawSwarm(json, id, 1, false);
      const out = applySwarm(json, c);
      const kept = ((out['threads'] as Json[])[0] as Json)['ops'] as unknown[];
      expect(kept).to.deep.equal(ops.slice(0, kept.length));
      expect(kept.length).to.be.at.least(1);
      if (kept.length < ops.length) cut++;
      if (c.workload !== null) added++;
      expect(c.workload?.added ?? true, 'a scenario of op lists only gets an added workload, or none').to.equal(true);
    }
    expect(cut).to.be.greaterThan(0);
    expect(added).to.be.within(120, 180);
  });

  it('leaves faults the scenario sets itself, and a pinned strategy, alone', () => {
    const json = { ...scenario('contention'), faults: { stall: [{ cpu: 0, atOp: 3, steps: 9 }], delayTicks: [{ tick: 2, steps: 4 }], allocFailAt: [5] } };
    for (const id of IDS) {
      const c = drawSwarm(json, id, 2, true);
      expect(c.strategy).to.equal(null);
      expect([c.stall, c.lateTick, c.allocFail]).to.deep.equal([null, null, null]);
      expect(applySwarm(json, c)['faults']).to.deep.equal(json.faults);
    }
    const strategies = new Set(IDS.map((id) => drawSwarm(json, id, 2, false).strategy!.strategy));
    expect([...strategies].sort()).to.deep.equal(['pct', 'random']);
  });
});

describe('hunt: a workload added after the op lists', function () {
  this.timeout(120_000);

  it('runs on every CPU after its op list, at the CPU\'s own IRQL, over the scenario\'s maps', async () => {
    const { readFileSync } = await import('node:fs');
    const { runOnce } = await import('../../src/hunt/hunt.js');
    const json = JSON.parse(readFileSync('examples/replace-and-delete.json', 'utf8')) as Json;
    const id = IDS.find((i) => drawSwarm(json, i, 2, false).workload?.added === true)!;
    const c = drawSwarm(json, id, 2, false);
    const out = applySwarm(json, c);
    expect(out['workload']).to.deep.include({ afterThreads: true, irql: 'mixed', keyRange: c.workload!.keyRange });
    const plan = await compileScenario(out, 'examples/replace-and-delete.json', process.cwd(), { seed: 3 });
    plan.mode = 'controlled';
    const events: Array<Record<string, unknown>> = [];
    await runOnce(plan, 'test', [{ write: (e) => { events.push(e); }, close: () => {} }]);
    for (const cpu of [0, 1]) {
      const ops = events.filter((e) => e['cpu'] === cpu && e['event'] === 'op_begin' && e['op'] !== 'batch');
      const listed = c.threads[cpu]!.ops * c.threads[cpu]!.repeat;
      expect(ops.length, `cpu ${cpu}: its list, then the workload`).to.be.greaterThan(listed);
      const after = ops.slice(-3).map((e) => e['mode']);
      expect(after, `cpu ${cpu}'s workload mode`).to.deep.equal(cpu === 0 ? ['user', 'user', 'user'] : ['helper', 'helper', 'helper']);
    }
  });
});

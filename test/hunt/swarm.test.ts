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
    const distinct = new Set(IDS.map((id) => describeSwarm({ ...drawSwarm(json, id, 2, false), id: 0 })));
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

  it('cuts an explicit op list to a prefix and repeats it no more often than written', () => {
    const json = scenario('legacy-veto');
    const ops = ((json['threads'] as Json[])[0] as Json)['ops'] as unknown[];
    let cut = 0;
    for (const id of IDS) {
      const c = drawSwarm(json, id, 1, false);
      const out = applySwarm(json, c);
      const kept = ((out['threads'] as Json[])[0] as Json)['ops'] as unknown[];
      expect(kept).to.deep.equal(ops.slice(0, kept.length));
      expect(kept.length).to.be.at.least(1);
      if (kept.length < ops.length) cut++;
      expect(c.workload).to.equal(null);
    }
    expect(cut).to.be.greaterThan(0);
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

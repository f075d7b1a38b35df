/**
 * The preemption-bounded search: nextPrefix backtracks to the deepest
 * untried alternative within the bound, and exploreDfs runs every schedule
 * of a tiny scenario with no preemption, exhausting the space.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { exploreDfs, nextPrefix } from '../../src/hunt/dfs.js';

describe('sched: dfs (preemption-bounded search)', function () {
  this.timeout(120_000);

  it('backtracks to the deepest untried alternative and respects the preemption bound', () => {
    // Lanes 0 and 1 both runnable at every decision (mask 0b11).
    const s = [0, 0, 0];
    const c = [3, 3, 3];
    const tried: Array<Set<number>> = [];
    // Bound 0: switching at depth 1 or 2 would preempt lane 0; only depth 0 has a free choice.
    expect(nextPrefix(s, c, tried, 0)).to.deep.equal([1]);
    expect(nextPrefix([1, 1, 1], c, tried, 0)).to.equal(null);
    // Bound 1: the deepest switch comes first.
    const t1: Array<Set<number>> = [];
    expect(nextPrefix(s, c, t1, 1)).to.deep.equal([0, 0, 1]);
    expect(nextPrefix([0, 0, 1], c, t1, 1)).to.deep.equal([0, 1]);
  });

  it('a choice away from a lane that cannot run (it yielded or finished) is not a preemption', () => {
    // At depth 1 only lane 1 may run (mask 0b10): following it costs nothing.
    expect(nextPrefix([0, 1, 1], [3, 2, 3], [], 0)).to.deep.equal([1]);
  });

  it('exhausts a tiny two-CPU scenario with no preemption, every run clean', async () => {
    const plan = await compileScenario({
      name: 'tiny', cpus: 2, seed: 1,
      maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
      threads: [
        { cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 1 }] },
        { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }] },
      ],
    }, 'test', process.cwd(), {});
    const schedules = new Set<string>();
    const r = await exploreDfs(plan, { preemptionBound: 0, maxRuns: 100, onRun: (run) => schedules.add(run.schedule.join(',')) });
    expect(r.exhausted).to.equal(true);
    expect(r.failing).to.equal(null);
    expect(r.explored).to.be.greaterThan(1);
    expect(schedules.size, 'every explored schedule is different').to.equal(r.explored);
  });

  it('stops at the first schedule that breaks a rule', async () => {
    const plan = await compileScenario({
      name: 'tiny-delete', cpus: 1, seed: 1,
      maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
      threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 1 }, { op: 'delete', map: 'm', key: 1 }] }],
    }, 'test', process.cwd(), {});
    plan.mutant = 'callback-under-lock';
    const r = await exploreDfs(plan, { preemptionBound: 1, maxRuns: 50 });
    expect(r.failing).to.not.equal(null);
    expect(Object.keys(r.failing!.run.rules)).to.include('delete.post-after-unlock');
  });
});

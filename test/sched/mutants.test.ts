/**
 * Planted bugs are found. Each mutant switches one known bug into the
 * runtime; controlled runs over seeds 1..budget, with the hunt plan that
 * `epochlab mutants` uses (src/sched/mutant-hunts.ts), must catch it with
 * the expected rule. Controlled runs are deterministic, so these tests are
 * too: a given seed either finds the bug or it does not, every time. The
 * budgets leave room for schedules to shift when the runtime changes.
 */
import { expect } from 'chai';
import { runOnce, HuntRun } from '../../src/sched/hunt.js';
import { MUTANT_HUNTS, MutantHunt, huntPlan } from '../../src/sched/mutant-hunts.js';
import { MUTANT_NAMES } from '../../src/runtime/mutants.js';
import type { RunPlan } from '../../src/runtime/plan.js';

async function hunt(h: MutantHunt): Promise<{ run: HuntRun; plan: RunPlan } | null> {
  for (let seed = 1; seed <= h.budget; seed++) {
    const plan = await huntPlan(h, seed);
    const run = await runOnce(plan, 'test');
    if (Object.keys(run.rules).length > 0) return { run, plan };
  }
  return null;
}

describe('sched: mutants are found in controlled mode', function () {
  this.timeout(600_000);

  it('has a hunt for every mutant', () => {
    expect(MUTANT_HUNTS.map((h) => h.mutant)).to.have.members([...MUTANT_NAMES]);
  });

  for (const h of MUTANT_HUNTS) {
    it(`finds ${h.mutant} (${h.rules.join(' or ')}) within ${h.budget} ${h.strategy} runs`, async () => {
      const found = await hunt(h);
      expect(found, `${h.mutant} not detected in ${h.budget} runs`).to.not.equal(null);
      const rules = Object.keys(found!.run.rules);
      expect(rules.some((r) => h.rules.includes(r)), `rules found: ${rules.join(', ')}`).to.equal(true);
    });
  }

  it('replays a failing run from its schedule: same rules, same trace digest', async () => {
    const found = await hunt(MUTANT_HUNTS[0] as MutantHunt);
    expect(found).to.not.equal(null);
    const replay = structuredClone(found!.plan);
    replay.schedule = found!.run.schedule;
    replay.strategy = 'round-robin'; // every decision is forced: the strategy does not matter
    const again = await runOnce(replay, 'test');
    expect(again.rules).to.deep.equal(found!.run.rules);
    expect(again.digest).to.equal(found!.run.digest);
  });

  it('the correct runtime passes the same hunts with no violation', async () => {
    for (const h of MUTANT_HUNTS.slice(0, 4)) {
      for (let seed = 1; seed <= 5; seed++) {
        const plan = await huntPlan(h, seed, null);
        expect((await runOnce(plan, 'test')).rules, `${h.mutant} hunt, seed ${seed}`).to.deep.equal({});
      }
    }
  });
});

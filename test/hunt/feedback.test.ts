/**
 * The near-miss bandit: the first run is the scenario as written, the
 * next ones fill its pool with fresh configurations, then it spends runs on the configuration whose runs came
 * closest, while one run in three still draws a fresh one.
 */
import { expect } from 'chai';
import { SwarmBandit, emptyNearMisses, rewardOf } from '../../src/hunt/feedback.js';
import { drawSwarm } from '../../src/hunt/swarm.js';
import { builtinScenario } from '../../src/scenario/builtins.js';

const json = builtinScenario('contention') as Record<string, unknown>;

describe('hunt: near-miss feedback', () => {
  it('rewards several kinds of near miss over many of one kind', () => {
    expect(rewardOf(emptyNearMisses())).to.equal(0);
    const many = { ...emptyNearMisses(), keyOverlap: 1000 };
    const several = { ...emptyNearMisses(), keyOverlap: 4, retiredRead: 4 };
    expect(rewardOf(several)).to.be.greaterThan(rewardOf(many));
    expect(rewardOf({ retiredRead: 9, freeAfterRead: 9, lockHandoff: 9, keyOverlap: 9 })).to.equal(1);
  });

  it('runs the scenario as written first, fills its pool, then favours the arm with near misses', () => {
    const bandit = new SwarmBandit((seed) => drawSwarm(json, seed, 2, false));
    const first = Array.from({ length: 8 }, (_, i) => bandit.next(i + 1));
    expect(first.map((a) => a.config.id)).to.deep.equal([0, 2, 3, 4, 5, 6, 7, 8]);
    const close = { retiredRead: 4, freeAfterRead: 4, lockHandoff: 4, keyOverlap: 4 };
    for (const arm of first) bandit.record(arm, arm.config.id === 5 ? close : emptyNearMisses());
    const picks: number[] = [];
    for (let seed = 9; seed < 39; seed++) {
      const arm = bandit.next(seed);
      picks.push(arm.config.id);
      bandit.record(arm, arm.config.id === 5 ? close : emptyNearMisses());
    }
    const fives = picks.filter((id) => id === 5).length;
    const fresh = picks.filter((id) => id >= 9).length;
    expect(fives).to.be.greaterThan(10);
    expect(fresh).to.equal(10);
    expect(bandit.arms()[0]!.config.id).to.equal(5);
  });
});

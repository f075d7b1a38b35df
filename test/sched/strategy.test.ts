/**
 * Strategy choices that need no threads: the sequential continuation never
 * preempts, and when the running lane cannot go on it hands over to the
 * next lane after it, so two lanes spinning on a lock held by a third do not
 * pass the baton between themselves forever.
 */
import { expect } from 'chai';
import { StrategyId, pickNext } from '../../src/sched/strategy.js';
import type { Baton } from '../../src/shm/baton.js';

/** Sequential and round-robin never draw a random number or read priorities. */
const noBaton = {} as Baton;

describe('sched/strategy', () => {
  it('sequential keeps the running lane while it can run', () => {
    expect(pickNext(StrategyId.Sequential, noBaton, 1, [0, 1, 2])).to.equal(1);
  });

  it('sequential hands a yielding or finished lane\'s turn to the next lane after it, wrapping around', () => {
    expect(pickNext(StrategyId.Sequential, noBaton, 0, [1, 2])).to.equal(1);
    expect(pickNext(StrategyId.Sequential, noBaton, 1, [0, 2])).to.equal(2); // not 0: lane 2 must get a turn
    expect(pickNext(StrategyId.Sequential, noBaton, 2, [0, 1])).to.equal(0);
    expect(pickNext(StrategyId.Sequential, noBaton, -1, [1, 2])).to.equal(1);
  });

  it('round-robin moves to the next lane at every point', () => {
    expect(pickNext(StrategyId.RoundRobin, noBaton, 0, [0, 1, 2])).to.equal(1);
    expect(pickNext(StrategyId.RoundRobin, noBaton, 2, [0, 1, 2])).to.equal(0);
  });
});

/**
 * The correct runtime survives controlled stress: 200 controlled runs of
 * every built-in scenario (seeds 1..100 under random scheduling, 101..200
 * under PCT), each checked by the contract checker, with no violation of any
 * rule. Each built-in runs under the documented profile (the contract), so
 * the as-built departures that `epochlab contract-diff` shows are not
 * counted here; the retire-before-unlink scenario is clean this way too.
 *
 * Controlled runs are deterministic: these 2,600 runs are the same on every
 * machine, and a failure names the scenario and seed to re-run with
 * `epochlab stress NAME --seed-start SEED --runs 1 --strategy S`.
 */
import { expect } from 'chai';
import { listScenarios } from '../../src/scenario/builtins.js';
import { loadScenario } from '../../src/scenario/scenario.js';
import { stressLoop } from '../../src/hunt/stress-loop.js';
import { ruleList } from '../../src/cli/format.js';
import { ThreadPool } from '../../src/runtime/thread-pool.js';

const RUNS_PER_STRATEGY = 100;
const threads = new ThreadPool();

describe('integration: 200 controlled runs of every built-in scenario, no violation', function () {
  this.timeout(900_000);
  after(() => threads.close());

  for (const { name } of listScenarios()) {
    it(name, async () => {
      let runs = 0;
      for (const [strategy, seedStart] of [['random', 1], ['pct', 1 + RUNS_PER_STRATEGY]] as const) {
        const result = await stressLoop({ runs: RUNS_PER_STRATEGY, timeMs: null, seedStart, shard: 1, shards: 1 },
          async (seed) => {
            const plan = await loadScenario(name, { seed });
            plan.mode = 'controlled';
            plan.strategy = strategy;
            plan.pctSteps = 3000;
            return plan;
          }, () => 'soak', undefined, threads);
        const bad = result.failing;
        expect(bad, bad ? `${name}, ${strategy}, seed ${bad.plan.seed}: ${ruleList(bad.run.rules)}` : '').to.equal(null);
        runs += result.records.length;
      }
      expect(runs).to.equal(2 * RUNS_PER_STRATEGY);
    });
  }
});

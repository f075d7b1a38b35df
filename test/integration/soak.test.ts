/**
 * The correct runtime survives controlled stress: 200 controlled runs of
 * every built-in scenario (as written: seeds 1..50 under random scheduling,
 * 51..100 under PCT; then seeds 101..200 as `stress` runs them by default,
 * swarm configurations steered by near misses), each checked by the
 * contract checker, with no violation of any rule. Each built-in runs under the documented profile (the contract), so
 * the as-built departures that `epochlab contract-diff` shows are not
 * counted here; the retire-before-unlink scenario is clean this way too.
 *
 * Controlled runs are deterministic: these 2,600 runs are the same on every
 * machine, and a failure names the scenario and seed to re-run with
 * `epochlab stress NAME --seed-start SEED --runs 1 --strategy S --no-swarm`
 * (a swarm failure: its stress, `epochlab stress NAME --seed-start 101 --runs 100`). Because a
 * controlled run passes one baton between its threads, a stream of them
 * keeps about one core busy; two streams (each with its own threads) run
 * side by side, which changes no run, only the wall-clock time.
 */
import { expect } from 'chai';
import { listScenarios } from '../../src/scenario/builtins.js';
import { loadScenario } from '../../src/scenario/scenario.js';
import { stressLoop } from '../../src/hunt/stress-loop.js';
import { ruleList } from '../../src/cli/format.js';
import { ThreadPool } from '../../src/runtime/thread-pool.js';
import type { RunSettings } from '../../src/runtime/plan.js';
import { SwarmStress } from '../../src/hunt/swarm-stress.js';
import { describeSwarm } from '../../src/hunt/swarm.js';
import { resolveScenario } from '../../src/hunt/failure-file.js';

const RUNS_PER_STRATEGY = 50;
const SWARM_RUNS = 100;
const STREAMS = 2;

interface Outcome { runs: number; failure: string | null }

/** Both strategies' runs of one scenario on `threads`: how many ran, and the first failure. */
async function soak(name: string, threads: ThreadPool): Promise<Outcome> {
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
    runs += result.records.length;
    const bad = result.failing;
    if (bad) return { runs, failure: `${name}, ${strategy}, seed ${bad.plan.seed}: ${ruleList(bad.run.rules)}` };
  }
  const swarm = new SwarmStress(resolveScenario(name, name), { ...SETTINGS }, {}, (await loadScenario(name, {})).cpus, false);
  const result = await stressLoop({ runs: SWARM_RUNS, timeMs: null, seedStart: 1 + 2 * RUNS_PER_STRATEGY, shard: 1, shards: 1 },
    (seed) => swarm.plan(seed), () => 'soak', (r) => swarm.record(r), threads);
  runs += result.records.length;
  const bad = result.failing;
  if (bad) return { runs, failure: `${name}, swarm, seed ${bad.plan.seed} (${describeSwarm(swarm.configOf(bad.plan.seed)!)}): ${ruleList(bad.run.rules)}` };
  return { runs, failure: null };
}

/** Stress's defaults (controlled, PCT, documented profile), which swarm varies. */
const SETTINGS: RunSettings = { profile: 'documented', mode: 'controlled', strategy: 'pct', pctDepth: 3, pctSteps: 3000, switchEvery: 1, mutant: null };

describe('integration: 200 controlled runs of every built-in scenario, no violation', function () {
  this.timeout(900_000);
  const names = listScenarios().map((s) => s.name);
  const outcomes = new Map<string, Outcome>();

  before(async () => {
    const queue = [...names];
    const stream = async (): Promise<void> => {
      const threads = new ThreadPool();
      try {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) outcomes.set(name, await soak(name, threads));
      } finally {
        await threads.close();
      }
    };
    await Promise.all(Array.from({ length: STREAMS }, stream));
  });

  for (const name of names) {
    it(name, () => {
      const o = outcomes.get(name);
      expect(o, `${name} did not run`).to.not.equal(undefined);
      expect(o!.failure, o!.failure ?? '').to.equal(null);
      expect(o!.runs).to.equal(2 * RUNS_PER_STRATEGY + SWARM_RUNS);
    });
  }
});

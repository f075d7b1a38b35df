/**
 * Controlled mode's speed: scheduling decisions per second, next to the
 * floor measured in the same run, a bare Atomics.wait/notify ping-pong
 * between two worker threads (every handoff of the controlled-mode baton is
 * one such hop; a decision that keeps the same lane costs no hop).
 *
 * Workload: the built-in `contention` scenario (2 CPUs) with 2,000 operations
 * per CPU, random strategy, tracing off. Reported, never asserted.
 */
import { Worker } from 'node:worker_threads';
import { loadScenario } from '../src/scenario/scenario.js';
import { runPlan } from '../src/runtime/runner.js';
import { createPingPong } from './floor.js';
import type { PingPongJob } from './pingpong-worker.js';

const HOPS = 100_000;

async function pingPongHopsPerSec(): Promise<number> {
  const sab = createPingPong();
  const url = new URL('./pingpong-worker.js', import.meta.url);
  const done = [0, 1].map((me) => new Promise<{ ok: boolean; ms: number }>((resolve, reject) => {
    const job: PingPongJob = { sab, me, hops: HOPS / 2 };
    const w = new Worker(url, { workerData: job });
    w.once('message', (m: { ok: boolean; ms: number }) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  }));
  const results = await Promise.all(done);
  if (!results.every((r) => r.ok)) throw new Error('ping-pong: a wait timed out');
  // Each worker times its own hops (from its first wait): worker start-up is not counted.
  return HOPS / (Math.max(...results.map((r) => r.ms)) / 1000);
}

async function controlledDecisionsPerSec(strategy: 'random' | 'pct', switchEvery = 1): Promise<{ perSec: number; decisions: number; preemptions: number }> {
  const plan = await loadScenario('contention', {});
  // Long enough that thread start-up is a small part (controlled runs are capped at controlledOpsPerCpu).
  if (plan.workload) plan.workload.opsPerCpu = plan.workload.controlledOpsPerCpu = 2000;
  plan.mode = 'controlled';
  plan.strategy = strategy;
  plan.switchEvery = switchEvery;
  plan.pctSteps = 60_000;
  plan.trace = false;
  const started = performance.now();
  const r = await runPlan(plan);
  const seconds = (performance.now() - started) / 1000;
  const decisions = r.schedule?.decisions ?? 0;
  return { perSec: decisions / seconds, decisions, preemptions: r.schedule?.preemptions ?? 0 };
}

async function main(): Promise<void> {
  await pingPongHopsPerSec(); // warm-up: worker start and JIT
  const hops = await pingPongHopsPerSec();
  const rows: Array<Record<string, string>> = [{ measurement: 'bare Atomics.wait/notify ping-pong', 'per second': Math.round(hops).toLocaleString('en-US'), 'x floor': '1.00' }];
  for (const [strategy, every] of [['random', 1], ['random', 20], ['pct', 1]] as const) {
    const c = await controlledDecisionsPerSec(strategy, every);
    const name = every > 1 ? `${strategy} --switch-every ${every}` : strategy;
    rows.push({
      measurement: `controlled ${name}: decisions (${c.preemptions.toLocaleString('en-US')} of ${c.decisions.toLocaleString('en-US')} switched lanes)`,
      'per second': Math.round(c.perSec).toLocaleString('en-US'),
      'x floor': (c.perSec / hops).toFixed(2),
    });
  }
  console.log('\ncontrolled-steps: contention, 2 CPUs, 2,000 ops per CPU, tracing off');
  console.table(rows);
  console.log('A decision that hands the baton to another lane costs one hop; one that keeps the lane costs none.');
  console.log(`config: Node ${process.version}`);
}

await main();

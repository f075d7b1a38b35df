/**
 * RunReport.reclamation: an untraced, free-running run reports sane
 * reclamation figures from the epoch manager (shape and order only, never
 * times), and the per-tick series only when the plan asks for it.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import type { RunPlan } from '../../src/runtime/plan.js';

async function writePlan(): Promise<RunPlan> {
  const plan = await compileScenario({
    name: 'reclaim', cpus: 2, seed: 3,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 256 } },
    workload: { findPct: 10, updatePct: 80, deletePct: 10, keyRange: 256, opsPerCpu: 1e9, durationMs: 400, batchSize: 16, irql: 'DISPATCH', prefill: 128 },
  }, 'test', process.cwd(), {});
  plan.trace = false;
  return plan;
}

describe('runtime: reclamation figures without tracing', function () {
  this.timeout(120_000);

  it('an untraced run reports freed blocks, ordered percentiles and a peak at least the steady garbage', async () => {
    const report = await runPlan(await writePlan());
    expect(report.verdict).to.equal('pass');
    expect(report.traceEvents).to.equal(0);
    const r = report.reclamation!;
    expect(r).to.not.equal(null);
    expect(r.freed).to.be.greaterThan(0);
    expect(r.freed + r.teardownFreed).to.equal(report.blocksFreed);
    for (const lat of [r.ticks, r.micros]) {
      expect(lat.p50).to.be.at.most(lat.p99);
      expect(lat.p99).to.be.at.most(lat.max);
    }
    expect(r.ticks.p50).to.be.at.least(1); // never freed in the tick of its own epoch
    expect(r.peakGarbage).to.be.at.least(r.steadyGarbage);
    expect(r.series).to.equal(null); // the JSON report stays small unless asked
  });

  it('gives the per-tick series when the plan asks, bounded by the peak', async () => {
    const plan = await writePlan();
    plan.reclamationSeries = true;
    const r = (await runPlan(plan)).reclamation!;
    const s = r.series!;
    expect(s.garbage.length).to.be.greaterThan(0);
    expect(s.holdBack.length).to.equal(s.garbage.length);
    expect(s.ms.length).to.equal(s.garbage.length);
    expect(Math.max(...s.garbage)).to.be.at.most(r.peakGarbage);
    expect(Math.min(...s.holdBack)).to.be.at.least(1);
    for (let i = 1; i < s.ms.length; i++) expect(s.ms[i]).to.be.at.least(s.ms[i - 1]!);
  });
});

/**
 * Controlled mode on real worker threads: exactly one lane runs between two
 * scheduling points and a seeded strategy picks it, so a (scenario, seed,
 * strategy) names one run. Same inputs, same trace digest and schedule; a
 * recorded schedule forced onto another seed replays the run exactly; and the
 * correct runtime survives many controlled runs with no violation.
 */
import { expect } from 'chai';
import { compileScenario, loadScenario } from '../../src/scenario/scenario.js';
import { listScenarios } from '../../src/scenario/builtins.js';
import { runPlan } from '../../src/runtime/runner.js';
import { DigestSink } from '../../src/trace/digest.js';
import { ContractChecker } from '../../src/check/checker.js';
import { createRules } from '../../src/check/rules/index.js';
import type { RunPlan } from '../../src/runtime/plan.js';

interface Outcome {
  digest: string;
  schedule: number[];
  violations: Record<string, number>;
  events: number;
}

async function controlled(plan: RunPlan, strategy: 'random' | 'round-robin', schedule: number[] = [], switchEvery = 1): Promise<Outcome> {
  const p = structuredClone(plan);
  p.mode = 'controlled';
  p.strategy = strategy;
  p.switchEvery = switchEvery;
  p.schedule = schedule;
  p.trace = true;
  const digest = new DigestSink();
  const checker = new ContractChecker(createRules(), { rerun: 'test' });
  let decisions: number[] = [];
  const report = await runPlan(p, { sinks: [digest, checker], onSchedule: (s) => { decisions = s; } });
  checker.close();
  const violations = { ...checker.summary().byRule };
  for (const v of report.violations.filter((x) => x.seq === 0)) violations[v.rule] = (violations[v.rule] ?? 0) + 1;
  return { digest: digest.digest(), schedule: decisions, violations, events: digest.events };
}

/** A small two-CPU workload: one PASSIVE CPU, one DISPATCH CPU, shared keys on two maps. */
async function smallWorkload(seed: number): Promise<RunPlan> {
  return compileScenario({
    name: 'controlled-small', cpus: 2, seed,
    maps: {
      objects: { provider: 'object', keySize: 4, valueSize: 4, maxEntries: 8 },
      values: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 8 },
    },
    workload: { findPct: 40, updatePct: 40, deletePct: 20, keyRange: 10, opsPerCpu: 60, batchSize: 8, irql: 'mixed' },
  }, 'test', process.cwd(), {});
}

describe('sched: controlled mode', function () {
  this.timeout(300_000);

  for (const name of ['smoke', 'full-map', 'legacy-veto', 'stall', 'diff-delete-under-lock', 'diff-cleanup-at-dispatch']) {
    it(`replays ${name} with the same trace digest and schedule, under random and round-robin`, async () => {
      const plan = await loadScenario(name, {});
      for (const strategy of ['random', 'round-robin'] as const) {
        const a = await controlled(plan, strategy);
        const b = await controlled(plan, strategy);
        expect(b.digest, `${strategy}: digest`).to.equal(a.digest);
        expect(b.schedule, `${strategy}: schedule`).to.deep.equal(a.schedule);
        expect(a.violations, `${strategy}: violations`).to.deep.equal({});
        expect(a.schedule.length).to.be.greaterThan(0);
      }
    });
  }

  it('gives every other built-in scenario the same trace digest twice (random strategy)', async () => {
    const covered = new Set(['smoke', 'full-map', 'legacy-veto', 'stall', 'diff-delete-under-lock', 'diff-cleanup-at-dispatch']);
    for (const { name } of listScenarios().filter((s) => !covered.has(s.name))) {
      const plan = await loadScenario(name, {});
      const a = await controlled(plan, 'random');
      const b = await controlled(plan, 'random');
      expect(b.digest, name).to.equal(a.digest);
      expect(a.violations, name).to.deep.equal({});
    }
  });

  it('is deterministic for a two-CPU workload with real contention', async () => {
    const plan = await smallWorkload(7);
    const a = await controlled(plan, 'random');
    const b = await controlled(plan, 'random');
    expect(b.digest).to.equal(a.digest);
    expect(new Set(a.schedule).size, 'both CPUs and the manager ran').to.equal(3);
  });

  it('gives different seeds different schedules', async () => {
    const a = await controlled(await smallWorkload(1), 'random');
    const b = await controlled(await smallWorkload(2), 'random');
    expect(b.schedule).to.not.deep.equal(a.schedule);
  });

  it('replays a recorded schedule exactly, even under another strategy', async () => {
    const plan = await smallWorkload(3);
    const recorded = await controlled(plan, 'random');
    const replayed = await controlled(plan, 'round-robin', recorded.schedule);
    expect(replayed.digest).to.equal(recorded.digest);
    expect(replayed.schedule).to.deep.equal(recorded.schedule);
  });

  it('random with --switch-every runs lanes in stretches: deterministic, far fewer switches than plain random', async () => {
    const plan = await smallWorkload(5);
    const a = await controlled(plan, 'random', [], 20);
    const b = await controlled(plan, 'random', [], 20);
    expect(b.digest).to.equal(a.digest);
    expect(b.schedule).to.deep.equal(a.schedule);
    const plain = await controlled(plan, 'random');
    const switches = (s: number[]) => s.filter((lane, i) => i > 0 && lane !== s[i - 1]).length;
    // Plain random switches at about 2 of 3 points; with runs of about 20, far fewer.
    expect(switches(a.schedule) / a.schedule.length).to.be.below(0.25);
    expect(switches(plain.schedule) / plain.schedule.length).to.be.above(0.4);
    expect(a.violations).to.deep.equal({});
  });

  it('the correct runtime survives 20 controlled runs of a contended workload with no violation', async () => {
    for (let seed = 100; seed < 120; seed++) {
      const r = await controlled(await smallWorkload(seed), 'random');
      expect(r.violations, `seed ${seed}`).to.deep.equal({});
    }
  });
});

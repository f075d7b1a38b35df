/**
 * Schedule shrinking: for planted bugs, the failing schedule shrinks to one
 * no longer and with no more preemptions, and forcing the shrunk schedule
 * with the 'sequential' strategy brings the same rule back. The sequential
 * strategy alone never preempts. Controlled runs are deterministic, so these
 * tests are too.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnce, type HuntRun } from '../../src/hunt/hunt.js';
import { MUTANT_HUNTS, huntPlan, type MutantHunt } from '../../src/hunt/mutant-hunts.js';
import { countPreemptions, shrinkSchedule } from '../../src/hunt/shrink.js';
import { shrinkFailure } from '../../src/hunt/shrink-failure.js';
import { huntScenario } from '../../src/hunt/mutant-hunts.js';
import { ThreadPool } from '../../src/runtime/thread-pool.js';
import { loadScenario } from '../../src/scenario/scenario.js';
import { parseCli } from '../../src/cli/args.js';
import { stressCommand } from '../../src/cli/stress.js';
import { loadFailureFile } from '../../src/hunt/failure-file.js';
import type { RunPlan } from '../../src/runtime/plan.js';

async function firstFailure(h: MutantHunt): Promise<{ run: HuntRun; plan: RunPlan }> {
  for (let seed = 1; seed <= h.budget; seed++) {
    const plan = await huntPlan(h, seed);
    const run = await runOnce(plan, 'test');
    if (Object.values(run.rules).some((n) => n > 0)) return { run, plan };
  }
  throw new Error(`${h.mutant}: no failing seed in 1..${h.budget}`);
}

describe('sched: schedule shrinking', function () {
  this.timeout(120_000);

  it('counts preemptions as lane changes', () => {
    expect(countPreemptions([])).to.equal(0);
    expect(countPreemptions([1, 1, 0, 0, 2, 1])).to.equal(3);
  });

  it('the sequential strategy alone runs smoke clean, with no preemption', async () => {
    const plan = await loadScenario('smoke', { seed: 1 });
    plan.mode = 'controlled';
    plan.strategy = 'sequential';
    plan.schedule = [];
    const run = await runOnce(plan, 'test');
    expect(run.rules).to.deep.equal({});
    expect(run.report.violations).to.deep.equal([]);
    expect(run.report.schedule?.preemptions).to.equal(0);
  });

  for (const name of ['free-immediately', 'callback-under-lock']) {
    it(`shrinks a failing ${name} schedule, and the shrunk one fails the same way`, async () => {
      const h = MUTANT_HUNTS.find((x) => x.mutant === name)!;
      const { run, plan } = await firstFailure(h);
      const r = await shrinkSchedule(plan, run, { maxRuns: 40 });
      expect(r.rule).to.equal(Object.keys(run.rules)[0]);
      expect(r.before).to.deep.equal({ decisions: run.schedule.length, preemptions: countPreemptions(run.schedule) });
      expect(r.runs).to.be.at.most(40);
      expect(r.run, 'no trial reproduced the rule').to.not.equal(null);
      expect(r.after.decisions).to.equal(r.schedule.length).and.to.be.at.most(r.before.decisions);
      expect(r.after.preemptions).to.equal(countPreemptions(r.schedule)).and.to.be.at.most(r.before.preemptions);
      const replay = structuredClone(plan);
      replay.strategy = 'sequential';
      replay.schedule = r.schedule;
      const again = await runOnce(replay, 'test');
      expect(again.rules[r.rule] ?? 0, `rules: ${JSON.stringify(again.rules)}`).to.be.greaterThan(0);
      expect(again.digest).to.equal(r.run!.digest);
    });
  }

  it('a failure found by plain random is found again under --switch-every with far fewer preemptions, then shrunk', async () => {
    const h = MUTANT_HUNTS.find((x) => x.mutant === 'local-epoch-stamp') as MutantHunt;
    expect(h.strategy).to.equal('random');
    const { run, plan } = await firstFailure(h);
    const threads = new ThreadPool();
    const s = await shrinkFailure(huntScenario(h), plan, run, { source: 'builtin:mutant-hunt', dir: process.cwd(), targets: h.rules, threads })
      .finally(() => threads.close());
    expect(s.calmer, 'no calmer run found').to.not.equal(null);
    expect(s.calmer!.switchEvery).to.be.greaterThan(1);
    expect(s.calmer!.preemptionsAfter * 4).to.be.lessThan(s.calmer!.preemptionsBefore);
    expect(s.plan.seed).to.equal(s.calmer!.seed);
    expect(s.run.rules[s.schedule.rule] ?? 0).to.be.greaterThan(0);
    expect(s.schedule.after.preemptions).to.be.at.most(s.calmer!.preemptionsAfter);
  });

  it('stress with shrinking writes a failure file that replays the shrunk run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'epochlab-shrink-'));
    const log = console.log;
    const lines: string[] = [];
    try {
      const out = join(dir, 'failure.json');
      const cmd = parseCli(['stress', 'smoke', '--runs', '5', '--mutant', 'callback-under-lock', '--out', out]);
      if (cmd.kind !== 'stress') throw new Error('expected a stress command');
      console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
      const code = await stressCommand({ ...cmd, shrink: true } as typeof cmd);
      console.log = log;
      expect(code).to.equal(1);
      expect(lines.join('\n')).to.match(/shrunk schedule: \d+ decisions, \d+ preemptions -> \d+ decisions, \d+ preemptions \(\d+ runs\)/);
      const { plan, file } = await loadFailureFile(out);
      expect(file.strategy).to.equal('sequential');
      expect(file.originalSchedule?.length).to.be.at.least(file.schedule.length);
      const run = await runOnce(plan, 'test');
      expect(run.rules['delete.post-after-unlock'] ?? 0).to.be.greaterThan(0);
      expect(run.rules).to.deep.equal(file.rules);
      expect(run.digest).to.equal(file.digest);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

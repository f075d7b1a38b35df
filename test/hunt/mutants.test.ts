/**
 * Planted bugs are found. Each mutant switches one known bug into the
 * runtime; controlled runs over seeds 1..budget, with the hunt plan that
 * `epochlab mutants` uses (src/hunt/mutant-hunts.ts), must catch it with
 * the expected rule. Controlled runs are deterministic, so these tests are
 * too: a given seed either finds the bug or it does not, every time. The
 * budgets leave room for schedules to shift when the runtime changes.
 *
 * Each failure is then shrunk (scenario, then schedule) and written to a
 * failure file, and replaying that file must give the same rules and the
 * same trace digest.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnce, HuntRun } from '../../src/hunt/hunt.js';
import { MUTANT_HUNTS, MutantHunt, huntPlan, huntScenario, huntTargets } from '../../src/hunt/mutant-hunts.js';
import { MUTANT_NAMES } from '../../src/contract/mutants.js';
import type { RunPlan } from '../../src/runtime/plan.js';
import { ThreadPool } from '../../src/runtime/thread-pool.js';
import { shrinkFailure } from '../../src/hunt/shrink-failure.js';
import { failureRecord, loadFailureFile, writeFailureFile } from '../../src/hunt/failure-file.js';

const threads = new ThreadPool();

async function hunt(h: MutantHunt): Promise<{ run: HuntRun; plan: RunPlan } | null> {
  for (let seed = 1; seed <= h.budget; seed++) {
    const plan = await huntPlan(h, seed);
    const run = await runOnce(plan, 'test', [], threads);
    const targets = huntTargets(h);
    if (targets === null ? Object.keys(run.rules).length > 0 : targets.some((r) => (run.rules[r] ?? 0) > 0)) return { run, plan };
  }
  return null;
}

/** Shrinks a hunt's failure, writes its failure file, replays the file: rules and digest must match. */
async function shrinkAndReplay(h: MutantHunt, found: { run: HuntRun; plan: RunPlan }, dir: string): Promise<void> {
  const json = huntScenario(h);
  const s = await shrinkFailure(json, found.plan, found.run, { source: 'builtin:mutant-hunt', dir: process.cwd(), targets: h.rules, threads });
  expect(s.scenario.after.ops, `${h.mutant}: shrunk operations`).to.be.at.most(s.scenario.before.ops);
  expect(s.run.rules[s.schedule.rule] ?? 0, `${h.mutant}: the shrunk scenario still breaks ${s.schedule.rule}`).to.be.greaterThan(0);
  const sched = s.schedule.run;
  const path = join(dir, `${h.mutant}.json`);
  const ref = { name: 'mutant-hunt', source: 'builtin:mutant-hunt', dir: process.cwd(), json: s.json };
  writeFailureFile(path, failureRecord(ref, s.plan, s.run, sched ? { rules: sched.rules, digest: sched.digest, schedule: s.schedule.schedule } : undefined));
  const { plan, file } = await loadFailureFile(path);
  const again = await runOnce(plan, 'test', [], threads);
  expect(again.rules, `${h.mutant}: replayed rules`).to.deep.equal(file.rules);
  expect(again.digest, `${h.mutant}: replayed digest`).to.equal(file.digest);
  expect(h.rules.some((r) => (again.rules[r] ?? 0) > 0), `${h.mutant}: replay breaks one of ${h.rules.join(', ')}`).to.equal(true);
}

describe('sched: mutants are found in controlled mode', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'epochlab-mutants-'));
  after(async () => {
    await threads.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a hunt for every mutant', () => {
    expect(MUTANT_HUNTS.map((h) => h.mutant)).to.have.members([...MUTANT_NAMES]);
  });

  for (const h of MUTANT_HUNTS) {
    it(`finds ${h.mutant} (${h.rules.join(' or ')}) within ${h.budget} ${h.strategy} runs; its shrunk failure file replays`, async () => {
      const found = await hunt(h);
      expect(found, `${h.mutant} not detected in ${h.budget} runs`).to.not.equal(null);
      const rules = Object.keys(found!.run.rules);
      expect(rules.some((r) => h.rules.includes(r)), `rules found: ${rules.join(', ')}`).to.equal(true);
      await shrinkAndReplay(h, found!, dir);
    });
  }

  it('replays a failing run from its schedule: same rules, same trace digest', async () => {
    const found = await hunt(MUTANT_HUNTS[0] as MutantHunt);
    expect(found).to.not.equal(null);
    const replay = structuredClone(found!.plan);
    replay.schedule = found!.run.schedule;
    replay.strategy = 'round-robin'; // every decision is forced: the strategy does not matter
    const again = await runOnce(replay, 'test', [], threads);
    expect(again.rules).to.deep.equal(found!.run.rules);
    expect(again.digest).to.equal(found!.run.digest);
  });

  it('the correct runtime passes the same hunts with no violation', async () => {
    for (const h of MUTANT_HUNTS.slice(0, 4)) {
      for (let seed = 1; seed <= 5; seed++) {
        const plan = await huntPlan(h, seed, null);
        expect((await runOnce(plan, 'test', [], threads)).rules, `${h.mutant} hunt, seed ${seed}`).to.deep.equal({});
      }
    }
  });
});

/**
 * Swarm testing on the user's own scenario: `stress default --mutant M`
 * with no other option finds every planted bug, and each swarm failure
 * replays from its failure file with the same rules and trace digest after
 * shrinking. A clean stress says how close it came and which bug classes
 * its scenario can reach at all.
 *
 * Controlled runs are deterministic and the bandit's choices follow from
 * them, so each mutant is found on the same run every time; the budgets
 * leave room for the runs to shift when the runtime changes. The default
 * scenario runs on every core: the tests fix it at 2 CPUs, as on CI.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stress } from '../../src/api/stress.js';
import { replay } from '../../src/api/replay.js';
import { MUTANT_NAMES } from '../../src/contract/mutants.js';
import { MUTANT_HUNTS, huntTargets } from '../../src/hunt/mutant-hunts.js';

/** A mutant of the per-CPU epoch model: its profile, and its own rules (the as-built departures fire in every run). */
function profileOf(mutant: string): { profile?: 'ebpf-for-windows'; rules?: string[] } {
  const h = MUTANT_HUNTS.find((x) => x.mutant === mutant)!;
  const targets = huntTargets(h);
  return targets === null ? {} : { profile: 'ebpf-for-windows', rules: targets };
}

/** Runs of `stress default` (2 CPUs, seeds from 1) within which each mutant must be found. */
const BUDGET: Record<string, number> = {
  'free-immediately': 120, 'release-off-by-one': 150, 'local-epoch-stamp': 400, 'skip-cpu': 600, 'callback-under-lock': 10,
  'missing-undo': 30, 'double-delete-callback': 10, 'unlocked-writer': 30, 'helper-not-blocked': 10, 'cleanup-flags': 10,
  'exit-other-irql': 10, 'percpu-local-stamp': 700,
};

describe('integration: swarm testing on the default scenario', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'epochlab-swarm-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has a budget for every mutant', () => {
    expect(Object.keys(BUDGET).sort()).to.deep.equal([...MUTANT_NAMES].sort());
  });

  for (const mutant of MUTANT_NAMES) {
    it(`stress default --mutant ${mutant} finds it with no other option`, async () => {
      const r = await stress('default', { mutant, cpus: 2, runs: BUDGET[mutant]!, shrink: false, out: join(dir, `${mutant}.json`), ...profileOf(mutant) });
      expect(r.violation, `${mutant}: not found in ${r.runs} runs`).to.not.equal(null);
      expect(r.violation!.config, 'the configuration that found it').to.match(/^#\d+, /);
      expect(r.swarm!.configs).to.be.at.least(1);
      // The failure file (not shrunk here) replays the run: same rules, same trace digest.
      const again = await replay(join(dir, `${mutant}.json`));
      expect(again.rules).to.deep.equal(r.violation!.fileRules);
      expect(again.digest).to.equal(r.violation!.fileDigest);
    });
  }

  for (const mutant of ['free-immediately', 'missing-undo'] as const) it(`a swarm failure (${mutant}) shrinks, and replays from its failure file with the same rules and digest`, async () => {
    const out = join(dir, 'shrunk.json');
    const r = await stress('default', { mutant, cpus: 2, runs: BUDGET[mutant]!, out });
    const v = r.violation!;
    expect(v.shrunk).to.not.equal(false);
    if (v.shrunk === false) return;
    expect(v.shrunk.scenario.after.ops).to.be.below(v.shrunk.scenario.before.ops);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { swarm?: { id: number }; scenario: { json: { workload: { keyRange: number } } } };
    expect(file.swarm?.id, 'the configuration is in the failure file').to.be.a('number');
    expect(file.scenario.json.workload.keyRange, 'the swarmed scenario is what the file keeps').to.be.at.most(512);
    const again = await replay(out);
    expect(again.rules).to.deep.equal(v.fileRules);
    expect(again.digest).to.equal(v.fileDigest);
  });

  it('a clean stress reports configurations, distinct runs, near misses and which bug classes could show', async () => {
    const one = await stress('smoke', { runs: 12 });
    expect(one.violation).to.equal(null);
    const reach = Object.fromEntries(one.swarm!.reach.map((c) => [c.name, c]));
    expect(reach['reclamation races']!.reachable).to.equal(false);
    expect(reach['reclamation races']!.detail).to.equal('no two CPUs ever touched the same key with one of them writing: these bugs cannot show here');
    expect(reach['program epochs']!.reachable).to.equal(false);
    const two = await stress('contention', { runs: 12 });
    expect(two.violation).to.equal(null);
    expect(two.swarm!.configs).to.be.at.least(8);
    expect(two.swarm!.schedules).to.equal(12);
    expect(two.swarm!.nearMisses.keyOverlap).to.be.greaterThan(0);
    expect(two.swarm!.reach.find((c) => c.name === 'reclamation races')!.reachable).to.equal(true);
  });

  it('swarm: false runs the scenario as written', async () => {
    const r = await stress('contention', { runs: 3, swarm: false });
    expect(r.swarm).to.equal(null);
    expect(r.strategy).to.equal('pct');
  });
});

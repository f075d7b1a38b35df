/**
 * `--json` on every command, as a child process: stdout is exactly one JSON
 * document (it parses whole, so nothing else is there), stderr is empty (no
 * progress off a terminal), and the document carries the real results.
 * `contract-diff --json` is run the same way in test/api/contract-diff.test.ts.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../../src/contract/rules.js';
import { MUTANT_NAMES } from '../../src/contract/mutants.js';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtins.js';
import type { ScenarioInfo } from '../../src/api/catalog.js';
import type { RunResult, DeterminismReport } from '../../src/api/run.js';
import type { StressReport } from '../../src/api/stress.js';
import type { ReplayReport } from '../../src/api/replay.js';
import type { MutantsReport } from '../../src/api/mutants.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'epochlab-json-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command with --json; returns the one document on stdout, after checking the exit code and an empty stderr. */
function jsonOf<T>(args: string[], status: number): T {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EPOCHLAB_')));
  const r = spawnSync(process.execPath, [MAIN, ...args, '--json'], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env });
  expect(r.error, 'the command did not run to completion').to.equal(undefined);
  expect(r.status, r.stderr).to.equal(status);
  expect(r.stderr).to.equal('');
  return JSON.parse(r.stdout) as T;
}

describe('cli/json: every command prints one JSON document', function () {
  this.timeout(120_000);

  it('scenarios --json: every built-in, with its description and scenario object', () => {
    const list = jsonOf<ScenarioInfo[]>(['scenarios'], 0);
    expect(list.map((s) => s.name)).to.deep.equal(Object.keys(BUILTIN_SCENARIOS));
    const smoke = list.find((s) => s.name === 'smoke')!;
    expect(smoke.description).to.equal(BUILTIN_SCENARIOS['smoke']!.description);
    expect(smoke.scenario).to.deep.include({ name: 'smoke', cpus: 1 });
    // `default` has every core of this machine filled in.
    expect(list.find((s) => s.name === 'default')!.scenario['cpus']).to.be.a('number');
  });

  it('rules --json: the catalog, each rule with its family', () => {
    const rules = jsonOf<Array<{ id: string; sentence: string; source: string; family: string }>>(['rules'], 0);
    expect(rules.map((r) => r.id)).to.deep.equal(RULES.map((r) => r.id));
    const uaf = rules.find((r) => r.id === 'memory.use-after-free')!;
    expect(uaf.family).to.equal('memory');
    expect(uaf.sentence).to.be.a('string').and.not.equal('');
  });

  it('run --json: the report of a clean run', () => {
    const r = jsonOf<RunResult>(['run', 'smoke'], 0);
    expect(r).to.deep.include({ scenario: 'smoke', source: 'builtin:smoke', cpus: 1, verdict: 'pass', exitCode: 0, violationCount: 0, digest: null });
    expect(r.ops).to.be.greaterThan(0);
    expect(r.rerun).to.match(/^epochlab run smoke --seed \d+ --cpus 1 /);
    expect(r.check!.events).to.be.greaterThan(0);
  });

  it('run --check-determinism --json: two runs, the same digest', () => {
    const d = jsonOf<DeterminismReport>(['run', 'smoke', '--mode', 'controlled', '--strategy', 'pct', '--check-determinism'], 0);
    expect(d).to.deep.include({ scenario: 'smoke', strategy: 'pct', same: true });
    expect(d.runs).to.have.length(2);
    expect(d.runs[0]!.digest).to.match(/^[0-9a-f]{64}$/).and.equal(d.runs[1]!.digest);
    expect(d.runs[0]!.decisions).to.be.greaterThan(0);
  });

  it('stress --strategy dfs --json: every schedule within the bound, exhausted', () => {
    const s = jsonOf<StressReport>(['stress', 'smoke', '--strategy', 'dfs', '--preemption-bound', '0'], 0);
    expect(s).to.deep.include({ scenario: 'smoke', strategy: 'dfs', violation: null });
    expect(s.dfs).to.deep.equal({ preemptionBound: 0, explored: s.runs, exhausted: true });
    expect(s.runs).to.be.greaterThan(0);
  });

  describe('a planted bug: stress --json, then replay --json', () => {
    let stress: StressReport;
    before(() => {
      stress = jsonOf<StressReport>(['stress', 'smoke', '--runs', '5', '--mutant', 'callback-under-lock'], 1);
    });

    it('stress --json: the violation, its failure file and the replay command', () => {
      expect(stress).to.deep.include({ scenario: 'smoke', runs: 1, seeds: [1], mutant: 'callback-under-lock' });
      const v = stress.violation!;
      expect(v.seed).to.equal(1);
      expect(v.rules['delete.post-after-unlock']).to.be.greaterThan(0);
      expect(v.failureFile).to.equal('epochlab-failure-smoke-1.json');
      expect(v.replay).to.equal('epochlab replay epochlab-failure-smoke-1.json');
    });

    it('replay --json: the same rules and the same digest as the file', () => {
      const r = jsonOf<ReplayReport>(['replay', stress.violation!.failureFile], 1);
      expect(r).to.deep.include({ scenario: 'smoke', mutant: 'callback-under-lock', reproduced: 'same', sameRules: true, sameDigest: true });
      expect(r.digest).to.equal(stress.violation!.fileDigest);
      expect(r.report!.rule).to.be.a('string');
    });
  });

  it('mutants --runs 1 --json: every mutant, in order; the deterministic ones found by seed 1', () => {
    const m = jsonOf<MutantsReport>(['mutants', '--runs', '1'], 1);
    expect(m.results.map((r) => r.mutant)).to.deep.equal([...MUTANT_NAMES]);
    expect(m.results.every((r) => r.runs === 1)).to.equal(true);
    const c = m.results.find((r) => r.mutant === 'callback-under-lock')!;
    expect(c).to.deep.include({ detected: true, seed: 1 });
    expect(c.rules['delete.post-after-unlock']).to.be.greaterThan(0);
    expect(c.shrunk!.ops).to.be.greaterThan(0);
    expect(m.medianSecondsToDetect).to.be.a('number');
  });
});

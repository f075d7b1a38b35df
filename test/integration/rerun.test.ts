/**
 * Every printed re-run or replay line reproduces the run it came from. Each
 * kind is taken from real output and run again as a child process:
 *
 * - `run`'s re-run line after a violation, in controlled mode with PCT and a
 *   mutant (same rules, same trace digest) and free-running (same verdict
 *   and rules);
 * - `stress`'s replay line, over seeds (shrunk) and with dfs;
 * - a `contract-diff` row's re-run line (free-running: same verdict and rules).
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult, StressReport, ReplayReport, ContractDiff } from '../../src/index.js';
import { contractDiff } from '../../src/api/contract-diff.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const MUTANT_HUNT = fileURLToPath(new URL('../../../examples/mutant-hunt.json', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'epochlab-rerun-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function epochlab(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
}

/** Runs a printed `epochlab ...` line (plus extra flags) and parses its --json output. */
function runLine<T>(line: string, extra: string[] = ['--json']): { status: number | null; out: T } {
  const words = line.trim().split(/\s+/);
  expect(words[0], line).to.equal('epochlab');
  const r = epochlab([...words.slice(1), ...extra]);
  expect(r.stderr, line).to.equal('');
  return { status: r.status, out: JSON.parse(r.stdout) as T };
}

function json<T>(args: string[]): { status: number | null; out: T } {
  const r = epochlab([...args, '--json']);
  expect(r.stderr, args.join(' ')).to.equal('');
  return { status: r.status, out: JSON.parse(r.stdout) as T };
}

const rulesOf = (r: RunResult): Record<string, number> => r.check?.byRule ?? {};

describe('integration: printed re-run and replay lines reproduce their run', function () {
  this.timeout(300_000);

  it('run --mode controlled --strategy pct --mutant: the re-run line gives the same rules and trace digest', () => {
    const first = json<RunResult>(['run', MUTANT_HUNT, '--mode', 'controlled', '--strategy', 'pct', '--pct-steps', '1500', '--seed', '14', '--mutant', 'free-immediately']);
    expect(first.status).to.equal(1);
    expect(rulesOf(first.out)).to.have.property('memory.use-after-free');
    const printed = first.out.check!.reports[0]!.rerun;
    expect(printed).to.equal(first.out.rerun);
    expect(printed).to.contain('--mode controlled').and.contain('--strategy pct').and.contain('--mutant free-immediately');
    const again = runLine<RunResult>(printed);
    expect(again.status).to.equal(1);
    expect(again.out.verdict).to.equal(first.out.verdict);
    expect(rulesOf(again.out)).to.deep.equal(rulesOf(first.out));
    expect(again.out.digest).to.be.a('string').and.equal(first.out.digest);
  });

  it('run free-running with a mutant: the re-run line gives the same verdict and rules', () => {
    const first = json<RunResult>(['run', 'smoke', '--mutant', 'callback-under-lock']);
    expect(first.status).to.equal(1);
    expect(first.out.rerun).to.contain('--mutant callback-under-lock');
    const again = runLine<RunResult>(first.out.rerun);
    expect(again.status).to.equal(1);
    expect(again.out.verdict).to.equal('fail');
    expect(rulesOf(again.out)).to.deep.equal(rulesOf(first.out));
  });

  it('stress over seeds: the replay line gives the same rules and trace digest as the failure file', () => {
    const first = json<StressReport>(['stress', 'smoke', '--runs', '5', '--mutant', 'callback-under-lock']);
    expect(first.status).to.equal(1);
    const v = first.out.violation!;
    expect(v.replay).to.equal(`epochlab replay ${v.failureFile}`);
    const again = runLine<ReplayReport>(v.replay);
    expect(again.status).to.equal(1);
    expect(again.out.reproduced).to.equal('same');
    expect(again.out.rules).to.deep.equal(v.fileRules);
    expect(again.out.digest).to.equal(v.fileDigest);
  });

  it('stress --strategy dfs: the replay line gives the same rules and trace digest', () => {
    const first = json<StressReport>(['stress', 'smoke', '--strategy', 'dfs', '--preemption-bound', '0', '--mutant', 'callback-under-lock', '--out', 'dfs.json']);
    expect(first.status).to.equal(1);
    const v = first.out.violation!;
    expect(v.replay).to.equal('epochlab replay dfs.json');
    const again = runLine<ReplayReport>(v.replay);
    expect(again.out.reproduced).to.equal('same');
    expect(again.out.digest).to.equal(v.digest);
  });

  it('contract-diff: a row\'s re-run line gives the same verdict and rules', async () => {
    // The rows contract-diff prints, from the API it prints them from (one scenario, both profiles).
    const diff: ContractDiff = await contractDiff(['diff-delete-under-lock']);
    const row = diff.asBuilt.find((r) => r.scenario === 'diff-delete-under-lock')!;
    expect(row.rerun).to.contain('--profile ebpf-for-windows');
    const run = diff.runs.find((r) => r.scenario === row.scenario && r.profile === row.profile)!;
    const again = runLine<RunResult>(row.rerun);
    expect(again.out.verdict).to.equal(run.verdict);
    const rules = { ...rulesOf(again.out) };
    for (const x of again.out.violations.filter((y) => y.seq === 0)) rules[x.rule] = (rules[x.rule] ?? 0) + 1;
    expect(rules).to.deep.equal(run.byRule);
  });
});

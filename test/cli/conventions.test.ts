/**
 * Command-line conventions: `--help` and `help COMMAND` print a command's
 * usage, every option with its default, the environment variables it reads
 * and an example (stdout, exit 0); `--version` prints the package version;
 * a duration needs a unit; EPOCHLAB_* variables stand in for flags, a flag
 * wins, an empty variable is unset, and a bad value names the variable.
 */
import { expect } from 'chai';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCli } from '../../src/cli/args.js';
import { COMMAND_DOCS, docOf } from '../../src/cli/docs.js';
import { ENV_VARS, variablesOf } from '../../src/cli/env.js';
import { VERSION } from '../../src/api/version.js';
import { badLine } from '../support/bad-line.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** The CLI as a child process, with no EPOCHLAB_* variable inherited unless `env` sets it. */
function epochlab(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EPOCHLAB_')));
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...clean, ...env } });
}

describe('cli/conventions: help and version', function () {
  this.timeout(60_000);

  it('epochlab --help lists every command and every variable, on stdout, exit 0', () => {
    for (const args of [['--help'], ['help'], []]) {
      const r = epochlab(args);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      for (const d of COMMAND_DOCS) expect(r.stdout).to.match(new RegExp(`^  ${d.name}\\b`, 'm'));
      for (const v of ENV_VARS) expect(r.stdout).to.contain(v.name);
      expect(r.stdout).to.contain(`epochlab ${VERSION}`);
    }
  });

  for (const doc of COMMAND_DOCS.filter((d) => d.name !== 'help')) {
    it(`epochlab ${doc.name} --help: usage, every option with its default, its variables, an example`, () => {
      const r = epochlab([doc.name, '--help']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      const out = r.stdout;
      expect(out.startsWith(`usage: epochlab ${doc.name}`), out).to.equal(true);
      for (const o of doc.options) {
        const line = out.split('\n').find((l) => l.startsWith(`  --${o.name}${o.value ? ` ${o.value}` : ''} `));
        expect(line, `--${o.name} in\n${out}`).to.not.equal(undefined);
        if (o.default !== undefined) expect(line).to.contain(`(default: ${o.default})`);
      }
      for (const v of variablesOf(doc.name)) expect(out).to.match(new RegExp(`^  ${v.name}=\\S+ +as --${v.flags[doc.name]}$`, 'm'));
      expect(out).to.contain(`example:\n  ${doc.example}\n`);
      // `epochlab help COMMAND` prints the same text.
      expect(epochlab(['help', doc.name]).stdout).to.equal(out);
    });
  }

  it('every command that reads a variable documents it, and every variable belongs to a documented option', () => {
    for (const v of ENV_VARS) {
      for (const [command, flag] of Object.entries(v.flags)) {
        expect(docOf(command)?.options.map((o) => o.name), `${v.name} for ${command}`).to.include(flag);
      }
    }
  });

  it('the parser takes every documented option of each command, and only those', () => {
    for (const doc of COMMAND_DOCS.filter((d) => d.name !== 'help')) {
      const args = doc.args.startsWith('[') || doc.args === '' ? [] : ['x'];
      for (const o of doc.options) {
        const argv = [doc.name, ...args, `--${o.name}`, ...(o.value ? ['1'] : [])];
        try {
          parseCli(argv);
        } catch (err) {
          expect((err as Error).message, argv.join(' ')).to.not.match(/unknown option|only valid with/);
        }
      }
    }
    expect(badLine(['rules', '--runs', '1'])).to.equal('epochlab: --runs: only valid with "stress", "mutants"');
  });

  it('--version and -V print the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = epochlab([flag]);
      expect(r.status).to.equal(0);
      expect(r.stdout).to.equal(`${VERSION}\n`);
      expect(r.stderr).to.equal('');
    }
  });

  it('help for an unknown command is bad input', () => {
    const r = epochlab(['help', 'frob']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('epochlab: unknown command "frob" (try: epochlab help)\n');
  });
});

describe('cli/conventions: durations need a unit', () => {
  it('a bare number is bad input naming the flag, exit 2', () => {
    const r = epochlab(['stress', 'smoke', '--time', '60']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('epochlab: --time: expected a duration with a unit, like 2s, 500ms or 1m, got "60"\n');
    expect(badLine(['run', '--duration', '500'])).to.equal('epochlab: --duration: expected a duration with a unit, like 2s, 500ms or 1m, got "500"');
    expect(parseCli(['run', '--duration', '500ms'])).to.deep.include({ duration: 500 });
  });
});

describe('cli/conventions: EPOCHLAB_* variables', () => {
  it('a variable applies when its flag is absent', () => {
    expect(parseCli(['run', 'smoke'], { EPOCHLAB_SEED: '7', EPOCHLAB_PROFILE: 'ebpf-for-windows' })).to.deep.include({ seed: 7, profile: 'ebpf-for-windows' });
    expect(parseCli(['stress', 'smoke'], {
      EPOCHLAB_SEED: '40', EPOCHLAB_SHARD: '2/3', EPOCHLAB_RUNS: '7', EPOCHLAB_STRATEGY: 'random', EPOCHLAB_JUNIT: 'ci.xml', EPOCHLAB_PROFILE: 'ebpf-for-windows',
    })).to.deep.include({ seedStart: 40, shard: 2, shards: 3, runs: 7, timeMs: null, strategy: 'random', junit: 'ci.xml', profile: 'ebpf-for-windows' });
    expect(parseCli(['stress', 'smoke'], { EPOCHLAB_TIME: '90s' })).to.deep.include({ runs: null, timeMs: 90_000 });
    expect(parseCli(['mutants'], { EPOCHLAB_RUNS: '12' })).to.deep.equal({ kind: 'mutants', json: false, runs: 12, runsGiven: true, scenario: null });
  });

  it('a flag wins over its variable', () => {
    expect(parseCli(['run', 'smoke', '--seed', '3'], { EPOCHLAB_SEED: '7' })).to.deep.include({ seed: 3 });
    expect(parseCli(['stress', 'smoke', '--shard', '1/2', '--seed-start', '5'], { EPOCHLAB_SHARD: '2/2', EPOCHLAB_SEED: '9' }))
      .to.deep.include({ shard: 1, shards: 2, seedStart: 5 });
    expect(parseCli(['mutants', '--runs', '4'], { EPOCHLAB_RUNS: 'x' })).to.deep.include({ runs: 4 });
    // The run length is one setting: --runs wins over EPOCHLAB_TIME, --time over EPOCHLAB_RUNS.
    expect(parseCli(['stress', 'smoke', '--runs', '3'], { EPOCHLAB_TIME: '60s' })).to.deep.include({ runs: 3, timeMs: null });
    expect(parseCli(['stress', 'smoke', '--time', '2s'], { EPOCHLAB_RUNS: '50' })).to.deep.include({ runs: null, timeMs: 2000 });
  });

  it('an empty variable counts as unset; a command reads only its own', () => {
    expect(parseCli(['stress', 'smoke'], { EPOCHLAB_SHARD: '', EPOCHLAB_RUNS: '' })).to.deep.include({ shard: 1, shards: 1, runs: 100 });
    expect(parseCli(['run', 'smoke'], { EPOCHLAB_RUNS: 'x', EPOCHLAB_SHARD: 'x', EPOCHLAB_STRATEGY: 'dfs' })).to.deep.include({ strategy: 'random' });
    expect(parseCli(['replay', 'f.json'], { EPOCHLAB_SEED: 'x' })).to.deep.equal({ kind: 'replay', file: 'f.json', json: false });
  });

  it('a bad value is bad input naming the variable', () => {
    expect(badLine(['stress', 'smoke'], { EPOCHLAB_SHARD: 'x' })).to.equal('epochlab: EPOCHLAB_SHARD: expected i/n with 1 <= i <= n, got "x"');
    expect(badLine(['run'], { EPOCHLAB_SEED: '-1' })).to.equal('epochlab: EPOCHLAB_SEED: expected a non-negative integer, got "-1"');
    expect(badLine(['stress', 'smoke'], { EPOCHLAB_TIME: '60' })).to.equal('epochlab: EPOCHLAB_TIME: expected a duration with a unit, like 2s, 500ms or 1m, got "60"');
    expect(badLine(['mutants'], { EPOCHLAB_RUNS: '0' })).to.equal('epochlab: EPOCHLAB_RUNS: expected a positive integer, got "0"');
    expect(badLine(['stress', 'smoke'], { EPOCHLAB_STRATEGY: 'bfs' })).to.match(/^epochlab: EPOCHLAB_STRATEGY: expected one of random, .*dfs, got "bfs"$/);
    expect(badLine(['stress', 'smoke'], { EPOCHLAB_RUNS: '5', EPOCHLAB_TIME: '1s' })).to.equal('epochlab: EPOCHLAB_TIME: cannot be used with EPOCHLAB_RUNS');
  });

  it('the command reads its variables from the environment: applied, and a bad one is exit 2', () => {
    const bad = epochlab(['stress', 'smoke', '--runs', '1'], { EPOCHLAB_SHARD: 'x' });
    expect(bad.status).to.equal(2);
    expect(bad.stdout).to.equal('');
    expect(bad.stderr).to.equal('epochlab: EPOCHLAB_SHARD: expected i/n with 1 <= i <= n, got "x"\n');
    const ok = epochlab(['stress', 'smoke', '--json'], { EPOCHLAB_RUNS: '2', EPOCHLAB_SEED: '10', EPOCHLAB_SHARD: '2/2' });
    expect(ok.status, ok.stderr).to.equal(0);
    const report = JSON.parse(ok.stdout) as { runs: number; seeds: number[]; shard: string };
    expect(report).to.deep.include({ runs: 2, shard: '2/2' });
    expect(report.seeds).to.deep.equal([11, 13]);
  });
});

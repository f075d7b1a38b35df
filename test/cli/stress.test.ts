/**
 * `epochlab stress`, `replay` and the failure file, as a child process:
 * clean runs exit 0 with no failure file, shards take disjoint seeds, --junit
 * writes well-formed JUnit XML, a planted bug is found on the first run and
 * written to a failure file that `epochlab replay` reproduces exactly (same
 * rules, same trace digest), and a malformed failure file is bad input.
 */
import { expect } from 'chai';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shardSeeds } from '../../src/hunt/hunt.js';
import { parseCli } from '../../src/cli/args.js';
import { BadInput } from '../../src/contract/bad-input.js';
import { xmlEscape, junitXml } from '../../src/api/junit.js';
import { seedSequence } from '../../src/hunt/stress-loop.js';
import { formatSeeds } from '../../src/cli/format.js';
import { readFailureFile } from '../../src/hunt/failure-file.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'epochlab-stress-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function epochlab(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

function freshDir(name: string): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}

/** The seeds a summary line lists: `seeds 1, 3, 5 (shard 1/2)`. */
function printedSeeds(stdout: string): number[] {
  const m = /seeds ([\d, ]+) \(shard/.exec(stdout);
  expect(m, stdout).to.not.equal(null);
  return m![1]!.split(',').map((s) => Number(s.trim()));
}

describe('cli/stress: arguments and seeds', () => {
  it('parses stress with its defaults', () => {
    expect(parseCli(['stress', 'smoke'])).to.deep.equal({
      kind: 'stress', scenario: 'smoke', runs: 100, timeMs: null, strategy: 'pct', pctDepth: 3, pctSteps: 3000, switchEvery: 1, preemptionBound: 1,
      seedStart: 1, shard: 1, shards: 1, mode: 'controlled', mutant: null, profile: 'documented', json: false,
      rules: null, noShrink: false, noSwarm: false, pinned: false,
    });
    expect(parseCli(['stress', 'smoke', '--switch-every', '5'])).to.deep.include({ pinned: true, switchEvery: 5 });
    expect(parseCli(['stress', 'smoke', '--no-swarm'])).to.deep.include({ noSwarm: true, pinned: false });
    expect(parseCli(['stress', 'smoke', '--time', '60s', '--shard', '2/3'])).to.deep.include({ runs: null, timeMs: 60_000, shard: 2, shards: 3 });
    expect(parseCli(['replay', 'f.json', '--trace', 'o.jsonl'])).to.deep.equal({ kind: 'replay', file: 'f.json', trace: 'o.jsonl', json: false });
    expect(parseCli(['mutants'])).to.deep.equal({ kind: 'mutants', json: false, runs: 0, runsGiven: false, scenario: null });
    expect(parseCli(['mutants', '--scenario', 'default'])).to.deep.include({ scenario: 'default' });
  });

  const bad: Array<[string[], string]> = [
    [['stress'], 'stress needs a SCENARIO'],
    [['stress', 'smoke', '--shard', '3/2'], '--shard: expected i/n with 1 <= i <= n'],
    [['stress', 'smoke', '--runs', '3', '--time', '1s'], '--time: cannot be used with --runs'],
    [['stress', 'smoke', '--cpus', '2'], '--cpus: only valid with "run"'],
    [['run', 'smoke', '--runs', '2'], '--runs: only valid with "stress", "mutants"'],
    [['replay'], 'replay needs a FILE'],
  ];
  for (const [argv, expected] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      expect(() => parseCli(argv)).to.throw(BadInput, expected);
    });
  }

  it('shards take disjoint seeds that cover the range', () => {
    const a = shardSeeds(1, 50, 1, 2);
    const b = shardSeeds(1, 50, 2, 2);
    expect(a.filter((s) => b.includes(s))).to.deep.equal([]);
    expect([...a, ...b].sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
    // --time draws the same sequence, unbounded.
    const timed = seedSequence({ runs: null, timeMs: 1000, seedStart: 1, shard: 2, shards: 3 });
    const first = Array.from({ length: 100 }, () => timed.next().value as number);
    expect(first).to.deep.equal(shardSeeds(1, 100, 2, 3));
    expect(formatSeeds([1, 3, 5])).to.equal('1, 3, 5');
    expect(formatSeeds(shardSeeds(1, 10, 1, 1))).to.equal('1, 2, 3, 4, 5 ... 10');
  });

  it('escapes XML', () => {
    expect(xmlEscape(`a<b>&"c'\u0001`)).to.equal('a&lt;b&gt;&amp;&quot;c&apos;');
    const xml = junitXml({ name: 's<1>', timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), time: 1,
      cases: [{ name: 'seed 1', classname: 'x.pct', time: 0.5, failure: { message: 'r&1', text: '<boom>' }, systemOut: 'replay: a & b' }] });
    expect(xml).to.contain('<testsuites name="s&lt;1&gt;" tests="1" failures="1" errors="0" time="1.000">');
    expect(xml).to.contain('<testsuite name="s&lt;1&gt;" tests="1" failures="1" errors="0" skipped="0" time="1.000" timestamp="2026-01-02T03:04:05">');
    expect(xml).to.contain('<failure message="r&amp;1" type="violation">&lt;boom&gt;</failure>');
    expect(xml).to.contain('<system-out>replay: a &amp; b</system-out>');
  });
});

describe('cli/stress: runs as a child process', function () {
  this.timeout(120_000);

  it('a clean stress exits 0, writes no failure file, and lists its seeds', () => {
    const dir = freshDir('clean');
    const r = epochlab(['stress', 'smoke', '--runs', '3'], dir);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.contain('3 runs, no violation');
    expect(printedSeeds(r.stdout)).to.deep.equal([1, 2, 3]);
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('--shard 1/2 and --shard 2/2 run disjoint seeds', () => {
    const dir = freshDir('shards');
    const one = epochlab(['stress', 'smoke', '--runs', '3', '--shard', '1/2'], dir);
    const two = epochlab(['stress', 'smoke', '--runs', '3', '--shard', '2/2'], dir);
    expect(one.status, one.stderr).to.equal(0);
    expect(two.status, two.stderr).to.equal(0);
    const a = printedSeeds(one.stdout);
    const b = printedSeeds(two.stdout);
    expect(a).to.deep.equal(shardSeeds(1, 3, 1, 2));
    expect(b).to.deep.equal(shardSeeds(1, 3, 2, 2));
    expect(a.filter((s) => b.includes(s))).to.deep.equal([]);
  });

  it('--junit writes a testsuites root, one timestamped testsuite, a testcase per run', () => {
    const dir = freshDir('junit');
    const r = epochlab(['stress', 'smoke', '--runs', '3', '--junit', 'out.xml'], dir);
    expect(r.status, r.stderr).to.equal(0);
    const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="epochlab stress smoke" tests="3" failures="0" errors="0" time="')).to.equal(true);
    expect(xml.match(/<testsuite /g)).to.have.length(1);
    expect(xml).to.match(/<testsuite name="epochlab stress smoke" tests="3" failures="0" errors="0" skipped="0" time="[\d.]+" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d">/);
    expect(xml.match(/<testcase name="seed \d+" classname="smoke\.pct" time="[\d.]+"\/>/g)).to.have.length(3);
    expect(xml.trimEnd().endsWith('</testsuite>\n</testsuites>')).to.equal(true);
  });

  it('--junit class names carry no dots of a scenario file name', () => {
    const dir = freshDir('junit-file');
    const scenario = join(dir, 'my.scenario.json');
    writeFileSync(scenario, JSON.stringify({ name: 'my.scenario', cpus: 1, maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
      threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 2 }] }] }));
    const r = epochlab(['stress', scenario, '--runs', '2', '--junit', 'out.xml'], dir);
    expect(r.status, r.stderr).to.equal(0);
    const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
    expect(xml.match(/classname="my_scenario\.pct"/g)).to.have.length(2);
  });

  describe('a planted bug: failure file and replay', () => {
    const dir = join(tmp, 'mutant');
    let stress: SpawnSyncReturns<string>;
    let file = '';
    before(() => {
      freshDir('mutant');
      stress = epochlab(['stress', 'smoke', '--runs', '5', '--mutant', 'callback-under-lock', '--junit', 'out.xml'], dir);
      file = join(dir, 'epochlab-failure-smoke-1.json');
    });

    it('stress stops at the first run, writes the failure file, prints the replay command, exits 1', () => {
      expect(stress.status, stress.stderr).to.equal(1);
      expect(stress.stdout).to.contain('VIOLATION on seed 1 (run 1;');
      expect(stress.stdout).to.contain('VIOLATION delete.post-after-unlock');
      expect(stress.stdout).to.match(/shrunk scenario: 1 CPU, 8 operations -> 1 CPU, [1-7] operations \(\d+ runs\)/);
      expect(stress.stdout).to.match(/shrunk schedule: \d+ decisions, \d+ preemptions -> \d+ decisions, \d+ preemptions/);
      expect(stress.stdout).to.contain('epochlab replay epochlab-failure-smoke-1.json');
      expect(existsSync(file)).to.equal(true);
      const f = readFailureFile(file);
      // Shrunk: the schedule is the shrunk one, replayed with the non-preemptive strategy.
      expect(f).to.deep.include({ version: 1, mode: 'controlled', strategy: 'sequential', mutant: 'callback-under-lock', seed: 1, cpus: 1 });
      expect(f.scenario.source).to.equal('builtin:smoke');
      // The scenario inline is the shrunk one: fewer explicit operations, still a delete.
      const ops = (f.scenario.json['threads'] as Array<{ ops: Array<{ op: string }> }>)[0]!.ops;
      expect(ops.length).to.be.lessThan(8);
      expect(ops.map((o) => o.op)).to.include('delete');
      expect(f.rules['delete.post-after-unlock']).to.be.greaterThan(0);
      expect((f.originalSchedule ?? []).length).to.be.greaterThan(0);
      expect(f.schedule.length).to.be.at.most((f.originalSchedule ?? []).length);
      const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
      expect(xml).to.contain('tests="1" failures="1"');
      expect(xml).to.match(/<failure message="[^"]*delete\.post-after-unlock[^"]*" type="violation">VIOLATION/);
      expect(xml).to.not.match(/<failure[^>]*>[^<]*<(?!\/failure>)/); // the report text is escaped
      expect(xml).to.contain('<system-out>failure file: epochlab-failure-smoke-1.json\nreplay: epochlab replay epochlab-failure-smoke-1.json</system-out>');
    });

    it('replay reproduces the same rules and the same trace digest, exit 1', () => {
      const r = epochlab(['replay', 'epochlab-failure-smoke-1.json', '--trace', 'replay.jsonl'], dir);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stdout).to.contain('reproduced: same rules, same trace digest');
      const f = readFailureFile(file);
      expect(r.stdout).to.contain(`digest: ${f.digest}`);
      const lines = readFileSync(join(dir, 'replay.jsonl'), 'utf8').trim().split('\n');
      expect(lines.length).to.be.greaterThan(10);
      expect(() => lines.map((l) => JSON.parse(l) as unknown)).to.not.throw();
    });

    it('a malformed failure file is bad input: exit 2, one line naming the file and field', () => {
      const f = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      f['schedule'] = [0, 'x'];
      writeFileSync(join(dir, 'broken.json'), JSON.stringify(f));
      const r = epochlab(['replay', 'broken.json'], dir);
      expect(r.status).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal('broken.json: schedule[1]: expected a non-negative integer, got "x"\n');
      writeFileSync(join(dir, 'notjson.json'), '{ nope');
      const n = epochlab(['replay', 'notjson.json'], dir);
      expect(n.status).to.equal(2);
      expect(n.stderr.trim().split('\n')).to.have.length(1);
      expect(n.stderr).to.match(/^notjson\.json: invalid JSON/);
    });
  });
});

/**
 * `epochlab bench` with tiny settings: the shape of its outputs (the CSV's
 * columns and rows, the JSON, the self-contained HTML page with a plot per
 * mix) and its bad flags. Never a time or a ratio: benchmarks are reported,
 * not asserted.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli } from '../../src/cli/args.js';
import { badLine } from '../support/bad-line.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const HEADER = 'name,total_ops,threads,spent,throughput,latency,ratio';
const SUBJECTS = ['epochlab-user', 'epochlab-helper', 'floor-same-shape', 'floor-one-load'];

describe('bench: the command with tiny settings', function () {
  this.timeout(120_000);
  let dir = '';
  let csv = '';
  let html = '';
  let json: Record<string, unknown> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'epochlab-bench-test-'));
    const args = ['bench', '--cpus', '1,2', '--duration', '60ms', '--reps', '1', '--capacity', '1024',
      '--only', 'readheavy,exchange,checker,micro,reclaim', '--csv', join(dir, 'b.csv'), '--html', join(dir, 'b.html'), '--json'];
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 110_000 });
    expect(r.status, r.stderr).to.equal(0);
    json = JSON.parse(r.stdout) as Record<string, unknown>;
    csv = readFileSync(join(dir, 'b.csv'), 'utf8');
    html = readFileSync(join(dir, 'b.html'), 'utf8');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a CSV in conc-map-bench columns plus ratio, one numeric row per measured name and threads', () => {
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).to.equal(HEADER);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const row of rows) {
      expect(row).to.have.length(7);
      for (const cell of row.slice(1, 6)) expect(Number.isFinite(Number(cell)) && cell !== '', row.join(',')).to.equal(true);
      expect(row[6] === '' || Number.isFinite(Number(row[6])), row.join(',')).to.equal(true);
    }
    const names = rows.map((r) => `${r[0]}@${r[2]}`);
    expect(new Set(names).size).to.equal(names.length);
    for (const mix of ['ReadHeavy', 'Exchange']) {
      expect(names).to.include(`${mix}/js-map@1`);
      for (const s of SUBJECTS) for (const n of [1, 2]) expect(names).to.include(`${mix}/${s}@${n}`);
    }
    for (const mode of ['unchecked', 'checked', 'checked+jsonl']) expect(names.filter((n) => n.startsWith(`default/default-${mode}@`))).to.have.length(1);
    expect(rows.filter((r) => r[0]!.startsWith('RapidGrow'))).to.have.length(0);
  });

  it('prints the whole result as JSON: machine, options, rows, reclamation, micro', () => {
    expect(json).to.have.keys(['machine', 'options', 'rows', 'reclaim', 'micro', 'elapsedMs']);
    expect(json['machine']).to.include.keys(['cpuModel', 'cores', 'node', 'loadStart', 'loadEnd']);
    expect((json['rows'] as unknown[]).length).to.equal(csv.trimEnd().split('\n').length - 1);
    const reclaim = json['reclaim'] as Record<string, Record<string, unknown>>;
    expect(reclaim['steady']).to.include.keys(['freed', 'ticks', 'micros', 'peakGarbage', 'steadyGarbage', 'cpuTicks', 'plot']);
    expect(reclaim['steady']!['stall']).to.equal(null);
    expect(reclaim['stalled']!['stall']).to.include.keys(['happened', 'ticks', 'ms', 'before', 'peak', 'after', 'final', 'backlogTickMs']);
    for (const run of ['steady', 'stalled']) {
      const f = reclaim[run] as { ticks: Record<string, number>; micros: Record<string, number>; peakGarbage: number; steadyGarbage: number;
        plot: { ms: number[]; garbage: number[] } };
      for (const lat of [f.ticks, f.micros]) expect(lat['p50']! <= lat['p99']! && lat['p99']! <= lat['max']!, `${run}: ${JSON.stringify(lat)}`).to.equal(true);
      expect(f.peakGarbage).to.be.at.least(f.steadyGarbage);
      expect(f.plot.ms.length).to.equal(f.plot.garbage.length);
      expect(f.plot.ms.length).to.be.at.most(300);
    }
  });

  it('writes one self-contained HTML page with throughput and latency plots per mix, and the reclamation runs\' garbage', () => {
    for (const mix of ['ReadHeavy', 'Exchange']) expect((html.match(new RegExp(`<svg [^>]*data-mix="${mix}"`, 'g')) ?? []).length).to.equal(2);
    expect((html.match(/<svg [^>]*data-mix="reclaim"/g) ?? []).length).to.equal(1); // garbage per tick, steady and stalled
    expect((html.match(/<svg /g) ?? []).length).to.equal(5);
    expect(html).to.not.match(/https?:/);
    expect(html).to.not.match(/<script\b/i);
    expect(html).to.not.match(/<link\b/i);
  });
});

describe('bench: bad flags are one line naming the flag', () => {
  it('checks --cpus, --only, --capacity, --duration and --reps', () => {
    expect(badLine(['bench', '--cpus', '1,x'])).to.equal('epochlab: --cpus: expected CPU counts from 1 to 64 separated by commas, like 1,2,4, got "x"');
    expect(badLine(['bench', '--only', 'readheavy,fast'])).to.match(/^epochlab: --only: expected some of readheavy, .* got "fast"$/);
    expect(badLine(['bench', '--capacity', '1000'])).to.equal('epochlab: --capacity: expected a power of two from 1024 to 1048576, got "1000"');
    expect(badLine(['bench', '--duration', '100'])).to.match(/^epochlab: --duration: expected a duration with a unit/);
    expect(badLine(['bench', '--reps', '0'])).to.equal('epochlab: --reps: expected a positive integer, got "0"');
    expect(badLine(['bench', 'extra'])).to.equal('epochlab: unexpected argument "extra"');
  });

  it('exits 2 with one line on stderr', () => {
    const r = spawnSync(process.execPath, [MAIN, 'bench', '--only', 'nothing'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
  });

  it('takes the defaults: every mix and section, 1..cores CPUs', () => {
    const cmd = parseCli(['bench']);
    expect(cmd).to.deep.include({ kind: 'bench', reps: 3, durationMs: 750, log2Capacity: 16, mixes: ['ReadHeavy', 'Exchange', 'RapidGrow'] });
    expect((cmd as { sections: string[] }).sections).to.deep.equal(['mixes', 'reclaim', 'checker', 'micro']);
  });
});

/**
 * `epochlab timeline` and `epochlab export` as child processes, on traces of
 * real runs: the timeline of `run smoke --mode controlled` is exactly the
 * checked-in text; --from/--to/--cpus pick rows and columns; colour only on
 * a terminal without NO_COLOR (a pseudo-terminal through script(1)); bad
 * flags and bad trace files are bad input (exit 2, one line on stderr,
 * nothing on stdout).
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraceFile } from '../../src/view/trace-file.js';
import { COLUMN } from '../../src/view/timeline-text.js';
import type { TraceEvent } from '../../src/trace/decode.js';

const MAIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'timeline', 'smoke-controlled.txt');
const tmp = mkdtempSync(join(tmpdir(), 'epochlab-timeline-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function epochlab(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EPOCHLAB_') && k !== 'NO_COLOR'));
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...clean, ...env } });
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.status, r.stderr).to.equal(0);
  expect(r.stderr).to.equal('');
  return r.stdout;
}

function badInput(r: SpawnSyncReturns<string>): string {
  expect(r.status, r.stderr).to.equal(2);
  expect(r.stdout).to.equal('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).to.have.length(1);
  return lines[0]!;
}

const ESC = '\u001b[';
/** The prefix of a row: seq (6), a space, t (6 in controlled mode), two spaces. */
const PREFIX = 15;

describe('cli/timeline: the terminal timeline of real traces', function () {
  this.timeout(180_000);
  const smoke = join(tmp, 'smoke.jsonl');
  const rd = join(tmp, 'rd.jsonl');
  let rdEvents: TraceEvent[];

  before(async () => {
    ok(epochlab(['run', 'smoke', '--mode', 'controlled', '--trace', smoke]));
    ok(epochlab(['run', 'examples/replace-and-delete.json', '--mode', 'controlled', '--trace', rd]));
    rdEvents = await loadTraceFile(rd);
  });

  it('run smoke --mode controlled: the timeline is exactly test/fixtures/timeline/smoke-controlled.txt', () => {
    expect(ok(epochlab(['timeline', smoke]))).to.equal(readFileSync(FIXTURE, 'utf8'));
  });

  it('--from/--to keep the rows in that seq range; --cpus 1,m keeps CPU 1 and the epoch manager, each in its column', () => {
    const lines = ok(epochlab(['timeline', rd, '--from', '30', '--to', '90', '--cpus', '1,m'])).trimEnd().split('\n');
    expect(lines[1]).to.match(/^ +seq +t  CPU 1 +epoch manager$/);
    expect(lines[1]!.indexOf('epoch manager')).to.equal(PREFIX + COLUMN);
    const rows = lines.slice(3, -1);
    const wanted = rdEvents.filter((e) => e.seq >= 30 && e.seq <= 90 && (e.cpu === 1 || e.cpu === -1) && !e.event.startsWith('run_'));
    expect(rows.map((r) => Number(r.slice(0, 6)))).to.deep.equal(wanted.map((e) => e.seq));
    rows.forEach((row, i) => {
      const column = wanted[i]!.cpu === 1 ? 0 : 1;
      expect(row.slice(PREFIX).search(/\S/), row).to.equal(column * COLUMN);
      expect(Number(row.slice(7, 13)), row).to.equal(wanted[i]!.t);
    });
    expect(lines.at(-1)).to.equal(`${wanted.length} row(s) shown`);
    const cpu0 = ok(epochlab(['timeline', rd, '--cpus', '0'])).trimEnd().split('\n');
    expect(cpu0[1]).to.match(/^ +seq +t  CPU 0$/);
    expect(cpu0.slice(3, -1)).to.have.length(rdEvents.filter((e) => e.cpu === 0 && !e.event.startsWith('run_')).length);
  });

  it('--json: one document with the lanes and a row per event', () => {
    const doc = JSON.parse(ok(epochlab(['timeline', smoke, '--json']))) as { lanes: string[]; rows: Array<{ seq: number; lane: string; text: string }>; shown: number; verdict: string };
    expect(doc.lanes).to.deep.equal(['CPU 0', 'epoch manager']);
    expect(doc.rows.map((r) => r.seq)).to.deep.equal(Array.from({ length: doc.shown }, (_, i) => i + 1));
    expect(doc.rows.find((r) => r.seq === 4)).to.deep.include({ lane: 'epoch manager', text: 'advance 2 (released 0)' });
    expect(doc.verdict).to.equal('pass');
  });

  it('colours only on a terminal without NO_COLOR; in a pipe the text is plain', function () {
    expect(ok(epochlab(['timeline', smoke]))).to.not.contain(ESC);
    if (!existsSync('/usr/bin/script')) this.skip();
    const onTerminal = (env: Record<string, string>): string => {
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} timeline ${JSON.stringify(smoke)}`;
      const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env, NO_COLOR: env['NO_COLOR'] ?? '' } });
      expect(r.status, r.stderr).to.equal(0);
      return r.stdout.replace(/\r\n/g, '\n');
    };
    const coloured = onTerminal({});
    expect(coloured).to.contain(`${ESC}1m   seq`);
    expect(coloured).to.contain(`${ESC}36mcreate m${ESC}0m`);
    expect(coloured).to.contain(`${ESC}34madvance 2 (released 0)${ESC}0m`);
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain).to.not.contain(ESC);
    expect(plain).to.equal(readFileSync(FIXTURE, 'utf8'));
  });

  it('bad flags and bad trace files are bad input: exit 2, one line, nothing on stdout', () => {
    expect(badInput(epochlab(['timeline', rd, '--cpus', '0,x']))).to.equal('epochlab: --cpus: expected CPU numbers and m (the epoch manager), like 0,1,m, got "x"');
    expect(badInput(epochlab(['timeline', rd, '--cpus', '2']))).to.equal('epochlab: --cpus: CPU 2 is not in the trace (it has CPU 0, CPU 1, and m for the epoch manager)');
    expect(badInput(epochlab(['timeline', rd, '--from', '9', '--to', '3']))).to.equal('epochlab: --from: must be at most --to (9 > 3)');
    expect(badInput(epochlab(['timeline', rd, '--from=-1']))).to.equal('epochlab: --from: expected a non-negative integer, got "-1"');
    expect(badInput(epochlab(['timeline']))).to.equal('epochlab: timeline needs a TRACE (a JSON Lines file written by run --trace)');
    expect(badInput(epochlab(['timeline', join(tmp, 'none.jsonl')]))).to.equal(`${join(tmp, 'none.jsonl')}: cannot read trace file (ENOENT)`);
    const broken = join(tmp, 'broken.jsonl');
    const lines = readFileSync(smoke, 'utf8').split('\n');
    writeFileSync(broken, [...lines.slice(0, 50), '{"seq": 51, "t": ', ...lines.slice(51)].join('\n'));
    expect(badInput(epochlab(['timeline', broken]))).to.match(new RegExp(`^${broken}: line 51: invalid JSON: `));
    expect(badInput(epochlab(['timeline', rd, '--perfetto', 'x.json']))).to.equal('epochlab: --perfetto: only valid with "run", "replay", "export"');
  });
});

describe('cli/export: a trace file as a Perfetto / Chrome trace', function () {
  this.timeout(120_000);
  const trace = join(tmp, 'export.jsonl');

  before(() => {
    ok(epochlab(['run', 'examples/replace-and-delete.json', '--mode', 'controlled', '--trace', trace]));
  });

  it('writes the file and says what it wrote; --json prints the same as one document', () => {
    const out = join(tmp, 'export.json');
    const text = ok(epochlab(['export', trace, '--perfetto', out]));
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Array<{ ph: string }> };
    const flows = doc.traceEvents.filter((e) => e.ph === 's').length;
    expect(text.split('\n')[0]).to.match(new RegExp(`^export ${trace}: \\d+ events -> ${out} \\(${doc.traceEvents.length} trace events: \\d+ slices, ${flows} retire->free flows, 0 violations\\)$`));
    expect(text).to.contain('tracks: CPU 0, CPU 1, epoch manager; time: 1 µs = 1 scheduling decision (controlled mode)');
    const json = JSON.parse(ok(epochlab(['export', trace, '--perfetto', out, '--json']))) as Record<string, unknown>;
    expect(json).to.include({ trace, file: out, written: doc.traceEvents.length, flows, timeUnit: 'decision' });
  });

  it('run --perfetto writes the same export while the run goes; not with --check-determinism', () => {
    const live = join(tmp, 'live.json');
    ok(epochlab(['run', 'examples/replace-and-delete.json', '--mode', 'controlled', '--perfetto', live]));
    ok(epochlab(['export', trace, '--perfetto', join(tmp, 'again.json')]));
    const events = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as { traceEvents: unknown[] }).traceEvents;
    expect(events(live)).to.deep.equal(events(join(tmp, 'again.json')));
    expect(badInput(epochlab(['run', 'smoke', '--mode', 'controlled', '--check-determinism', '--perfetto', live])))
      .to.equal('epochlab: --perfetto: cannot be used with --check-determinism');
  });

  it('bad input: no --perfetto, an unwritable output, a bad trace (and no half-written export)', () => {
    expect(badInput(epochlab(['export', trace]))).to.equal('epochlab: --perfetto: export needs --perfetto OUT.json (the file to write)');
    expect(badInput(epochlab(['export', trace, '--perfetto', join(tmp, 'no', 'such', 'dir.json')]))).to.match(/^epochlab: --perfetto: cannot write .*: ENOENT$/);
    expect(badInput(epochlab(['export', trace, '--perfetto', trace]))).to.equal(`epochlab: --perfetto: ${trace} is the trace file itself: name another file`);
    expect(badInput(epochlab(['export', tmp, '--perfetto', join(tmp, 'dir.json')]))).to.equal(`${tmp}: cannot read trace file (EISDIR)`);
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(trace, 'utf8').split('\n').slice(0, 20).join('\n')}\n[1, 2]\n`);
    const out = join(tmp, 'bad.json');
    expect(badInput(epochlab(['export', bad, '--perfetto', out]))).to.equal(`${bad}: line 21: not a trace event (an object with seq, cpu and event)`);
    expect(existsSync(out)).to.equal(false);
  });
});

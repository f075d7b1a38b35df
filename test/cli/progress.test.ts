/**
 * The live progress line: painted on stderr only when stderr is a terminal.
 * The module with a fake stream (paints, throttling, cutting to the width,
 * the final newline, silence when not a TTY); the commands as child
 * processes with stderr a pipe (nothing on stderr at all), and under
 * util-linux `script` (a pseudo-terminal) where the line is painted.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProgressLine, type ProgressStream } from '../../src/cli/progress.js';
import { runProgressText } from '../../src/cli/run.js';
import { stressProgressText } from '../../src/cli/stress.js';
import { parseCli } from '../../src/cli/args.js';
import { runPlan } from '../../src/runtime/runner.js';
import { loadScenario } from '../../src/scenario/scenario.js';
import type { RunProgress } from '../../src/runtime/progress.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** A stream that records what was written; a terminal when `isTTY`. */
function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { out: string } {
  const s = { isTTY, out: '', write(text: string) { s.out += text; return true; }, ...(columns !== undefined ? { columns } : {}) };
  return s;
}

describe('cli/progress: the progress line', () => {
  it('writes nothing at all when the stream is not a terminal', () => {
    const s = fakeStream(false);
    const p = new ProgressLine(s);
    p.update('one', true);
    p.done('two');
    expect(p.live).to.equal(false);
    expect(s.out).to.equal('');
  });

  it('on a terminal: carriage return, the line, clear to end; throttled; done ends with a newline', () => {
    let now = 0;
    const s = fakeStream(true);
    const p = new ProgressLine(s, 100, () => now);
    p.update('a');
    p.update('b'); // under 100 ms after the last paint: not painted
    now = 150;
    p.update('c');
    p.update('d', true);
    p.done();
    expect(s.out).to.equal('\ra\u001b[K\rc\u001b[K\rd\u001b[K\rd\u001b[K\n');
  });

  it('cuts the line to the terminal width so it never wraps, and stays silent when never set', () => {
    const s = fakeStream(true, 11);
    const p = new ProgressLine(s);
    p.done();
    expect(s.out).to.equal('');
    p.update('0123456789abcdef');
    expect(s.out).to.equal('\r0123456789\u001b[K');
  });

  it('formats a run and a stress', () => {
    const p: RunProgress = { ops: 12345, events: 678, decisions: 0, elapsedMs: 2000, plannedMs: 10_000 };
    expect(runProgressText('default', { ...p, stage: 'run' })).to.equal('run default: 12,345 ops, 6,173 ops/s, 678 events, 2.0 of 10 s');
    expect(runProgressText('smoke', { ...p, decisions: 90, plannedMs: null, stage: 'first of two' }))
      .to.equal('run smoke (run 1 of 2): 12,345 ops, 6,173 ops/s, 678 events, 90 decisions, 2.0 s');
    const cmd = parseCli(['stress', 'smoke', '--runs', '10']);
    if (cmd.kind !== 'stress') throw new Error('expected stress');
    expect(stressProgressText(cmd, { runs: 5, decisions: 5000, elapsedMs: 1000 }, 0))
      .to.equal('stress smoke: 5/10 runs, 5.0 runs/s, 5,000 steps/s, 0 violations, 1s left');
  });
});

describe('cli/progress: the runtime reports progress while a run goes', function () {
  this.timeout(60_000);

  it('onProgress sees the operations and events grow, with the planned length', async () => {
    const plan = await loadScenario('default', { cpus: 1 });
    plan.workload!.durationMs = 700;
    plan.trace = true;
    const seen: RunProgress[] = [];
    const report = await runPlan(plan, { onProgress: (p) => seen.push(p), progressMs: 50 });
    expect(seen.length).to.be.greaterThan(1);
    expect(seen.every((p) => p.plannedMs === 700 && p.decisions === 0)).to.equal(true);
    const last = seen.at(-1)!;
    expect(last.ops).to.be.greaterThan(0).and.at.most(report.ops);
    expect(last.events).to.be.greaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.ops).to.be.at.least(seen[i - 1]!.ops);
  });
});

describe('cli/progress: the commands', function () {
  this.timeout(120_000);

  it('with stderr a pipe, a clean run and a clean stress write nothing on stderr', () => {
    for (const args of [['run', 'default', '--cpus', '1', '--duration', '500ms'], ['stress', 'smoke', '--runs', '3']]) {
      const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.not.contain('\r');
    }
  });

  /** The command under a pseudo-terminal (util-linux script), stdout and stderr both to it; null without `script`. */
  function underTerminal(args: string[]): string | null {
    if (spawnSync('script', ['--version'], { encoding: 'utf8' }).error) return null;
    const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
    const line = [process.execPath, MAIN, ...args].map(quote).join(' ');
    const r = spawnSync('script', ['-qfec', line, '/dev/null'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  }

  it('on a terminal, run and stress paint a progress line, ended by a newline before the summary', function () {
    const run = underTerminal(['run', 'default', '--cpus', '1', '--duration', '800ms']);
    if (run === null) this.skip();
    expect(run).to.match(/\rrun default: [\d,]+ ops, [\d,]+ ops\/s, [\d,]+ events, \d+\.\d of 0\.8 s\u001b\[K/);
    expect(run).to.match(/\u001b\[K\r?\nepochlab run: default/);
    const stress = underTerminal(['stress', 'smoke', '--runs', '3'])!;
    expect(stress).to.contain('\rstress smoke: 3/3 runs, ');
    expect(stress).to.match(/0 violations, 0s left\u001b\[K\r?\nstress smoke: 3 runs, no violation/);
  });
});

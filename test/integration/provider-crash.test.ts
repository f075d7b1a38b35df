/**
 * A provider that breaks its thread (process.exit, a throwing or malformed
 * createProvider in a worker, a damaged shared-buffer header, an error from
 * a timer or a promise) ends the run with a report: exit 1, a
 * provider.crashed violation naming the CPU, the callback when there is one,
 * the provider's message and its own stack frames, a trace that ends in
 * run_end, and a process that exits by itself. Each case is the `epochlab`
 * command run as a child process on test/fixtures/providers/crashing.ts.
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckedReport } from '../../src/harness/checked-run.js';

/** <outDir>/: this file is <outDir>/test/integration/provider-crash.test.js. */
const OUT_DIR = new URL('../../', import.meta.url);
const MAIN = fileURLToPath(new URL('src/cli/main.js', OUT_DIR));
const PROVIDER = fileURLToPath(new URL('test/fixtures/providers/crashing.js', OUT_DIR));

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-provider-crash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** One CPU, one map of the crashing provider, an update and a find. */
function scenarioFile(crash: string): string {
  const file = join(tmp, `${crash}.json`);
  writeFileSync(file, JSON.stringify({
    cpus: 1,
    maps: { m: { provider: PROVIDER, keySize: 4, valueSize: 4, maxEntries: 8, options: { crash } } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 2 }, { op: 'find', map: 'm', key: 1 }] }],
  }));
  return file;
}

function epochlab(args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 90_000 });
  // The child ended by itself (no timeout kill): no thread was left to keep it alive.
  expect(r.error, 'the command exited by itself').to.equal(undefined);
  expect(r.signal, 'not killed').to.equal(null);
  return r;
}

interface Crash {
  report: CheckedReport;
  trace: Array<Record<string, unknown>>;
  stdout: string;
}

/** Runs the scenario of `crash` with --json and a trace file; checks what every crash has in common. */
function runCrash(crash: string): Crash {
  const traceFile = join(tmp, `${crash}.jsonl`);
  const r = epochlab(['run', scenarioFile(crash), '--json', '--trace', traceFile]);
  expect(r.status, `stderr: ${r.stderr}`).to.equal(1);
  expect(r.stderr).to.equal('');
  expect(r.stdout).to.not.contain('node_modules');
  expect(r.stdout).to.not.contain('Terminating worker thread');
  const report = JSON.parse(r.stdout) as CheckedReport;
  expect(report.verdict).to.equal('fail');
  expect(report.exitCode).to.equal(1);
  const trace = readFileSync(traceFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(trace[0]!['event']).to.equal('run_begin');
  expect(trace.at(-1)!['event']).to.equal('run_end');
  expect(trace.at(-1)!['verdict']).to.equal('fail');
  return { report, trace, stdout: r.stdout };
}

/** The provider.crashed violations of a run: the report's, and the trace's. */
function crashes(c: Crash): Array<{ cpu: number; message: string }> {
  const fromReport = c.report.violations.filter((v) => v.rule === 'provider.crashed');
  const fromTrace = c.trace.filter((e) => e['event'] === 'violation' && e['rule'] === 'provider.crashed');
  expect(fromTrace.map((e) => e['message'])).to.deep.equal(fromReport.map((v) => v.message));
  expect(c.report.check?.byRule['provider.crashed']).to.equal(fromReport.length);
  return fromReport;
}

/** A provider frame: the fixture's file and a line number. */
const OWN_FRAME = /provider stack: at [^;]*crashing\.js:\d+:\d+/;

describe('integration/provider-crash: a provider that breaks its thread gets a report', function () {
  this.timeout(180_000);

  it('process.exit in preprocess_map_update_element: provider.crashed on CPU 0 naming the callback and the exit', () => {
    const c = crashes(runCrash('exit-in-update'));
    expect(c).to.have.length(1);
    expect(c[0]!.cpu).to.equal(0);
    expect(c[0]!.message).to.contain('preprocess_map_update_element called process.exit(3) on CPU 0 (map m)');
    expect(c[0]!.message).to.match(OWN_FRAME);
  });

  it('process.exit in a work item the provider queued: provider.crashed on CPU 0', () => {
    const c = crashes(runCrash('exit-in-work-item'));
    expect(c).to.have.length(1);
    expect(c[0]!.cpu).to.equal(0);
    expect(c[0]!.message).to.contain('a provider work item called process.exit(3) on CPU 0');
    expect(c[0]!.message).to.match(OWN_FRAME);
  });

  it('process.exit in postprocess_map_delete: reported on the system lane, and the command exits', () => {
    const c = crashes(runCrash('exit-in-map-delete'));
    expect(c).to.have.length(1);
    expect(c[0]!.cpu).to.equal(-1);
    expect(c[0]!.message).to.contain('postprocess_map_delete called process.exit(3) on the system lane (cpu -1)');
    expect(c[0]!.message).to.match(OWN_FRAME);
    // The text report too: no stack of the runtime or the thread pool.
    const r = epochlab(['run', scenarioFile('exit-in-map-delete')]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.match(/^VIOLATION provider\.crashed: /m);
    expect(r.stdout).to.not.match(/^\s+at /m);
    expect(r.stdout).to.not.contain('piscina');
  });

  it('createProvider that throws in a CPU thread: provider.crashed on CPU 0 with its message and frame', () => {
    const c = crashes(runCrash('throw-in-worker'));
    expect(c[0]!.cpu).to.equal(0);
    expect(c[0]!.message).to.contain('createProvider(options) for map m threw Error: no device for this thread on CPU 0 (cpu task)');
    expect(c[0]!.message).to.match(/provider stack: at createProvider \([^)]*crashing\.js:\d+:\d+\)/);
  });

  it('createProvider that returns no dispatch table, or no properties, in a CPU thread', () => {
    const malformed = crashes(runCrash('malformed-in-worker'));
    expect(malformed[0]!.cpu).to.equal(0);
    expect(malformed[0]!.message).to.contain('createProvider(options) for map m returned a provider without a dispatch table on CPU 0 (cpu task)');
    const noProperties = crashes(runCrash('no-properties-in-worker'));
    expect(noProperties[0]!.message).to.contain('returned a provider without properties');
  });

  it('a provider that ends its thread outright: the lost task is provider.crashed on CPU 0, naming the operation', () => {
    const c = crashes(runCrash('end-thread'));
    expect(c).to.have.length(1);
    expect(c[0]!.cpu).to.equal(0);
    expect(c[0]!.message).to.equal('the thread running the cpu task of CPU 0 ended during update on map m: worker exited with code: 5');
  });

  it('a provider that writes over the shared buffer\'s header: stopped at the write when checked, provider.crashed naming the words when not', () => {
    // Checked: the memory checker refuses the write and names it; the header is never damaged.
    const checked = runCrash('header');
    expect(checked.report.violations.filter((v) => v.rule === 'provider.crashed')).to.have.length(0);
    const refused = checked.report.violations.filter((v) => v.rule === 'memory.out-of-bounds');
    expect(refused.map((v) => [v.cpu, v.message])).to.deep.equal([
      [0, 'write of 64 bytes at 0: in the runtime\'s own records, not arena memory, in preprocess_map_update_element on CPU 0'],
    ]);
    // --no-check: plain memory, so the damage happens; it is found when the task ends.
    const r = epochlab(['run', scenarioFile('header'), '--no-check', '--json']);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.equal('');
    const report = JSON.parse(r.stdout) as CheckedReport;
    const c = report.violations.filter((v) => v.rule === 'provider.crashed');
    expect(c).to.have.length(1);
    // Whichever lane looks first finds it: CPU 0 when its task ends, or (seen once,
    // on a loaded machine) the system lane, whose own task looked after the write.
    expect(c[0]!.cpu).to.be.oneOf([0, -1]);
    expect(c[0]!.message).to.contain("the shared buffer's header was overwritten (Magic is 0x0 instead of 0x45504c42");
    expect(c[0]!.message).to.match(/\(found (when|at) .+\)$/);
  });

  it('errors thrown from a timer and from an unhandled promise of the provider', () => {
    const timer = crashes(runCrash('timer'));
    expect(timer[0]!.cpu).to.equal(0);
    expect(timer[0]!.message).to.contain('outside any callback');
    expect(timer[0]!.message).to.contain('threw Error: a timer of the provider failed');
    expect(timer[0]!.message).to.match(OWN_FRAME);
    const promise = crashes(runCrash('promise'));
    expect(promise[0]!.message).to.contain('threw Error: a promise of the provider was rejected');
    expect(promise[0]!.message).to.match(/at Object\.preprocessMapUpdateElement \([^)]*crashing\.js/);
  });

  it('stress counts a crash as a found failure: failure file, and replay reproduces provider.crashed', () => {
    const file = scenarioFile('exit-in-update');
    const stress = spawnSync(process.execPath, [MAIN, 'stress', file, '--runs', '2'], { cwd: tmp, encoding: 'utf8', timeout: 90_000 });
    expect(stress.error).to.equal(undefined);
    expect(stress.status, stress.stderr).to.equal(1);
    expect(stress.stderr).to.equal('');
    expect(stress.stdout).to.contain('rules: provider.crashed x1');
    expect(stress.stdout).to.contain('epochlab replay epochlab-failure-exit-in-update-1.json');
    const failure = JSON.parse(readFileSync(join(tmp, 'epochlab-failure-exit-in-update-1.json'), 'utf8')) as { rules: Record<string, number> };
    expect(failure.rules).to.deep.equal({ 'provider.crashed': 1 });
    const replay = spawnSync(process.execPath, [MAIN, 'replay', 'epochlab-failure-exit-in-update-1.json'], { cwd: tmp, encoding: 'utf8', timeout: 90_000 });
    expect(replay.error).to.equal(undefined);
    expect(replay.status, replay.stderr).to.equal(1);
    expect(replay.stdout).to.contain('preprocess_map_update_element called process.exit(3) on CPU 0 (map m)');
    expect(replay.stdout).to.contain('reproduced: same rules, same trace digest');
  });
});

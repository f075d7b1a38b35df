/**
 * The `epochlab` command as a child process: bad input (exit code 2, one
 * line on stderr naming the file and the field, no stack trace), a provider
 * callback that throws (exit code 1, a violation in the summary and the
 * trace), and the watchdog ending a run whose CPU makes no progress.
 */
import { expect } from 'chai';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'epochlab-bad-input-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function epochlab(args: string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: process.cwd(), encoding: 'utf8', timeout: timeoutMs });
}

/** A valid one-CPU scenario; `patch` edits it before it is written. */
function scenario(patch: (s: any) => void = () => {}): Record<string, unknown> {
  const s = {
    cpus: 1,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 8 } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 2 }, { op: 'find', map: 'm', key: 1 }] }],
  };
  patch(s);
  return s;
}

function writeScenario(name: string, content: Record<string, unknown> | string): string {
  const file = join(tmp, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const CREATE_AND_DELETE = `
      preprocessMapCreate(ctx, type, k, v, max, out) { out.actualValueSize = v; out.mapContext = ctx.epoch.allocateCacheAlignedWithTag(64, 1); return 0; },
      postprocessMapDelete(ctx, mc) { ctx.epoch.freeCacheAligned(mc); },`;

/** Writes a provider module whose dispatch table is `callbacks` (JS object-literal members). */
function writeProvider(name: string, callbacks: string): string {
  const file = join(tmp, name);
  writeFileSync(file, `export function createProvider(options) {
  return {
    name: ${JSON.stringify(name)},
    properties: { updatesOriginalValue: false },
    dispatch: {${callbacks}
    },
  };
}
`);
  return file;
}

/** The common shape of every bad-input failure. */
function expectBadInput(r: SpawnSyncReturns<string>, file: string, field: string | null): string {
  expect(r.error, 'the command did not run to completion').to.equal(undefined);
  expect(r.status, `stderr: ${r.stderr}`).to.equal(2);
  expect(r.stderr.endsWith('\n'), `stderr: ${JSON.stringify(r.stderr)}`).to.equal(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, `stderr: ${JSON.stringify(r.stderr)}`).to.have.length(1);
  const line = lines[0]!;
  expect(line.startsWith(`${file}: `), line).to.equal(true);
  if (field !== null) expect(line.startsWith(`${file}: ${field}: `), line).to.equal(true);
  expect(`${r.stdout}\n${r.stderr}`).to.not.match(/^ {4}at /m);
  expect(r.stdout).to.equal('');
  return line;
}

describe('cli/bad-input', () => {
  it('rejects a file that is not JSON: exit 2, one line naming the file', () => {
    const file = writeScenario('bad-json.json', '{ "cpus": 1, "maps": ');
    const line = expectBadInput(epochlab(['run', file]), file, null);
    expect(line).to.contain('invalid JSON');
  });

  it('rejects an unknown op, naming threads[0].ops[0].op', () => {
    const file = writeScenario('unknown-op.json', scenario((s) => { s.threads[0].ops[0] = { op: 'frobnicate', map: 'm', key: 1 }; }));
    const line = expectBadInput(epochlab(['run', file]), file, 'threads[0].ops[0].op');
    expect(line).to.contain('frobnicate');
  });

  it('rejects a key wider than the map\'s keySize, naming the key field', () => {
    const file = writeScenario('wide-key.json', scenario((s) => { s.threads[0].ops[1].key = 2 ** 40; }));
    const line = expectBadInput(epochlab(['run', file]), file, 'threads[0].ops[1].key');
    expect(line).to.contain('keySize');
  });

  it('rejects a hex key wider than the map\'s keySize, naming the key field', () => {
    const file = writeScenario('wide-hex-key.json', scenario((s) => { s.threads[0].ops[0].key = 'hex:0102030405'; }));
    expectBadInput(epochlab(['run', file]), file, 'threads[0].ops[0].key');
  });

  it('rejects an op on a map that does not exist, naming the map field', () => {
    const file = writeScenario('no-map.json', scenario((s) => { s.threads[0].ops[1].map = 'nope'; }));
    const line = expectBadInput(epochlab(['run', file]), file, 'threads[0].ops[1].map');
    expect(line).to.contain('nope');
  });

  it('rejects cpus 0, naming the cpus field', () => {
    const file = writeScenario('cpus-0.json', scenario((s) => { s.cpus = 0; }));
    expectBadInput(epochlab(['run', file]), file, 'cpus');
  });

  it('rejects an absurd valueSize, naming the field', () => {
    const file = writeScenario('huge-value.json', scenario((s) => { s.maps.m.valueSize = 1_000_000_000; }));
    expectBadInput(epochlab(['run', file]), file, 'maps.m.valueSize');
  });

  it('rejects an absurd arena size, naming the field', () => {
    const file = writeScenario('huge-arena.json', scenario((s) => { s.arenaMB = 1_000_000_000; }));
    expectBadInput(epochlab(['run', file]), file, 'arenaMB');
  });

  it('rejects a tick delay of 0 steps, naming faults.delayTicks[0].steps', () => {
    const file = writeScenario('delay-0.json', scenario((s) => { s.faults = { delayTicks: [{ tick: 1, steps: 0 }] }; }));
    expectBadInput(epochlab(['run', file]), file, 'faults.delayTicks[0].steps');
  });

  it('rejects a provider path that does not load, naming the provider field', () => {
    const file = writeScenario('missing-provider.json', scenario((s) => { s.maps.m.provider = './no-such-provider.mjs'; }));
    const line = expectBadInput(epochlab(['run', file]), file, 'maps.m.provider');
    expect(line).to.contain('no-such-provider.mjs');
  });

  it('rejects a provider module that does not parse, naming the provider field', () => {
    writeFileSync(join(tmp, 'broken-provider.mjs'), 'export function createProvider( {\n');
    const file = writeScenario('broken-provider.json', scenario((s) => { s.maps.m.provider = './broken-provider.mjs'; }));
    expectBadInput(epochlab(['run', file]), file, 'maps.m.provider');
  });

  it('rejects a provider module that lacks required callbacks, naming the provider field and the callbacks', () => {
    writeProvider('lacking-provider.mjs', `
      postprocessMapDelete() {},
      postprocessMapDeleteElement() {},`);
    const file = writeScenario('lacking-provider.json', scenario((s) => { s.maps.m.provider = './lacking-provider.mjs'; }));
    const line = expectBadInput(epochlab(['run', file]), file, 'maps.m.provider');
    expect(line).to.contain('preprocessMapCreate');
    expect(line).to.contain('preprocessMapAssociateProgramType');
  });

  it('rejects a provider path to a TypeScript file, naming the provider field and saying how to compile it', () => {
    writeFileSync(join(tmp, 'typed-provider.ts'), `import type { ProviderModule } from 'epochlab';
export const createProvider: ProviderModule['createProvider'] = () => { throw new Error('never loaded'); };
`);
    const file = writeScenario('typescript-provider.json', scenario((s) => { s.maps.m.provider = './typed-provider.ts'; }));
    const line = expectBadInput(epochlab(['run', file]), file, 'maps.m.provider');
    expect(line).to.contain('"./typed-provider.ts" is a TypeScript file');
    expect(line).to.contain('which Node 20 cannot load');
    expect(line).to.contain('compile it to JavaScript (for example with tsc) and name the .js file');
    expect(line).to.contain('--experimental-strip-types');
  });

  it('rejects a bad command-line option value (--cpus x), naming the option', () => {
    const file = writeScenario('valid.json', scenario());
    const line = expectBadInput(epochlab(['run', file, '--cpus', 'x']), 'epochlab', '--cpus');
    expect(line).to.contain('"x"');
  });

  it('rejects an unknown command-line option, naming it', () => {
    const file = writeScenario('valid-2.json', scenario());
    expectBadInput(epochlab(['run', file, '--frobnicate']), 'epochlab', '--frobnicate');
  });

  it('rejects a scenario file that does not exist', () => {
    const file = join(tmp, 'does-not-exist.json');
    expectBadInput(epochlab(['run', file]), file, null);
  });

  it('reports a provider callback that throws: exit 1, provider.callback-threw with the callback and CPU, in the summary and the trace', () => {
    writeProvider('throwing-provider.mjs', `${CREATE_AND_DELETE}
      preprocessMapAssociateProgramType() { return 0; },
      postprocessMapDeleteElement() {},
      preprocessMapUpdateElement() { throw new Error('deliberate failure in a test provider'); },`);
    const file = writeScenario('throws.json', scenario((s) => { s.maps.m.provider = './throwing-provider.mjs'; }));
    const traceFile = join(tmp, 'throws.trace.jsonl');
    const r = epochlab(['run', file, '--trace', traceFile]);
    expect(r.error).to.equal(undefined);
    expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(1);
    expect(r.stderr).to.equal('');
    // The checker's report: the rule line, then `what:` naming the callback, the CPU and the error.
    const out = r.stdout.split('\n');
    const at = out.findIndex((l) => l.startsWith('VIOLATION provider.callback-threw'));
    expect(at, r.stdout).to.be.greaterThan(-1);
    const what = out[at + 1] ?? '';
    expect(what).to.match(/^ {2}what: /);
    expect(what).to.contain('preprocess_map_update_element');
    expect(what).to.contain('CPU 0');
    expect(what).to.contain('deliberate failure in a test provider');
    expect(out.slice(at, at + 4).join('\n')).to.match(/where: +cpu 0, PASSIVE, op update \(user\), map m, key /);
    expect(r.stdout).to.match(/verdict:\s+FAIL/);
    expect(r.stdout).to.not.match(/^ {4}at /m);

    expect(existsSync(traceFile)).to.equal(true);
    const lines = readFileSync(traceFile, 'utf8').split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]!['event']).to.equal('run_begin');
    expect(events.at(-1)!['event']).to.equal('run_end');
    expect(events.at(-1)!['verdict']).to.equal('fail');
    const violations = events.filter((e) => e['event'] === 'violation');
    expect(violations.map((e) => e['rule'])).to.include('provider.callback-threw');
    const v = violations.find((e) => e['rule'] === 'provider.callback-threw')!;
    expect(v['cpu']).to.equal(0);
    expect(String(v['message'])).to.contain('preprocess_map_update_element');
  });

  it('ends a run whose CPU makes no progress: exit 1 with a WATCHDOG report naming the CPU, without hanging', () => {
    // The provider never returns from find: it sleeps at PASSIVE forever (the
    // runtime caps each sleep at 10 s, so the CPU's heartbeat never moves).
    writeProvider('stuck-provider.mjs', `${CREATE_AND_DELETE}
      preprocessMapAssociateProgramType() { return 0; },
      postprocessMapDeleteElement() {},
      postprocessMapFindElement(ctx) { for (;;) ctx.services.sleep(60000); },`);
    const file = writeScenario('stuck.json', scenario((s) => {
      s.watchdogMs = 1500;
      s.maps.m.provider = './stuck-provider.mjs';
    }));
    const r = epochlab(['run', file], 60_000);
    expect(r.error, 'the run did not end within 60 s').to.equal(undefined);
    expect(r.signal).to.equal(null);
    expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(1);
    const watchdogLine = r.stdout.split('\n').find((l) => l.includes('WATCHDOG'));
    expect(watchdogLine, r.stdout).to.not.equal(undefined);
    expect(watchdogLine).to.contain('CPU 0');
    expect(r.stdout).to.match(/^\s+cpu 0: PASSIVE, in find on m\b/m);
    expect(r.stdout).to.match(/verdict:\s+ABORTED/);
    expect(`${r.stdout}\n${r.stderr}`).to.not.match(/^ {4}at /m);
  });
  it('ends a controlled run that livelocks: exit 1 with a WATCHDOG report, without hanging', () => {
    // The provider busy-waits forever inside find. In controlled mode every
    // microsecond of it is a scheduling point, so decisions keep coming; no
    // CPU starts another operation, and the watchdog calls it a livelock.
    writeProvider('spinning-provider.mjs', `${CREATE_AND_DELETE}
      preprocessMapAssociateProgramType() { return 0; },
      postprocessMapDeleteElement() {},
      postprocessMapFindElement(ctx) { for (;;) ctx.services.stallExecution(1000); },`);
    const file = writeScenario('livelock.json', scenario((s) => {
      s.watchdogMs = 1500;
      s.maps.m.provider = './spinning-provider.mjs';
    }));
    const r = epochlab(['run', file, '--mode', 'controlled'], 60_000);
    expect(r.error, 'the run did not end within 60 s').to.equal(undefined);
    expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(1);
    const watchdogLine = r.stdout.split('\n').find((l) => l.includes('WATCHDOG'));
    expect(watchdogLine, r.stdout).to.contain('livelock');
    expect(r.stdout).to.match(/verdict:\s+ABORTED/);
  });
});

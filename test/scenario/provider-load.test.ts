/**
 * Loading a provider module is supervised: it is imported and first called
 * in a worker with a deadline, so a module that calls process.exit (even
 * with 0), never finishes, or throws while loading is bad input: exit 2,
 * one line on stderr naming the module as the scenario wrote it and what
 * it did, nothing on stdout. The `epochlab` command runs as a child process
 * on the fixtures in test/fixtures/providers/, with a short load deadline
 * (EPOCHLAB_PROVIDER_LOAD_MS) to keep the hanging cases quick.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** <outDir>/: this file is <outDir>/test/scenario/provider-load.test.js. */
const OUT_DIR = new URL('../../', import.meta.url);
const MAIN = fileURLToPath(new URL('src/cli/main.js', OUT_DIR));
const PROVIDERS = new URL('test/fixtures/providers/', OUT_DIR);

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-provider-load-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A scenario next to a copy of fixture `name`, naming it "./name.js" (as a user would). */
function scenario(name: string, options: Record<string, unknown> = {}): string {
  copyFileSync(new URL(`${name}.js`, PROVIDERS), join(tmp, `${name}.js`));
  const file = join(tmp, `${name}-${Object.values(options).join('-') || 'plain'}.json`);
  writeFileSync(file, JSON.stringify({
    cpus: 1,
    maps: { m: { provider: `./${name}.js`, keySize: 4, valueSize: 4, maxEntries: 8, options } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 2 }] }],
  }));
  return file;
}

/** `epochlab run FILE`: exit 2, nothing on stdout, and exactly `line` on stderr. */
function expectOneLine(file: string, problem: string): void {
  const r = spawnSync(process.execPath, [MAIN, 'run', file], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, EPOCHLAB_PROVIDER_LOAD_MS: '1500' },
  });
  expect(r.error, 'the command exited by itself').to.equal(undefined);
  expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(2);
  expect(r.stdout).to.equal('');
  expect(r.stderr).to.equal(`${file}: maps.m.provider: ${problem}\n`);
}

describe('scenario/provider-load: a provider module that exits, hangs or throws while loading is bad input', function () {
  this.timeout(120_000);

  it('process.exit(0) while the module is imported (not a silent exit 0)', () => {
    expectOneLine(scenario('exits-while-loading'), 'provider module "./exits-while-loading.js" called process.exit(0) while loading');
  });

  it('an import that never finishes: ended at the load deadline', () => {
    expectOneLine(scenario('hangs-while-loading'), 'provider module "./hangs-while-loading.js" did not finish loading within 1500 ms');
  });

  it('an import that throws: the module\'s message, no stack', () => {
    expectOneLine(scenario('throws-while-loading'), 'provider module "./throws-while-loading.js" threw while loading: PROVIDER_CONFIG is not set');
  });

  it('createProvider that calls process.exit(0), never returns, or throws', () => {
    expectOneLine(scenario('unruly-create', { misbehave: 'exit' }),
      'provider module "./unruly-create.js" called process.exit(0) in createProvider(options)');
    expectOneLine(scenario('unruly-create', { misbehave: 'loop' }), 'provider module "./unruly-create.js" did not finish loading within 1500 ms');
    expectOneLine(scenario('unruly-create', { misbehave: 'throw' }), 'createProvider(options) failed: the device is not ready');
  });

  it('createProvider that returns a provider without properties', () => {
    expectOneLine(scenario('unruly-create', { misbehave: 'no-properties' }),
      'createProvider(options) returned a provider without properties ({ updatesOriginalValue })');
  });
});

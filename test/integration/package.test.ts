/**
 * The package as a user gets it. A clean copy of the checkout's files (what
 * git tracks, plus new files it does not ignore; no dist/) is packed with
 * `npm pack`, whose prepack builds inside the copy: packing in this checkout
 * would delete dist/ under the running suite. The tarball is installed into
 * a fresh project, which compiles a script that calls run() and stress() and
 * the typed provider example against the installed declarations
 * (skipLibCheck false, lib ES2022 without the DOM), runs a scenario with
 * `npx epochlab` and runs the script.
 *
 * The consumer's only type package, @types/node (for console and node:url),
 * comes from this checkout's node_modules/@types through typeRoots, so the
 * install needs nothing beyond epochlab's own dependencies.
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

/**
 * A child's environment without the npm_* variables of an npm that runs this
 * suite: npm_config_local_prefix, for one, would point a child npm at this
 * checkout instead of its own directory.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_') || key === 'INIT_CWD') delete env[key];
  return env;
}

/** Runs a command to completion and expects exit 0; returns its stdout. */
function ok(command: string, args: string[], cwd: string): string {
  const r: SpawnSyncReturns<string> = spawnSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: 240_000 });
  expect(r.error, `${command} ${args.join(' ')}: ${String(r.error)}`).to.equal(undefined);
  expect(r.status, `${command} ${args.join(' ')} in ${cwd}:\n${r.stdout}\n${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** Copies the files of the checkout (no build output, no node_modules) and links node_modules in. */
function cleanCopy(dest: string): void {
  const listed = ok('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  for (const rel of new Set(listed.split('\0').filter((p) => p !== ''))) {
    const from = join(ROOT, rel);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet in git
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    copyFileSync(from, join(dest, rel));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

/** A fresh project: the typed provider example, the script, the example's scenario and a strict tsconfig. */
function writeConsumer(dir: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'epochlab-consumer', private: true, type: 'module' }, null, 2)}\n`);
  copyFileSync(join(ROOT, 'examples', 'typed-provider', 'bounded-counter.ts'), join(dir, 'src', 'bounded-counter.ts'));
  copyFileSync(join(ROOT, 'examples', 'typed-provider', 'scenario.json'), join(dir, 'scenario.json'));
  copyFileSync(join(ROOT, 'test', 'fixtures', 'consumer', 'check-run.ts'), join(dir, 'src', 'check-run.ts'));
  const compilerOptions = {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], strict: true,
    skipLibCheck: false, rootDir: 'src', outDir: 'dist', types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions, include: ['src/*.ts'] }, null, 2)}\n`);
}

describe('integration/package', function () {
  this.timeout(600_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-package-'));
  const copy = join(tmp, 'checkout');
  const consumer = join(tmp, 'consumer');
  let tarball = '';
  let compiled = false;
  after(() => rmSync(tmp, { recursive: true, force: true }));

  before(() => {
    cleanCopy(copy);
    expect(existsSync(join(copy, 'dist')), 'the copy must start without a build').to.equal(false);
    ok('npm', ['pack', '--pack-destination', tmp], copy);
    const packed = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    expect(packed).to.have.length(1);
    tarball = join(tmp, packed[0]!);
  });

  it('holds the built library, its declarations and workers, the timeline page\'s script, README, CHANGELOG and LICENSE; no tests, bench or source maps', () => {
    const listing = ok('tar', ['-tvzf', tarball], tmp).split('\n').filter((l) => l !== '');
    const paths = listing.map((l) => l.slice(l.indexOf('package/')));
    for (const wanted of [
      'package/package.json', 'package/README.md', 'package/CHANGELOG.md', 'package/LICENSE',
      'package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/dist/src/cli/main.js',
      'package/dist/workers/cpu.js', 'package/dist/workers/epoch-manager.js', 'package/dist/page/timeline.js',
    ]) expect(paths, wanted).to.include(wanted);
    expect(paths.filter((p) => /^package\/(dist\/)?(test|bench|examples)\//.test(p)), 'tests, bench, examples').to.deep.equal([]);
    expect(paths.filter((p) => /\.test\.|\.map$/.test(p)), 'test files, source maps').to.deep.equal([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')), 'TypeScript sources').to.deep.equal([]);
    expect(paths.filter((p) => !/^package\/(dist\/(src|workers|page)\/|[^/]+$)/.test(p)), 'outside dist/src, dist/workers, dist/page').to.deep.equal([]);
    const bin = listing.find((l) => l.endsWith('package/dist/src/cli/main.js'))!;
    expect(bin.slice(0, 10), 'the bin is executable').to.match(/^-rwx/);
  });

  it('installs into a fresh project, which type-checks a script and a typed provider against it (skipLibCheck false)', () => {
    writeConsumer(consumer);
    ok('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], consumer);
    expect(existsSync(join(consumer, 'node_modules', 'epochlab', 'dist', 'src', 'index.d.ts'))).to.equal(true);
    expect(existsSync(join(consumer, 'node_modules', 'typescript')), 'no devDependencies installed').to.equal(false);
    const out = ok(TSC, ['-p', join(consumer, 'tsconfig.json')], consumer);
    expect(out).to.equal('');
    compiled = true;
  });

  it('runs `npx epochlab run` on a scenario that uses the compiled provider: exit 0, PASS, and its page', function () {
    if (!compiled) this.skip();
    const report = JSON.parse(ok('npx', ['--no', 'epochlab', 'run', 'scenario.json', '--html', 'run.html', '--json'], consumer)) as Record<string, any>;
    expect(report['verdict']).to.equal('pass');
    expect(report['page']).to.deep.include({ path: 'run.html', events: report['traceEvents'], window: null });
    expect(readFileSync(join(consumer, 'run.html'), 'utf8')).to.contain('window.epochlab');
    expect(report['maps']).to.deep.equal({ levels: 'EBPF_SUCCESS' });
    expect(report['callbacks']['preprocess_map_update_element']).to.equal(7);
    expect(report['callbacks']['postprocess_map_delete_element']).to.equal(5);
  });

  it('runs the compiled script: run() returns verdict pass with operations, stress() finds no violation', function () {
    if (!compiled) this.skip();
    const line = ok(process.execPath, [join(consumer, 'dist', 'check-run.js')], consumer).trim();
    const summary = JSON.parse(line) as Record<string, any>;
    expect(summary['verdict']).to.equal('pass');
    expect(summary['ops']).to.be.greaterThan(0);
    expect(summary['callbacks']['preprocess_map_update_element']).to.be.greaterThan(0);
    expect(summary['results']['EBPF_INVALID_ARGUMENT'], 'updates above maxValue were rejected').to.be.greaterThan(0);
    expect(summary['stressRuns']).to.equal(3);
    expect(summary['stressViolation']).to.equal(null);
  });
});

/**
 * The TypeScript provider example (examples/typed-provider/), used the way
 * its README section says: compiled with the repo's tsc (it imports
 * 'epochlab' through the package's self-reference, so it compiles against
 * the emitted declarations), then run by the command line from its scenario.
 * The counts below follow from the scenario's ops and the documented
 * contract; the provider's own books are checked by breaking the contract
 * with a mutant.
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const EXAMPLE = join(ROOT, 'examples', 'typed-provider');
const SCENARIO = join(EXAMPLE, 'scenario.json');

function epochlab(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

function jsonReport(r: SpawnSyncReturns<string>): Record<string, any> {
  expect(r.error, 'the command did not run to completion').to.equal(undefined);
  return JSON.parse(r.stdout) as Record<string, any>;
}

describe('integration/typed-provider', function () {
  this.timeout(120_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-typed-provider-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  before(() => {
    const r = spawnSync(TSC, ['-p', join(EXAMPLE, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `tsc: ${r.stdout}${r.stderr}`).to.equal(0);
  });

  it('runs the compiled provider: PASS, its callbacks fired as the scenario implies, delete reasons as its books count them', () => {
    const traceFile = join(tmp, 'typed-provider.jsonl');
    const r = epochlab(['run', SCENARIO, '--json', '--trace', traceFile]);
    const report = jsonReport(r);
    expect(r.status, r.stderr).to.equal(0);
    expect(report['verdict']).to.equal('pass');
    expect(report['violationCount']).to.equal(0);
    expect(report['maps']).to.deep.equal({ levels: 'EBPF_SUCCESS' });
    // Seven updates reach preprocess; two (500 and 101) are above maxValue 100 and are rejected.
    // Five are accepted: 1=5, 1=7 (a replace), 1=9 NOEXIST (the core update fails: an undo), 3=100, 10=1.
    // Finds: key 1 once and key 10 four times succeed; key 2 was never stored, so no callback.
    // Delete callbacks: the replace, the undo, the delete of key 1, and the cleanup of keys 3 and 10.
    expect(report['callbacks']).to.deep.equal({
      preprocess_map_create: 1,
      postprocess_map_delete: 1,
      postprocess_map_find_element: 5,
      preprocess_map_update_element: 7,
      preprocess_map_delete_element: 0,
      postprocess_map_delete_element: 5,
      preprocess_map_associate_program_type: 1,
    });
    expect(report['results']).to.deep.equal({
      EBPF_SUCCESS: 10, EBPF_INVALID_ARGUMENT: 2, EBPF_OBJECT_NOT_FOUND: 1, EBPF_OBJECT_ALREADY_EXISTS: 1,
    });

    const events = readFileSync(traceFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const reasons = events.filter((e) => e.event === 'postprocess_map_delete_element')
      .map((e) => (e.flags as string[]).join('|') || 'explicit').sort();
    expect(reasons).to.deep.equal([
      'EBPF_MAP_OPERATION_MAP_CLEANUP', 'EBPF_MAP_OPERATION_MAP_CLEANUP',
      'EBPF_MAP_OPERATION_UPDATE', 'EBPF_MAP_OPERATION_UPDATE', 'explicit',
    ]);
  });

  it('balances its books in epoch memory: a runtime that skips the undo callback trips the provider\'s own invariant', () => {
    const r = epochlab(['run', SCENARIO, '--json', '--mutant', 'missing-undo']);
    const report = jsonReport(r);
    expect(r.status).to.equal(1);
    const invariant = (report['violations'] as Array<Record<string, unknown>>).filter((v) => v['rule'] === 'provider.invariant');
    expect(invariant.map((v) => v['message'])).to.deep.equal(['bounded-counter: 5 values accepted but 4 delete callbacks']);
  });

  it('rejects a malformed provider option: exit 2, one line naming the provider field and the option', () => {
    const scenario = JSON.parse(readFileSync(SCENARIO, 'utf8'));
    scenario.maps.levels.provider = join(EXAMPLE, 'dist', 'bounded-counter.js');
    scenario.maps.levels.options = { maxValue: -1 };
    const file = join(tmp, 'bad-max.json');
    writeFileSync(file, JSON.stringify(scenario));
    const r = epochlab(['run', file]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: maps\\.levels\\.provider: .*maxValue[^\\n]*\\n$`));
  });
});

/**
 * The retire-before-unlink hazard (reference 6.14), found by race hunting.
 * As built (--profile ebpf-for-windows, PRE_FREE mode) the object provider's
 * delete callback frees the object under the bucket lock, before the entry
 * is unlinked. A reader that finds the entry in that window, in an epoch
 * that began after the retire, holds no protection for the object: once
 * the deleter leaves its epoch, a tick frees it, and the reader's next read
 * of it is a use after free. Random scheduling with runs (--switch-every)
 * leaves the reader preempted between its lookup and its read, so stress
 * finds the read of the freed object itself within a few seeds, shrinks it,
 * and replay reproduces it. Under the documented profile (delete callback
 * after unlink) the same hunt finds nothing.
 */
import { expect } from 'chai';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFailureFile } from '../../src/hunt/failure-file.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const HUNT = ['stress', 'retire-before-unlink', '--strategy', 'random', '--switch-every', '20', '--runs', '30'];

function epochlab(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
}

describe('integration: the retire-before-unlink hazard under controlled stress', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'epochlab-rbu-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let stress: SpawnSyncReturns<string>;
  before(() => {
    stress = epochlab([...HUNT, '--rule', 'memory.use-after-free', '--profile', 'ebpf-for-windows', '--out', 'rbu.json'], dir);
  });

  it('as built, stress finds the read of a freed object, shrinks it and writes a failure file', () => {
    expect(stress.status, stress.stderr).to.equal(1);
    expect(stress.stdout).to.contain('VIOLATION memory.use-after-free');
    expect(stress.stdout).to.match(/shrunk scenario: 2 CPUs, \d+ operations -> \d CPUs?, \d+ operations/);
    expect(stress.stdout).to.contain('replay: epochlab replay rbu.json');
    const f = readFailureFile(join(dir, 'rbu.json'));
    expect(f).to.deep.include({ profile: 'ebpf-for-windows', switchEvery: 20, mutant: null });
    expect(f.rules['memory.use-after-free']).to.be.greaterThan(0);
  });

  it('replay reproduces the freed read with the same trace digest', () => {
    const r = epochlab(['replay', 'rbu.json'], dir);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stdout).to.contain('reproduced: same rules, same trace digest');
    expect(r.stdout).to.contain('memory.use-after-free');
  });

  it('as documented (delete callback after unlink), the same 30 seeds break no rule at all', () => {
    const r = epochlab([...HUNT, '--profile', 'documented', '--out', 'none.json'], dir);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.contain('30 runs, no violation');
  });
});

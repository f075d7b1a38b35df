/**
 * The layers of .dependency-cruiser.cjs hold on the tree as it is, and the
 * check has teeth: in a copy of src/ with one upward import added (the hash
 * table reaching up into the runtime, type-only, the kind of import that
 * vanishes from the compiled JavaScript), dependency-cruiser fails and names
 * the rule and the edge.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function cruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', 'src', 'workers'], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('layers: dependency rules', function () {
  this.timeout(60_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-layers-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the tree has no upward import', () => {
    const r = cruise(ROOT);
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.contain('no dependency violations found');
  });

  it('an upward import, even a type-only one, fails with the rule and the edge named', () => {
    for (const part of ['src', 'workers', '.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(join(ROOT, part), join(tmp, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'));
    const file = join(tmp, 'src', 'map', 'map-info.ts');
    writeFileSync(file, `import type { RunPlan } from '../runtime/plan.js';\nexport type Up = RunPlan;\n${readFileSync(file, 'utf8')}`);
    const r = cruise(tmp);
    expect(r.status, r.out).to.not.equal(0);
    expect(r.out).to.contain('layer-map: src/map/map-info.ts → src/runtime/plan.ts');
    expect(r.out).to.match(/1 dependency violations \(1 errors/);
  });
});

/**
 * The memory checker end to end: fixture providers written as a user would
 * (test/fixtures/providers/), each with one memory bug, run through the
 * `epochlab` CLI as a child process on their scenario
 * (test/fixtures/scenarios/). Each run reports exactly its one rule, naming
 * the CPU, the callback, the block and its tag, and exits 1; with
 * --no-check the checker is off and the same bug goes unseen.
 *
 * The checked runs are controlled (--mode controlled): the same schedule on
 * every run, so the epoch manager has freed the stale pointer's block by the
 * time it is read, however loaded the machine is.
 *
 * As in test/check/fixtures.test.ts, each scenario is copied to a temporary
 * directory with its provider path made absolute (any tsc outDir works).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckedReport } from '../../src/harness/checked-run.js';

const OUT_DIR = new URL('../../', import.meta.url);
const MAIN = fileURLToPath(new URL('src/cli/main.js', OUT_DIR));
const PROVIDERS = new URL('test/fixtures/providers/', OUT_DIR);
const SCENARIOS = fileURLToPath(new URL('../test/fixtures/scenarios/', OUT_DIR));

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-memcheck-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { status: number | null; report: CheckedReport; rules: string[] }

const CONTROLLED = ['--mode', 'controlled'];

function runFixture(name: string, args: string[] = CONTROLLED): Run {
  const scenario = JSON.parse(readFileSync(join(SCENARIOS, `${name}.json`), 'utf8')) as { maps: Record<string, { provider: string }> };
  for (const m of Object.values(scenario.maps)) m.provider = fileURLToPath(new URL(basename(m.provider), PROVIDERS));
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  const r = spawnSync(process.execPath, [MAIN, 'run', file, '--json', ...args], { encoding: 'utf8', timeout: 60_000 });
  expect(r.error, 'the command ran to completion').to.equal(undefined);
  expect(r.stderr, 'nothing on stderr').to.equal('');
  const report = JSON.parse(r.stdout) as CheckedReport;
  const rules = new Set(Object.keys(report.check?.byRule ?? {}));
  for (const v of report.violations) rules.add(v.rule);
  return { status: r.status, report, rules: [...rules].sort() };
}

/** The one violation of a run that must report exactly `rule`; exit 1, nothing leaked. */
function onlyViolation(run: Run, rule: string): { cpu: number; message: string } {
  const all = run.report.violations.map((v) => `${v.rule}: ${v.message}`).join('\n');
  expect(run.rules, `reported rules:\n${all}`).to.deep.equal([rule]);
  expect(run.report.violations, all).to.have.length(1);
  expect(run.status, 'exit code').to.equal(1);
  expect(run.report.leakedBlocks, 'leaked blocks').to.equal(0);
  return run.report.violations[0] as unknown as { cpu: number; message: string };
}

describe('integration/memcheck: every provider access through ctx.mem is checked', function () {
  this.timeout(120_000);

  it('a raw pointer kept in a JS variable and read after its block was freed is memory.use-after-free', () => {
    const v = onlyViolation(runFixture('stale-pointer'), 'memory.use-after-free');
    expect(v.cpu).to.equal(0);
    expect(v.message).to.match(/^read of 4 bytes at (\d+), 0 bytes into block \1 \(tag eVal, 4 bytes, freed: retired by CPU 0 at epoch \d+, freed by the epoch manager\), in postprocess_map_find_element on CPU 0$/);
  });

  it('a read at an offset never allocated is memory.out-of-bounds', () => {
    const v = onlyViolation(runFixture('wild-offset'), 'memory.out-of-bounds');
    expect(v.cpu).to.equal(0);
    expect(v.message).to.match(/^read of 4 bytes at \d+: in arena memory never allocated, \d+ bytes past the last block, .*, in postprocess_map_find_element on CPU 0$/);
  });

  it('a write one byte past the end of a block is memory.overflow of that block, caught at the write', () => {
    const v = onlyViolation(runFixture('off-by-one'), 'memory.overflow');
    expect(v.message).to.match(/^write of 1 byte at \d+: 0 bytes past the end of block \d+ \(tag FxOb, 12 bytes, allocated\), in preprocess_map_update_element on CPU 0$/);
  });

  it('a stray write past the red zone, into the next block\'s header, is still an overflow of the block it ran out of; the header stays intact', () => {
    const v = onlyViolation(runFixture('off-by-one-header'), 'memory.overflow');
    expect(v.message).to.match(/: 20 bytes past the end of block \d+ \(tag FxOb, 12 bytes, allocated\), in the header of block \d+ \(tag FxOc, 4 bytes, allocated\), in preprocess_map_update_element on CPU 0$/);
  });

  it('an update that succeeds without writing its out-value is update.out-value-written', () => {
    const v = onlyViolation(runFixture('unwritten-out-value'), 'update.out-value-written');
    expect(v.cpu).to.equal(0);
    expect(v.message).to.equal('preprocess_map_update_element returned EBPF_SUCCESS on CPU 0 (map m) but left 4 of the 4 bytes of its out-value unwritten; the map stores them as they were (zeros)');
  });

  it('with --no-check the checker is off: the same stale read goes unseen', () => {
    // Free-running: a controlled run records events for its digest, so its memory checker is on.
    const run = runFixture('stale-pointer', ['--no-check']);
    expect(run.rules).to.deep.equal([]);
    expect(run.status).to.equal(0);
  });
});

/**
 * Buggy fixture providers (test/fixtures/providers/*.ts), each run through
 * the `epochlab` CLI as a child process on its scenario
 * (test/fixtures/scenarios/*.json): every fixture makes the run report
 * exactly the rule ids of its one bug, no more and no fewer.
 *
 * The scenario files name their provider as ../../../dist/test/fixtures/...
 * (right for `node dist/src/cli/main.js run test/fixtures/scenarios/X.json`).
 * This test derives the compiled fixtures and CLI from its own location
 * instead, so it works from any tsc outDir: it copies each scenario into a
 * temporary directory with the provider path made absolute.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_RULES } from '../../src/check/rules/index.js';
import { Rule, RULES } from '../../src/contract/rules.js';
import type { CheckedReport } from '../../src/harness/checked-run.js';

/** <outDir>/: this file is <outDir>/test/check/fixtures.test.js. */
const OUT_DIR = new URL('../../', import.meta.url);
const MAIN = fileURLToPath(new URL('src/cli/main.js', OUT_DIR));
const PROVIDERS = new URL('test/fixtures/providers/', OUT_DIR);
/** The source tree: the parent of the outDir (tsc does not copy .json files). */
const SCENARIOS = fileURLToPath(new URL('../test/fixtures/scenarios/', OUT_DIR));

/** Rule ids the runtime records itself plus those the checker's rules can report. */
const IMPLEMENTED = new Set<string>([
  ...RULES.slice(0, Rule.OutValueUnwritten + 1).map((r) => r.id),
  RULES[Rule.MigrateDispatch]!.id,
  ...ALL_RULES.flatMap((r) => [...r.ids]),
]);

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-fixtures-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface FixtureRun {
  status: number | null;
  report: CheckedReport;
  /** Rule ids reported: the checker's (byRule) and those found after the trace (leak, watchdog). */
  rules: string[];
}

/** Copies scenario `name` with an absolute provider path, runs it with --json, parses the report. */
function runFixture(name: string, args: string[] = []): FixtureRun {
  const scenario = JSON.parse(readFileSync(join(SCENARIOS, `${name}.json`), 'utf8')) as {
    maps: Record<string, { provider: string }>;
  };
  for (const m of Object.values(scenario.maps)) {
    m.provider = fileURLToPath(new URL(basename(m.provider), PROVIDERS));
  }
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario, null, 2));
  const r = spawnSync(process.execPath, [MAIN, 'run', file, '--json', ...args], { encoding: 'utf8', timeout: 60_000 });
  expect(r.error, 'the command did not run to completion').to.equal(undefined);
  expect(r.stderr, 'nothing on stderr').to.equal('');
  const report = JSON.parse(r.stdout) as CheckedReport;
  const rules = new Set(Object.keys(report.check?.byRule ?? {}));
  for (const v of report.violations) if (v.seq === 0) rules.add(v.rule);
  return { status: r.status, report, rules: [...rules].sort() };
}

/** Skips the test when a trace-checked rule it expects is not implemented yet. */
function requireRules(ctx: Mocha.Context, rules: string[]): void {
  const missing = rules.filter((r) => !IMPLEMENTED.has(r));
  if (missing.length > 0) ctx.skip();
}

function expectExactly(run: FixtureRun, rules: string[]): void {
  const messages = run.report.violations.map((v) => `${v.rule}: ${v.message}`).join('\n');
  expect(run.rules, `reported rules (runtime messages:\n${messages})`).to.deep.equal([...rules].sort());
  expect(run.status, 'exit code').to.equal(1);
}

describe('check/fixtures: one bug, exactly one rule', function () {
  this.timeout(120_000);

  it('wait-at-dispatch: a wait in a helper find (DISPATCH) is irql.wait-at-dispatch', function () {
    const run = runFixture('wait-at-dispatch');
    expectExactly(run, ['irql.wait-at-dispatch']);
    expect(run.report.violations[0]!.message).to.match(/wait\(1 ms\) at DISPATCH/);
  });

  it('handle-with-helper: a handle lookup in a helper update is caught at DISPATCH first (irql.handle-lookup-at-dispatch)', function () {
    // Helper calls run at DISPATCH only, and provider-context.ts checks the
    // IRQL before the HELPER flag: this is the rule the bug yields today.
    const run = runFixture('handle-with-helper');
    expectExactly(run, ['irql.handle-lookup-at-dispatch']);
  });

  it('handle-with-helper: a handle lookup in a helper update of a PASSIVE program is irql.handle-table-with-helper', function () {
    // A batch on a PASSIVE thread is a program whose type runs at PASSIVE: the
    // IRQL rule holds, but HELPER is set, so the caller's handle table is not there.
    const run = runFixture('handle-with-helper-passive');
    expectExactly(run, ['irql.handle-table-with-helper']);
  });

  it('alloc-outside-epoch: epoch_allocate_with_tag in a work item is epoch.outside', function () {
    const run = runFixture('alloc-outside-epoch');
    expectExactly(run, ['epoch.outside']);
    expect(run.report.violations[0]!.message).to.match(/^epoch_allocate_with_tag called outside an epoch/);
    expect(run.report.leakedBlocks).to.equal(0);
  });

  it('leaky-undo: an undo that releases nothing ends in memory.leak', function () {
    const run = runFixture('leaky-undo');
    expectExactly(run, ['memory.leak']);
    expect(run.report.leakedBlocks).to.equal(1);
    expect(run.report.results['EBPF_OBJECT_ALREADY_EXISTS']).to.equal(1);
  });

  it('failing-cleanup: a delete callback failing under MAP_CLEANUP is delete.must-not-fail', function () {
    requireRules(this, ['delete.must-not-fail']);
    expectExactly(runFixture('failing-cleanup'), ['delete.must-not-fail']);
  });

  it('plain-free: poolFree of an object a reader still holds is memory.use-after-free (deterministic handshake)', function () {
    const run = runFixture('plain-free');
    expectExactly(run, ['memory.use-after-free']);
    expect(run.report.violations.filter((v) => v.rule === 'memory.use-after-free')).to.have.length(1);
  });

  for (const profile of ['documented', 'ebpf-for-windows']) {
    it(`both-delete-callbacks: registering both delete callbacks is delete.exactly-one-registered (${profile})`, function () {
      requireRules(this, ['delete.exactly-one-registered']);
      // Both profiles refuse to bind the provider (EXTENSION_FAILED_TO_LOAD, no
      // callback runs); the rule reports the provider's registration itself.
      const run = runFixture('both-delete-callbacks', ['--profile', profile]);
      expect(run.report.maps).to.deep.equal({ m: 'EBPF_EXTENSION_FAILED_TO_LOAD' });
      expect(run.report.callbacks['preprocess_map_create']).to.equal(0);
      expect(run.report.results['EBPF_INVALID_OBJECT']).to.equal(2); // the update and the find
      expectExactly(run, ['delete.exactly-one-registered']);
    });
  }
});

/**
 * `epochlab contract-diff`: every built-in scenario under both profiles. Run
 * as a child process (--json), it exits 0, finds no violation under the
 * documented profile, and names the as-built departure of each difference
 * scenario. In process, the text table carries the rule, its sentence, the
 * message and the evidence lines.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ALL_RULES } from '../../src/check/rules/index.js';
import { Rule, RULES } from '../../src/contract/rules.js';
import { contractDiff, type ContractDiff } from '../../src/api/contract-diff.js';
import { formatContractDiff } from '../../src/cli/contract-diff.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const IMPLEMENTED = new Set<string>([
  ...RULES.slice(0, Rule.OutValueUnwritten + 1).map((r) => r.id),
  RULES[Rule.MigrateDispatch]!.id,
  ...ALL_RULES.flatMap((r) => [...r.ids]),
]);

/** Per difference scenario, the rules of which at least one must fire as built. */
const EXPECTED: ReadonlyArray<{ scenario: string; anyOf: string[] }> = [
  { scenario: 'diff-delete-under-lock', anyOf: ['delete.post-after-unlock', 'irql.user-passive'] },
  { scenario: 'diff-cleanup-at-dispatch', anyOf: ['cleanup.flags', 'irql.user-passive', 'epoch.callback-inside'] },
  { scenario: 'diff-map-delete-outside-epoch', anyOf: ['epoch.callback-inside'] },
  { scenario: 'diff-undo-without-preprocess', anyOf: ['update.undo-once'] },
  { scenario: 'diff-neither-delete-callback', anyOf: ['delete.exactly-one-registered'] },
  { scenario: 'diff-migrate-dispatch', anyOf: ['epoch.migrate-dispatch'] },
  { scenario: 'legacy-veto', anyOf: ['delete.pre-under-lock'] },
  { scenario: 'diff-bad-option-after-preprocess', anyOf: ['update.bad-option-first'] },
  { scenario: 'diff-pop-drops-helper', anyOf: ['ops.helper-stack-blocked'] },
  { scenario: 'diff-find-element-codes', anyOf: ['ops.find-element-codes'] },
];

describe('check/contract-diff', function () {
  this.timeout(180_000);

  let diff: ContractDiff;
  let status: number | null;
  before(function () {
    const r = spawnSync(process.execPath, [MAIN, 'contract-diff', '--json'], { encoding: 'utf8', timeout: 170_000 });
    expect(r.error, 'the command did not run to completion').to.equal(undefined);
    expect(r.stderr).to.equal('');
    status = r.status;
    diff = JSON.parse(r.stdout) as ContractDiff;
  });

  it('exits 0 and runs every built-in scenario under both profiles', () => {
    expect(status).to.equal(0);
    const runs = diff.runs.map((r) => `${r.scenario} ${r.profile}`);
    for (const { scenario } of EXPECTED) {
      expect(runs).to.include.members([`${scenario} documented`, `${scenario} ebpf-for-windows`]);
    }
    expect(runs).to.include.members(['retire-before-unlink documented', 'retire-before-unlink ebpf-for-windows']);
  });

  it('finds no violation under the documented profile', () => {
    expect(diff.documented.map((r) => `${r.rule} in ${r.scenario}: ${r.message}`)).to.deep.equal([]);
    for (const run of diff.runs.filter((r) => r.profile === 'documented')) expect(run.verdict, run.scenario).to.equal('pass');
  });

  for (const { scenario, anyOf } of EXPECTED) {
    it(`names ${anyOf.join(' or ')} for ${scenario} as built`, function () {
      const implemented = anyOf.filter((r) => IMPLEMENTED.has(r));
      if (implemented.length === 0) this.skip();
      const rows = diff.asBuilt.filter((r) => r.scenario === scenario);
      expect(rows.map((r) => r.rule)).to.include.oneOf(implemented);
      for (const row of rows.filter((r) => implemented.includes(r.rule))) {
        expect(row.count).to.be.greaterThan(0);
        expect(row.sentence).to.equal(RULES.find((r) => r.id === row.rule)!.sentence);
        expect(row.evidence.length).to.be.within(1, 4);
        expect(row.evidence.at(-1)).to.match(/^> #\d+ cpu /);
      }
    });
  }

  it('groups each (rule, scenario) once, with its count', () => {
    const keys = diff.asBuilt.map((r) => `${r.rule} ${r.scenario}`);
    expect(new Set(keys).size).to.equal(keys.length);
    for (const row of diff.asBuilt) {
      const run = diff.runs.find((r) => r.scenario === row.scenario && r.profile === 'ebpf-for-windows')!;
      expect(run.byRule[row.rule]).to.equal(row.count);
    }
  });

  it('prints the table with sentence, message and evidence (in process, one scenario), telling onRun of each run', async () => {
    const told: string[] = [];
    const d = await contractDiff(['diff-delete-under-lock'], { onRun: (r, done, total) => told.push(`${done}/${total} ${r.profile} ${r.verdict}`) });
    expect(told).to.deep.equal(['1/2 documented pass', '2/2 ebpf-for-windows fail']);
    const text = formatContractDiff(d);
    expect(text).to.match(/^RULE +SCENARIO +COUNT$/m);
    expect(text).to.include('== documented violations (each one is a bug): none');
    if (IMPLEMENTED.has('delete.post-after-unlock')) {
      const sentence = RULES.find((r) => r.id === 'delete.post-after-unlock')!.sentence;
      expect(text).to.match(/^delete\.post-after-unlock +diff-delete-under-lock +2$/m);
      expect(text).to.include(`  documented: ${sentence}`);
      expect(text).to.match(/^ {4}> #\d+ cpu 0 DISPATCH postprocess_map_delete_element map=m key=01000000 flags=0 .*bucketLockHeld=true/m);
    }
  });
});

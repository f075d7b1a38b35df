/**
 * Reference scenario 48 as a scenario file: the `migrate` op moves a
 * thread to another CPU inside its program's epoch (src/epoch/epoch-lane.ts
 * exitOn), run on worker threads in controlled mode under both profiles, and
 * the op's validation (bad input: one line naming the file and field).
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { MemorySink } from '../../src/trace/jsonl.js';
import { BadInput } from '../../src/contract/bad-input.js';

const MAPS = { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } };

/** The BadInput message compiling `ops` (CPU 0's, PASSIVE, two CPUs) gives. */
async function badOps(ops: unknown[]): Promise<string> {
  try {
    await compileScenario({ cpus: 2, maps: MAPS, threads: [{ cpu: 0, irql: 'PASSIVE', ops }] }, 'test.json', process.cwd(), {});
  } catch (err) {
    expect(err).to.be.instanceOf(BadInput);
    return (err as Error).message;
  }
  return expect.fail('expected a BadInput');
}

describe('epoch/percpu: scenario 48 with the migrate op', function () {
  this.timeout(60_000);

  const EXIT_RULES = ['epoch.migrate-dispatch', 'epoch.unpaired', 'epoch.exit-irql', 'epoch.paired'];

  /** A batch on CPU 0 at `irql` that migrates to CPU 1 inside its epoch, run controlled under `profile`. */
  async function migrateRun(profile: 'documented' | 'ebpf-for-windows', irql: 'PASSIVE' | 'DISPATCH') {
    const plan = await compileScenario({
      name: 'migrate', cpus: 2, maps: MAPS,
      threads: [{ cpu: 0, irql, ops: [{ op: 'batch', ops: [{ op: 'find', map: 'm', key: 1 }, { op: 'migrate', cpu: 1 }] }] }],
    }, 'test', process.cwd(), {});
    plan.trace = true;
    plan.profile = profile;
    plan.mode = 'controlled';
    const sink = new MemorySink();
    const report = await runPlan(plan, { sinks: [sink] });
    // The epoch rules only: the as-built profile's other departures (contract-diff) fire here too.
    const rules = report.violations.map((v) => v.rule).filter((id) => EXIT_RULES.includes(id));
    const forwarded = sink.events.filter((e) => e.event === 'epoch_exit_forwarded').map((e) => `${e['fromCpu']}->${e['toCpu']}`);
    return { rules, forwarded };
  }

  it('scenario 48 as a scenario (migrate op): forwarded at PASSIVE, epoch.migrate-dispatch at DISPATCH, nothing under documented', async () => {
    expect(await migrateRun('ebpf-for-windows', 'PASSIVE')).to.deep.equal({ rules: [], forwarded: ['1->0'] });
    expect(await migrateRun('ebpf-for-windows', 'DISPATCH')).to.deep.equal({ rules: ['epoch.migrate-dispatch'], forwarded: [] });
    expect(await migrateRun('documented', 'DISPATCH')).to.deep.equal({ rules: [], forwarded: [] });
  });

  it('validates migrate: only inside a batch, a CPU of the scenario, an integer', async () => {
    expect(await badOps([{ op: 'migrate', cpu: 1 }])).to.equal('test.json: threads[0].ops[0].op: op "migrate" is allowed only inside a batch');
    expect(await badOps([{ op: 'batch', ops: [{ op: 'migrate', cpu: 2 }] }]))
      .to.equal('test.json: threads[0].ops[0].ops[0].cpu: cpu 2 is out of range (cpus = 2)');
    expect(await badOps([{ op: 'batch', ops: [{ op: 'migrate', cpu: 'x' }] }]))
      .to.equal('test.json: threads[0].ops[0].ops[0].cpu: expected a number, got "x"');
    expect(await badOps([{ op: 'batch', ops: [{ op: 'migrate' }] }])).to.equal('test.json: threads[0].ops[0].ops[0].cpu: missing');
  });
});

/**
 * The workload's optional insertPct (updates with BPF_NOEXIST) and
 * updateOption (ANY or EXIST for the updatePct share): compiled, checked
 * with one line naming the field, and a run that uses them takes the
 * NOEXIST and EXIST paths. A scenario without them compiles to insertPct 0
 * and ANY: the op draw is the one of before (the digests of the controlled
 * tests pin that).
 */
import { expect } from 'chai';
import { BadInput } from '../../src/contract/bad-input.js';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runChecked } from '../../src/harness/checked-run.js';

function scenario(workload: Record<string, unknown>): Record<string, unknown> {
  return {
    cpus: 1,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 64 } },
    workload: { keyRange: 16, opsPerCpu: 400, batchSize: 8, irql: 'PASSIVE', ...workload },
  };
}

const compile = (json: unknown) => compileScenario(json, 'test.json', process.cwd(), {});

async function badLine(json: unknown): Promise<string> {
  try {
    await compile(json);
  } catch (err) {
    expect(err).to.be.instanceOf(BadInput);
    expect((err as Error).message).to.not.contain('\n');
    return (err as Error).message;
  }
  return expect.fail('expected a BadInput');
}

describe('scenario/workload: insertPct and updateOption', () => {
  it('compiles them; without them insertPct is 0 and the update option ANY', async () => {
    const plain = await compile(scenario({ findPct: 50, updatePct: 30, deletePct: 20 }));
    expect(plain.workload).to.deep.include({ insertPct: 0, updateOption: 0 });
    const mix = await compile(scenario({ findPct: 10, insertPct: 40, updatePct: 10, deletePct: 40, updateOption: 'EXIST' }));
    expect(mix.workload).to.deep.include({ findPct: 10, insertPct: 40, updatePct: 10, deletePct: 40, updateOption: 2 });
  });

  it('bad values name the field, one line', async () => {
    expect(await badLine(scenario({ findPct: 10, insertPct: 40, updatePct: 10, deletePct: 30 })))
      .to.equal('test.json: workload.insertPct: findPct + insertPct + updatePct + deletePct must be 100, got 90');
    expect(await badLine(scenario({ findPct: 10, insertPct: -1, updatePct: 51, deletePct: 40 }))).to.match(/^test\.json: workload\.insertPct: /);
    expect(await badLine(scenario({ findPct: 50, updatePct: 30, deletePct: 20, updateOption: 'NOEXIST' }))).to.match(/^test\.json: workload\.updateOption: /);
  });

  it('a run takes the NOEXIST path: some inserts find the key present (one CPU: the same stream every run)', async () => {
    const plan = await compile(scenario({ findPct: 10, insertPct: 40, updatePct: 10, deletePct: 40, updateOption: 'EXIST' }));
    const { report } = await runChecked(plan, 'test');
    expect(report.verdict).to.equal('pass');
    expect(Object.keys(report.results)).to.include.members(['EBPF_SUCCESS', 'EBPF_OBJECT_ALREADY_EXISTS']);
  });
});

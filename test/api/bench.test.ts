/**
 * `bench(options)` from a script: the same result as the command, with the
 * table, CSV and HTML texts, and a script's mistake as one BadInput naming
 * the option. Shapes only: benchmarks are reported, never asserted.
 */
import { expect } from 'chai';
import { bench } from '../../src/api/bench.js';
import { BadInput } from '../../src/contract/bad-input.js';

async function badMessage(options: Parameters<typeof bench>[0]): Promise<string> {
  try {
    await bench(options);
  } catch (err) {
    expect(err).to.be.instanceOf(BadInput);
    return (err as Error).message;
  }
  return expect.fail('expected a BadInput');
}

describe('api/bench: epochlab bench from a script', function () {
  this.timeout(120_000);

  it('measures only the parts asked for, and returns the table, the CSV and the page', async () => {
    const steps: string[] = [];
    const r = await bench({ cpus: [1], duration: '60ms', reps: 1, only: ['readheavy'], capacity: 1024, onStep: (t) => steps.push(t) });
    const subjects = r.result.rows.map((row) => `${row.group}/${row.subject}/${row.threads}`).sort();
    expect(subjects).to.deep.equal(['ReadHeavy/epochlab-helper/1', 'ReadHeavy/epochlab-user/1', 'ReadHeavy/floor-one-load/1',
      'ReadHeavy/floor-same-shape/1', 'ReadHeavy/js-map/1']);
    expect(r.result.reclaim).to.equal(null);
    expect(r.result.micro).to.equal(null);
    expect(r.result.options.capacity).to.equal(1024);
    expect(r.csv.split('\n')[0]).to.equal('name,total_ops,threads,spent,throughput,latency,ratio');
    expect(r.csv.trim().split('\n')).to.have.length(6);
    expect(r.table).to.contain('ReadHeavy:');
    expect(r.html).to.contain('<svg');
    expect(steps.length).to.be.greaterThan(0);
  });

  it('names a bad option in one line', async () => {
    expect(await badMessage({ reps: 0 })).to.match(/^bench options: reps: /);
    expect(await badMessage({ capacity: 3000 })).to.match(/^bench options: capacity: .*power of two/);
    expect(await badMessage({ only: ['frob' as never] })).to.match(/^bench options: only/);
    expect(await badMessage({ duration: '10ms' })).to.match(/^bench options: duration: .*50ms/);
    expect(await badMessage({ frob: 1 } as never)).to.match(/^bench options: /);
  });
});

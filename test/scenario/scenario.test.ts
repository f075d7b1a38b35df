/**
 * Unit tests for scenario validation/compilation, key encoding, built-in
 * scenarios and command-line parsing.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadInput } from '../../src/contract/bad-input.js';
import { listScenarios, BUILTIN_SCENARIOS } from '../../src/scenario/builtins.js';
import { bucketCount, compileScenario, encodeKey, encodeValue, loadScenario } from '../../src/scenario/scenario.js';
import { parseCli } from '../../src/cli/args.js';

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-scenario-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A small valid scenario; `patch` edits a deep copy. */
function base(patch: (s: any) => void = () => {}): Record<string, unknown> {
  const s = {
    cpus: 2,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 8 } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 2 }] }],
  };
  patch(s);
  return s;
}

async function badInput(promise: Promise<unknown>): Promise<BadInput> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(BadInput);
    expect((err as Error).message).to.not.contain('\n');
    return err as BadInput;
  }
  throw new Error('expected a BadInput');
}

const compile = (json: unknown, overrides = {}) => compileScenario(json, 'test.json', tmp, overrides);

describe('cli/scenario: built-ins', () => {
  for (const { name } of listScenarios()) {
    it(`compiles built-in "${name}"`, async () => {
      const plan = await loadScenario(name, {});
      expect(plan.source).to.equal(`builtin:${name}`);
      expect(plan.name).to.equal(name);
      expect(plan.maps.length).to.be.greaterThan(0);
      expect(plan.threads.length > 0 || plan.workload !== null).to.equal(true);
    });
  }

  it('lists the required built-ins with one-line descriptions', () => {
    const names = listScenarios().map((s) => s.name);
    for (const n of ['default', 'smoke', 'contention', 'object-churn', 'full-map', 'legacy-veto', 'stall']) {
      expect(names).to.include(n);
    }
    for (const s of listScenarios()) expect(s.description).to.match(/^[^\n]+$/);
  });

  it('resolves the default scenario to every core and leaves the table untouched', async () => {
    const plan = await loadScenario('default', {});
    expect(plan.cpus).to.be.within(1, 64);
    expect(BUILTIN_SCENARIOS['default']!.scenario['cpus']).to.be.a('string');
    expect(plan.workload?.maps).to.deep.equal([0, 1]);
  });

  it('applies overrides', async () => {
    const plan = await loadScenario('contention', { cpus: 3, seed: 42 });
    expect(plan.cpus).to.equal(3);
    expect(plan.seed).to.equal(42);
  });

  it('rejects an unknown name', async () => {
    const err = await badInput(loadScenario('nope', {}));
    expect(err.message).to.equal('nope: no such scenario file or built-in scenario (try: epochlab scenarios)');
  });
});

describe('cli/scenario: compilation', () => {
  it('options a built-in provider rejects are bad input naming the map\'s options', async () => {
    const json = { cpus: 1, maps: { l: { provider: 'legacy', keySize: 4, valueSize: 4, maxEntries: 8, options: { vetoKeys: 1.5 } } },
      threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'delete', map: 'l', key: 1 }] }] };
    const err = await badInput(compile(json));
    expect(err.message).to.equal('test.json: maps.l.options: legacy provider: vetoKeys must be an array');
  });

  it('fills defaults and compiles ops', async () => {
    const plan = await compile(base((s) => {
      s.threads[0].ops.push({ op: 'find', map: 'm', key: 'hex:01' }, { op: 'delete_map', map: 'm' });
    }));
    expect(plan).to.include({ name: 'test', cpus: 2, seed: 1, epochTickMs: 1, stallEpochs: 200, watchdogMs: 10000 });
    expect(plan).to.include({ arenaBytes: 64 * 2 ** 20, traceRecords: 4096, profile: 'documented', trace: true });
    expect(plan.workload).to.equal(null);
    expect(plan.faults.allocFailAt).to.deep.equal([]);
    expect(plan.maps[0]).to.deep.include({ name: 'm', index: 0, provider: 'passthrough', buckets: 8, options: {} });
    const [update, find, del] = plan.threads[0]!.ops;
    expect(update).to.deep.equal({ op: 'update', map: 0, key: new Uint8Array([1, 0, 0, 0]), value: new Uint8Array([2, 0, 0, 0]), option: 0 });
    expect(find).to.deep.equal({ op: 'find', map: 0, key: new Uint8Array([1, 0, 0, 0]), add: 0 });
    expect(del).to.deep.equal({ op: 'delete_map', map: 0 });
  });

  it('compiles batches and workloads', async () => {
    const plan = await compile(base((s) => {
      s.threads[0].irql = 'DISPATCH';
      s.threads[0].ops = [{ op: 'batch', ops: [{ op: 'update', map: 'm', key: 1, value: 1, option: 'EXIST' }] }];
      s.workload = { findPct: 50, updatePct: 25, deletePct: 25, keyRange: 10, opsPerCpu: 5, batchSize: 2 };
    }));
    const batch = plan.threads[0]!.ops[0];
    expect(batch).to.deep.include({ op: 'batch', count: 1 });
    expect(batch?.op === 'batch' && batch.ops[0]).to.deep.include({ option: 2 });
    expect(plan.workload).to.deep.include({ durationMs: 0, irql: 'mixed', maps: [0], prefill: 0 });
  });

  it('computes bucket counts', () => {
    expect([0, 1, 2, 3, 4, 5, 1000, 1024].map(bucketCount)).to.deep.equal([64, 1, 2, 4, 4, 8, 1024, 1024]);
  });

  it('resolves a relative provider path against the scenario directory', async () => {
    writeFileSync(join(tmp, 'ok-provider.mjs'), `export { createProvider } from ${JSON.stringify(new URL('../../src/providers/passthrough.js', import.meta.url).href)};`);
    const plan = await compile(base((s) => { s.maps.m.provider = './ok-provider.mjs'; }));
    expect(plan.maps[0]!.provider).to.match(/^file:.*ok-provider\.mjs$/);
  });
});

describe('cli/scenario: bad input', () => {
  const cases: Array<[string, (s: any) => void, string]> = [
    ['unknown op', (s) => { s.threads[0].ops.push({ op: 'frob' }); }, 'test.json: threads[0].ops[1].op: unknown op "frob"'],
    ['unknown op field', (s) => { s.threads[0].ops[0].extra = 1; }, 'threads[0].ops[0].extra: unknown field'],
    ['unknown top-level field', (s) => { s.colour = 'red'; }, 'test.json: colour: unknown field'],
    ['key wider than keySize', (s) => { s.threads[0].ops[0].key = 2 ** 32; }, 'threads[0].ops[0].key: key wider than keySize'],
    ['hex key too long', (s) => { s.threads[0].ops[0].key = 'hex:0102030405'; }, 'threads[0].ops[0].key: key wider than keySize'],
    ['value too wide', (s) => { s.threads[0].ops[0].value = 'hex:0102030405'; }, 'threads[0].ops[0].value: value wider than valueSize'],
    ['negative key', (s) => { s.threads[0].ops[0].key = -1; }, 'threads[0].ops[0].key: expected a non-negative integer'],
    ['unknown map', (s) => { s.threads[0].ops[0].map = 'nope'; }, 'test.json: threads[0].ops[0].map: no map named "nope"'],
    ['unknown workload map', (s) => {
      s.workload = { findPct: 100, updatePct: 0, deletePct: 0, keyRange: 1, opsPerCpu: 1, batchSize: 1, maps: ['nope'] };
    }, 'workload.maps[0]: no map named "nope"'],
    ['cpus 0', (s) => { s.cpus = 0; }, 'test.json: cpus: must be at least 1'],
    ['cpus 100000', (s) => { s.cpus = 100000; }, 'test.json: cpus: must be at most 64'],
    ['cpus not an integer', (s) => { s.cpus = 1.5; }, 'cpus: expected an integer'],
    ['valueSize 1e9', (s) => { s.maps.m.valueSize = 1e9; }, 'test.json: maps.m.valueSize: must be at most 4096'],
    ['missing keySize', (s) => { delete s.maps.m.keySize; }, 'maps.m.keySize: missing'],
    ['thread cpu out of range', (s) => { s.threads[0].cpu = 2; }, 'threads[0].cpu: cpu 2 is out of range'],
    ['two threads on one cpu', (s) => { s.threads.push({ cpu: 0, irql: 'PASSIVE', ops: [] }); }, 'threads[1].cpu:'],
    ['nested batch', (s) => {
      s.threads[0].irql = 'DISPATCH';
      s.threads[0].ops = [{ op: 'batch', ops: [{ op: 'batch', ops: [] }] }];
    }, 'threads[0].ops[0].ops[0].op: op "batch" is not allowed inside a batch'],
    ['bad irql', (s) => { s.threads[0].irql = 'APC'; }, 'threads[0].irql: expected one of "PASSIVE", "DISPATCH", got "APC"'],
    ['percentages', (s) => {
      s.workload = { findPct: 50, updatePct: 40, deletePct: 0, keyRange: 1, opsPerCpu: 1, batchSize: 1 };
    }, 'workload: findPct + updatePct + deletePct must be 100'],
    ['no maps', (s) => { s.maps = {}; }, 'test.json: maps: a scenario needs at least one map'],
    ['no threads or workload', (s) => { delete s.threads; }, 'threads: a scenario needs threads or a workload'],
    ['epochTickMs too small', (s) => { s.epochTickMs = 0.01; }, 'epochTickMs: must be at least 0.1'],
    ['traceRecords too small', (s) => { s.traceRecords = 8; }, 'traceRecords: must be at least 64'],
  ];
  for (const [title, patch, expected] of cases) {
    it(title, async () => {
      const err = await badInput(compile(base(patch)));
      expect(err.message).to.contain(expected);
    });
  }

  it('a non-object file', async () => {
    const err = await badInput(compile([1, 2]));
    expect(err.message).to.equal('test.json: expected an object, got an array');
  });

  it('thread cpu beyond an overridden cpus', async () => {
    const err = await badInput(compile(base((s) => { s.threads[0].cpu = 1; }), { cpus: 1 }));
    expect(err.message).to.contain('threads[0].cpu: cpu 1 is out of range (cpus = 1)');
  });

  it('bad JSON', async () => {
    const file = join(tmp, 'broken.json');
    writeFileSync(file, '{ "cpus": 2,, }');
    const err = await badInput(loadScenario(file, {}));
    expect(err.message).to.match(new RegExp(`^${escape(file)}: invalid JSON: \\S`));
  });

  it('an unreadable file', async () => {
    const file = join(tmp, 'absent.json');
    const err = await badInput(loadScenario(file, {}));
    expect(err.message).to.equal(`${file}: cannot read file (ENOENT)`);
  });

  it('a provider path that does not exist', async () => {
    const missing = join(tmp, 'no-such-dir', 'provider.mjs');
    const err = await badInput(compile(base((s) => { s.maps.m.provider = missing; })));
    expect(err.message).to.match(/^test\.json: maps\.m\.provider: cannot load provider module/);
  });

  it('an unknown built-in provider name', async () => {
    const err = await badInput(compile(base((s) => { s.maps.m.provider = 'bogus'; })));
    expect(err.message).to.match(/^test\.json: maps\.m\.provider: no built-in provider named "bogus"/);
  });

  it('a provider lacking callbacks', async () => {
    const file = join(tmp, 'lacking.mjs');
    writeFileSync(file, "export function createProvider() { return { name: 'x', properties: { updatesOriginalValue: false }, dispatch: {} }; }\n");
    const err = await badInput(compile(base((s) => { s.maps.m.provider = file; })));
    expect(err.message).to.equal('test.json: maps.m.provider: provider lacks required callbacks: '
      + 'preprocessMapCreate, postprocessMapDelete, preprocessMapAssociateProgramType');
  });
});

describe('cli/scenario: key encoding', () => {
  it('encodes integers little-endian', () => {
    expect(encodeKey(0x0a0b0c, 4)).to.deep.equal(new Uint8Array([0x0c, 0x0b, 0x0a, 0]));
    expect(encodeKey(255, 1)).to.deep.equal(new Uint8Array([255]));
    expect(encodeKey(2 ** 40 + 1, 8)).to.deep.equal(new Uint8Array([1, 0, 0, 0, 0, 1, 0, 0]));
    expect(encodeValue(7, 16).length).to.equal(16);
  });

  it('zero-pads hex on the right', () => {
    expect(encodeKey('hex:0a0B', 4)).to.deep.equal(new Uint8Array([0x0a, 0x0b, 0, 0]));
    expect(encodeKey('hex:', 2)).to.deep.equal(new Uint8Array([0, 0]));
  });

  it('rejects bad keys with plain errors', () => {
    expect(() => encodeKey(256, 1)).to.throw(Error, 'key wider than keySize');
    expect(() => encodeKey('hex:010203', 2)).to.throw(Error, 'key wider than keySize');
    expect(() => encodeKey('hex:abc', 4)).to.throw(Error, 'hex');
    expect(() => encodeKey('12', 4)).to.throw(Error, 'hex');
    expect(() => encodeKey(1.5, 4)).to.throw(Error, 'non-negative integer');
    expect(() => encodeKey(null, 4)).to.throw(Error, 'non-negative integer');
  });
});

describe('cli/args: parseCli', () => {
  it('parses run with options', () => {
    expect(parseCli(['run', 'smoke', '--cpus', '3', '--seed=7', '--trace', 'out.bin', '--json', '--duration', '10s']))
      .to.deep.equal({ kind: 'run', scenario: 'smoke', cpus: 3, seed: 7, trace: 'out.bin', json: true, noTrace: false, duration: 10000, profile: 'documented', check: true, mode: 'free', strategy: 'random', checkDeterminism: false, mutant: null, pctDepth: 3, pctSteps: 20_000, switchEvery: 1 });
  });

  it('defaults the scenario and parses durations', () => {
    expect(parseCli(['run'])).to.deep.equal({ kind: 'run', scenario: 'default', json: false, noTrace: false, profile: 'documented', check: true, mode: 'free', strategy: 'random', checkDeterminism: false, mutant: null, pctDepth: 3, pctSteps: 20_000, switchEvery: 1 });
    expect(parseCli(['run', '--no-trace'])).to.deep.include({ noTrace: true });
    const ms = (d: string) => (parseCli(['run', '--duration', d]) as { duration?: number }).duration;
    expect([ms('500ms'), ms('2m'), ms('1.5s')]).to.deep.equal([500, 120000, 1500]);
  });

  it('parses the other commands', () => {
    expect(parseCli(['scenarios'])).to.deep.equal({ kind: 'scenarios', json: false });
    expect(parseCli(['scenarios', '--json'])).to.deep.equal({ kind: 'scenarios', json: true });
    expect(parseCli([])).to.deep.equal({ kind: 'help' });
    expect(parseCli(['help'])).to.deep.equal({ kind: 'help' });
    expect(parseCli(['run', '--help'])).to.deep.equal({ kind: 'help', command: 'run' });
    expect(parseCli(['help', 'stress'])).to.deep.equal({ kind: 'help', command: 'stress' });
    expect(parseCli(['--help'])).to.deep.equal({ kind: 'help' });
    expect(parseCli(['--version'])).to.deep.equal({ kind: 'version' });
    expect(parseCli(['-V'])).to.deep.equal({ kind: 'version' });
  });

  const bad: Array<[string[], string]> = [
    [['run', '--cpus', 'x'], 'epochlab: --cpus: expected a positive integer, got "x"'],
    [['run', '--cpus', '0'], 'epochlab: --cpus: expected a positive integer, got "0"'],
    [['run', '--seed', '1.5'], 'epochlab: --seed: expected a non-negative integer, got "1.5"'],
    [['run', '--duration', 'soon'], 'epochlab: --duration: expected a duration'],
    [['run', '--frob'], 'epochlab: --frob: unknown option'],
    [['run', '--cpus'], 'epochlab: --cpus: expected a value'],
    [['frob'], 'epochlab: unknown command "frob"'],
    [['run', 'a', 'b'], 'epochlab: unexpected argument "b"'],
    [['scenarios', '--cpus', '2'], 'epochlab: --cpus: only valid with "run"'],
    [['run', '--duration', '250'], 'epochlab: --duration: expected a duration with a unit, like 2s, 500ms or 1m, got "250"'],
    [['stress', 'smoke', '--time', '60'], 'epochlab: --time: expected a duration with a unit, like 2s, 500ms or 1m, got "60"'],
    [['help', 'frob'], 'epochlab: unknown command "frob"'],
    [['help', 'run', 'x'], 'epochlab: unexpected argument "x"'],
  ];
  for (const [argv, expected] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      try {
        parseCli(argv);
      } catch (err) {
        expect(err).to.be.instanceOf(BadInput);
        expect((err as Error).message).to.contain(expected);
        return;
      }
      expect.fail('expected a BadInput');
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Scenario files: a key given twice in one object, at any depth, is bad
 * input naming the file and the key's path; and a message is one line
 * whatever characters a field name holds (line breaks, control characters,
 * very long names are escaped and cut).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileScenario, loadScenario } from '../../src/scenario/scenario.js';
import { findDuplicateKey } from '../../src/scenario/json-keys.js';
import { BadInput } from '../../src/contract/bad-input.js';
import { runFile } from '../support/cli-run.js';

const tmp = mkdtempSync(join(tmpdir(), 'epochlab-scenario-files-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const VALID = `{
  "cpus": 1,
  "maps": { "m": { "provider": "passthrough", "keySize": 4, "valueSize": 4, "maxEntries": 8 } },
  "threads": [ { "cpu": 0, "irql": "PASSIVE", "ops": [
    { "op": "update", "map": "m", "key": 1, "value": 2 },
    { "op": "find", "map": "m", "key": 1 }
  ] } ]
}`;

/** Loads `text` as a scenario file; returns the BadInput message (fails the test if it loads). */
async function badInput(text: string): Promise<{ message: string; file: string }> {
  const file = join(tmp, `s${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, text);
  try {
    await loadScenario(file, {});
  } catch (err) {
    expect(err).to.be.instanceOf(BadInput);
    return { message: (err as BadInput).message, file };
  }
  throw new Error('the scenario loaded');
}

describe('scenario files: duplicate keys', function () {
  it('the valid file loads (the cases below each change one thing)', async function () {
    const file = join(tmp, 'valid.json');
    writeFileSync(file, VALID);
    expect((await loadScenario(file, {})).cpus).to.equal(1);
  });

  it('a top-level key given twice is bad input naming it', async function () {
    const { message, file } = await badInput(VALID.replace('"cpus": 1,', '"cpus": 1, "cpus": 2,'));
    expect(message).to.equal(`${file}: cpus: duplicate key (given more than once in the same object)`);
  });

  it('a key given twice deep inside (a map, an op in a thread) is named by its path', async function () {
    const inMap = await badInput(VALID.replace('"keySize": 4,', '"keySize": 4, "keySize": 8,'));
    expect(inMap.message).to.equal(`${inMap.file}: maps.m.keySize: duplicate key (given more than once in the same object)`);
    const inOp = await badInput(VALID.replace('{ "op": "find", "map": "m", "key": 1 }', '{ "op": "find", "map": "m", "key": 1, "key": 2 }'));
    expect(inOp.message).to.equal(`${inOp.file}: threads[0].ops[1].key: duplicate key (given more than once in the same object)`);
    const twoMaps = await badInput(VALID.replace('"maps": { "m": {', '"maps": { "m": {}, "m": {'));
    expect(twoMaps.message).to.contain(': maps.m: duplicate key');
  });

  it('the scanner: escapes in keys, keys that look alike, values that look like keys, deep nesting', function () {
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).to.deep.equal({ path: [], key: 'a' });
    expect(findDuplicateKey('{"a":"a","b":{"a":1},"c":[{"a":1},{"a":2}]}')).to.equal(null);
    expect(findDuplicateKey('{"x":[[{"k":1}],[{"k":1,"k\\"":2,"k":3}]]}')).to.deep.equal({ path: ['x', 1, 0], key: 'k' });
    const deep = `${'['.repeat(5000)}{"a":1,"a":2}${']'.repeat(5000)}`;
    expect(findDuplicateKey(deep)?.key).to.equal('a');
  });
});

describe('scenario files: numbers', function () {
  it('a huge number is named with the field\'s own bound, not the safe-integer one', async function () {
    const { message, file } = await badInput(VALID.replace('"maxEntries": 8', '"maxEntries": 1e308'));
    expect(message).to.equal(`${file}: maps.m.maxEntries: must be at most 1048576, got 1e+308`);
    const seed = await badInput(VALID.replace('"cpus": 1,', '"cpus": 1, "seed": 1e308,'));
    expect(seed.message).to.equal(`${seed.file}: seed: must be at most 9007199254740991, got 1e+308`);
  });
});

describe('scenario files: nesting', function () {
  it('a value nested deeper than 64 levels is bad input (it could not reach the worker threads), in a file or a script', async function () {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const { message, file } = await badInput(VALID.replace('"maxEntries": 8', `"maxEntries": 8, "options": { "deep": ${deep} }`));
    expect(message).to.equal(`${file}: maps.m.options.deep[0][0]...: nested more than 64 levels deep`);
    const cyclic: Record<string, unknown> = {};
    cyclic['again'] = cyclic;
    const scenario = JSON.parse(VALID) as { maps: { m: Record<string, unknown> } };
    scenario.maps.m['options'] = cyclic;
    const err = await compileScenario(scenario, 'inline', tmp, {}).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(BadInput);
    expect((err as BadInput).message).to.equal('inline: maps.m.options.again.again.again...: nested more than 64 levels deep');
  });
});

describe('scenario files: a message is one line, whatever a field name holds', function () {
  const cases: [string, string][] = [
    ['a line break', 'bad\nname'],
    ['a carriage return and a tab', 'bad\r\tname'],
    ['control characters and a line separator', 'bad\u0000\u001b[31m\u2028name'],
    ['a very long name', 'n'.repeat(5000)],
  ];
  for (const [what, name] of cases) {
    it(`an unknown field whose name holds ${what}`, async function () {
      const { message } = await badInput(VALID.replace('"cpus": 1,', `"cpus": 1, ${JSON.stringify(name)}: 1,`));
      expect(message).not.to.match(/[\n\r\u2028\u2029\u0000-\u001f]/);
      expect(message).to.match(/: unknown field$/);
      expect(message.length).to.be.below(400);
    });
  }

  it('a map whose name holds a line break', async function () {
    const { message, file } = await badInput(VALID.replace('"maps": { "m": {', '"maps": { "m\\nx": {'));
    expect(message).to.equal(`${file}: maps["m\\nx"]: map names must start with a letter or _ and use only letters, digits, _ . -`);
  });

  it('through the CLI: exit 2, exactly one line on stderr, nothing on stdout', function () {
    const r = runFile('dup.json', VALID.replace('"maps": {', '"maps\\n": 1, "maps": {').replace('"cpus": 1,', '"cpus": 1, "cpus": 1,'));
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr.endsWith('\n')).to.equal(true);
    expect(r.stderr.slice(0, -1)).not.to.contain('\n');
    expect(r.stderr).to.match(/dup\.json: cpus: duplicate key \(given more than once in the same object\)\n$/);
  });
});

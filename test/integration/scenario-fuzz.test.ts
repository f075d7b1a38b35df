/**
 * The scenario fuzzer: seeded mutants of every built-in scenario and of the
 * example files (test/support/scenario-mutator.ts). Most are validated in
 * process, through the same parse and compile the CLI runs (a mutant either
 * compiles or is a one-line BadInput naming the file; any other error is a
 * finding); a seeded sample runs end to end through the CLI as child
 * processes with small budgets: every outcome is exit 0, 1 or 2 with a clean
 * message (exit 2: exactly one line on stderr and nothing on stdout; never a
 * stack trace, never an internal error), and never a hang. EPOCHLAB_FUZZ_SEED
 * picks another seed (the default one is what `npm test` runs).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileScenario, parseJson } from '../../src/scenario/scenario.js';
import { builtinScenario, listScenarios } from '../../src/scenario/builtins.js';
import { BadInput } from '../../src/contract/bad-input.js';
import { ScenarioMutator, budgeted, type Mutant } from '../support/scenario-mutator.js';
import { outcomeProblem, type ChildResult } from '../support/clean-exit.js';
import { MAIN } from '../support/cli-run.js';

const SEED = Number(process.env['EPOCHLAB_FUZZ_SEED'] || 20261202);
const IN_PROCESS = 500;
const END_TO_END = 16;
const CHILD_TIMEOUT_MS = 30_000;
const PARALLEL = 2;

/** The source tree's examples/ (this file is <outDir>/test/integration/). */
const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const FILE = 'fuzz.json';

interface Base { name: string; json: Record<string, unknown>; dir: string }

function corpus(): Base[] {
  const bases: Base[] = listScenarios().map(({ name }) => ({ name, json: builtinScenario(name)!, dir: process.cwd() }));
  const files = [...readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).map((f) => join(EXAMPLES, f)),
    join(EXAMPLES, 'typed-provider', 'scenario.json')];
  for (const file of files) {
    bases.push({ name: file, json: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, dir: dirname(file) });
  }
  return bases;
}

type Outcome = 'ok' | 'bad-input';

/** The CLI's own parse and compile, in process; a finding (thrown) for anything but success or a clean BadInput. */
async function validate(m: Mutant, dir: string): Promise<Outcome> {
  try {
    await compileScenario(parseJson(m.text, FILE), FILE, dir, {});
    return 'ok';
  } catch (err) {
    if (!(err instanceof BadInput)) throw new Error(`not a BadInput: ${String((err as Error)?.stack ?? err)}`);
    if (/[\n\r\u2028\u2029]/.test(err.message)) throw new Error(`a message on more than one line: ${JSON.stringify(err.message)}`);
    if (!err.message.startsWith(`${FILE}: `)) throw new Error(`a message that does not name the file: ${err.message}`);
    return 'bad-input';
  }
}


function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, CHILD_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

describe(`integration/scenario-fuzz: mutants of the built-in scenarios and examples (seed ${SEED})`, function () {
  this.timeout(300_000);
  const bases = corpus();
  const mutator = new ScenarioMutator(SEED);
  const compiled: { mutant: Mutant; base: Base; outcome: Outcome }[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-fuzz-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the oracle: same seed, same mutants; a stack trace, an internal error, two lines for exit 2 or a hang are findings', function () {
    const again = new ScenarioMutator(SEED);
    const first = new ScenarioMutator(SEED);
    expect(again.mutate(bases[0]!.json)).to.deep.equal(first.mutate(bases[0]!.json));
    const clean: ChildResult = { status: 2, signal: null, stdout: '', stderr: 'f.json: cpus: missing\n', timedOut: false };
    expect(outcomeProblem(clean, 1)).to.equal(null);
    expect(outcomeProblem({ ...clean, stderr: 'f.json: a\nb\n' }, 1)).to.match(/^exit 2 without exactly one line/);
    expect(outcomeProblem({ ...clean, stdout: 'x' }, 1)).to.equal('exit 2 with output on stdout');
    expect(outcomeProblem({ ...clean, status: 1, stdout: 'report', stderr: 'Error: x\n    at f (a.js:1:1)\n' }, 1)).to.equal('a stack trace');
    expect(outcomeProblem({ ...clean, status: 1, stdout: '', stderr: 'epochlab: internal error: x\n' }, 1)).to.equal('an internal error');
    expect(outcomeProblem({ ...clean, status: null, signal: 'SIGKILL', timedOut: true }, 5)).to.equal('no exit within 5 ms (a hang)');
    expect(outcomeProblem({ ...clean, status: 7 }, 1)).to.equal('exit 7');
  });

  it(`${IN_PROCESS} mutants in process: each compiles or is a one-line BadInput naming the file`, async function () {
    const findings: string[] = [];
    for (let i = 0; i < IN_PROCESS; i++) {
      const base = mutator.pick(bases);
      const mutant = mutator.mutate(base.json);
      try {
        compiled.push({ mutant, base, outcome: await validate(mutant, base.dir) });
      } catch (err) {
        findings.push(`#${i} ${base.name} [${mutant.steps.join('; ')}]: ${(err as Error).message.slice(0, 600)}`);
      }
    }
    expect(findings, findings.join('\n')).to.deep.equal([]);
    const outcomes = new Set(compiled.map((c) => c.outcome));
    expect([...outcomes].sort(), 'the mutants reach both outcomes').to.deep.equal(['bad-input', 'ok']);
  });

  it(`${END_TO_END} of them through the CLI: exit 0, 1 or 2, a clean message, no hang`, async function () {
    const ok = compiled.filter((c) => c.outcome === 'ok');
    const bad = compiled.filter((c) => c.outcome === 'bad-input');
    const sample = Array.from({ length: END_TO_END }, (_, i) => (i % 3 === 2 || ok.length === 0 ? mutator.pick(bad) : mutator.pick(ok)));
    const findings: string[] = [];
    const jobs = sample.map((c, i) => async (): Promise<void> => {
      const file = join(tmp, `m${i}.json`);
      // A mutant that compiled runs with small budgets; one that did not is written as it is.
      writeFileSync(file, c.outcome === 'ok' ? JSON.stringify(budgeted(JSON.parse(c.mutant.text))) : c.mutant.text);
      const extra = mutator.pick([[], [], ['--no-check'], ['--json'], ['--mode', 'controlled']]);
      const r = await runChild(['run', file, ...extra]);
      const p = outcomeProblem(r, CHILD_TIMEOUT_MS);
      if (p !== null) findings.push(`m${i} ${c.base.name} [${c.mutant.steps.join('; ')}] ${extra.join(' ')}: ${p}\n${r.stderr.slice(0, 800)}`);
    });
    for (let next = 0; next < jobs.length; next += PARALLEL) await Promise.all(jobs.slice(next, next + PARALLEL).map((j) => j()));
    expect(findings, findings.join('\n')).to.deep.equal([]);
  });
});

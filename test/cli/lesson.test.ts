/**
 * `epochlab lesson list` and `epochlab lesson NAME`, as a child process:
 * the list as text and JSON; a lesson's narration in the terminal (each
 * step under its event, the break-it narration, the question, the answer
 * only with --answer); --json prints the LessonDocument the API returns;
 * a name that is not a lesson, and --answer with list, are bad input.
 */
import { expect } from 'chai';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lesson, lessons, type LessonResult } from '../../src/api/lesson.js';
import { formatEvent } from '../../src/check/violation-report.js';
import type { LessonStep, TraceDocument } from '../../src/view/document.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function epochlab(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** Words separated by single spaces, so wrapped text compares with the sentence it came from. */
const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The lines of a narration: each step's event line, then its words. */
function expectSteps(out: string, steps: readonly LessonStep[], trace: TraceDocument): void {
  let from = 0;
  for (const s of steps) {
    const e = trace.events.find((x) => x.seq === s.seq)!;
    const at = out.indexOf(`\n  ${formatEvent(e)}\n`, from);
    expect(at, `event line of #${s.seq}`).to.be.above(from - 1);
    const next = out.indexOf('\n\n', at + 1);
    expect(flat(out.slice(at, next < 0 ? undefined : next))).to.equal(flat(`${formatEvent(e)} ${s.text}`));
    from = at + 1;
  }
}

describe('cli/lesson', function () {
  this.timeout(120_000);
  let api: LessonResult;
  before(async () => {
    api = await lesson('why-epochs');
  });

  it('lesson list: each lesson with its title, one a line; --json: the list the API returns', () => {
    const r = epochlab(['lesson', 'list']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).to.deep.equal(lessons().map((l) => l.name));
    for (const [i, l] of lessons().entries()) expect(lines[i]).to.match(new RegExp(`^${l.name} +${l.title.replace(/[()]/g, '\\$&')}$`));
    const j = epochlab(['lesson', 'list', '--json']);
    expect(j.status).to.equal(0);
    expect(JSON.parse(j.stdout)).to.deep.equal(lessons());
  });

  it('lesson NAME: the title, each step under its event, the break-it narration, then the question', () => {
    const r = epochlab(['lesson', 'why-epochs']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    const out = r.stdout;
    expect(out.startsWith('lesson why-epochs: Why a reader needs an epoch\n')).to.equal(true);
    expect(flat(out)).to.contain(flat(api.lesson.intro));
    const broken = out.indexOf('\nbreak it: free the replaced value at once (mutant free-immediately)\n');
    expect(broken).to.be.above(0);
    expectSteps(out.slice(0, broken), api.lesson.steps, api.trace);
    expectSteps(out.slice(broken), api.lesson.broken!.steps, api.lesson.broken!.trace);
    expect(flat(out)).to.contain(flat(`question: ${api.lesson.question}`));
    expect(out).to.not.contain('answer:');
    expect(out.trimEnd().endsWith('(epochlab lesson why-epochs --answer prints the answer)')).to.equal(true);
  });

  it('--answer prints the answer after the question', () => {
    const r = epochlab(['lesson', 'why-epochs', '--answer']);
    expect(r.status, r.stderr).to.equal(0);
    expect(flat(r.stdout).endsWith(flat(`question: ${api.lesson.question} answer: ${api.lesson.answer}`))).to.equal(true);
  });

  it('--json prints the LessonDocument, the same as the API returns', () => {
    const r = epochlab(['lesson', 'why-epochs', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal(api.lesson);
  });

  it('a name that is not a lesson is bad input listing the lessons; so are --answer with list and no name', () => {
    const names = lessons().map((l) => l.name).join(', ');
    const cases: Array<[string[], string]> = [
      [['lesson', 'frob'], `epochlab: no lesson named "frob" (the lessons: ${names})`],
      [['lesson', 'list', '--answer'], 'epochlab: --answer: not valid with lesson list (it goes with lesson NAME)'],
      [['lesson'], 'epochlab: lesson needs a NAME, or list for the lessons (epochlab lesson list)'],
      [['lesson', 'why-epochs', 'extra'], 'epochlab: unexpected argument "extra"'],
      [['lesson', 'why-epochs', '--seed', '3'], 'epochlab: --seed: only valid with "run", "bench"'],
    ];
    for (const [args, line] of cases) {
      const r = epochlab(args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal(`${line}\n`);
    }
  });
});

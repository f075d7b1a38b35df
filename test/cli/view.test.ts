/**
 * `epochlab view` and `--html` on the command line, as child processes: a
 * trace file becomes a page holding every event of the file and the run its
 * run_begin names; a page that cannot be written, a missing or broken trace
 * and a missing argument are bad input (exit 2, one line, nothing on
 * stdout), refused before any run; stress with no failure says it wrote no
 * page.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTraceFile } from '../../src/view/trace-file.js';
import { embeddedDocument } from '../support/timeline.js';
import type { ViewReport } from '../../src/api/view.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'epochlab-view-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function epochlab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EPOCHLAB_')));
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, nothing on stdout, one line on stderr: this one, or one that matches. */
function badInput(args: string[], line: string | RegExp): void {
  const r = epochlab(args);
  expect([r.status, r.stdout]).to.deep.equal([2, '']);
  if (typeof line === 'string') expect(r.stderr).to.equal(`${line}\n`);
  else expect(r.stderr).to.match(line);
}

describe('cli/view: pages from the command line', function () {
  this.timeout(120_000);

  it('view TRACE: the page holds every event of the file and the run its run_begin names', async () => {
    expect(epochlab(['run', 'smoke', '--mode', 'controlled', '--mutant', 'missing-undo', '--trace', 'smoke.jsonl']).status).to.be.oneOf([0, 1]);
    const r = epochlab(['view', 'smoke.jsonl']);
    expect(r.status, r.stderr).to.equal(0);
    const events = await loadTraceFile(join(tmp, 'smoke.jsonl'));
    const doc = embeddedDocument(join(tmp, 'smoke.html'));
    expect(r.stdout).to.match(new RegExp(`^page: smoke\\.html \\(${events.length} events, ${doc.trace.reports.length} violation reports?, [\\d.]+ MB\\)\\n$`));
    expect(doc.trace.events).to.deep.equal(events);
    expect(doc.trace.run).to.deep.equal({ scenario: 'smoke', seed: 1, cpus: 1, profile: 'documented', mode: 'controlled', strategy: 'random', mutant: 'missing-undo' });
    expect(doc.trace.timeUnit).to.equal('decision');
    expect(doc.generator).to.match(/^epochlab \S+: epochlab view smoke\.jsonl --out smoke\.html$/);
    const json = JSON.parse(epochlab(['view', 'smoke.jsonl', '-o', 'other.html', '--json']).stdout) as ViewReport;
    expect(json).to.deep.include({ file: 'smoke.jsonl' });
    expect(json.page).to.deep.include({ path: 'other.html', events: events.length, total: events.length, window: null });
  });

  it('bad input: an unwritable page (before the run), a missing or broken trace, no TRACE', () => {
    badInput(['run', 'smoke', '--html', 'no-such-dir/run.html'], 'epochlab: --html: cannot write no-such-dir/run.html: folder not writable (ENOENT)');
    badInput(['stress', 'smoke', '--html', tmp], `epochlab: --html: cannot write ${tmp}: is a directory`);
    badInput(['view', 'missing.jsonl'], 'missing.jsonl: cannot read trace file (ENOENT)');
    writeFileSync(join(tmp, 'broken.jsonl'), '{"seq":1,"t":0,"cpu":0,"irql":"PASSIVE","event":"op_begin"}\nnot json\n');
    badInput(['view', 'broken.jsonl'], /^broken\.jsonl: line 2: invalid JSON: [^\n]+\n$/);
    writeFileSync(join(tmp, 'blank.jsonl'), '\n\n');
    badInput(['view', 'blank.jsonl'], 'blank.jsonl: no trace events in the file');
    badInput(['view'], 'epochlab: view needs a TRACE (a JSON Lines file from run --trace)');
    expect(existsSync(join(tmp, 'broken.html'))).to.equal(false);
  });

  it('stress --html with no failing run says that no page was written', () => {
    const r = epochlab(['stress', 'smoke', '--runs', '2', '--html', 'none.html']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.split('\n').at(-2)).to.equal('no page written to none.html: no run failed');
    expect(existsSync(join(tmp, 'none.html'))).to.equal(false);
  });
});

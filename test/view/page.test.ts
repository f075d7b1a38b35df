/**
 * The timeline page in headless Chromium, on pages of real runs: it opens
 * from file:// with no console error and no request; it shows one lane per
 * CPU and the manager's; stepping moves the current event and the retire
 * queues follow (a block appears after its retire, leaves after its free);
 * "next violation" lands on the checker's violation of a failing replay with
 * its report and excerpt; a lesson's "break it" switches traces; and a
 * screenshot of a two-CPU run is taken (into docs/images/timeline.png with EPOCHLAB_SCREENSHOTS=1).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchBrowser } from '../support/browser.js';
import { embeddedDocument, goTo, openTimeline, settle, stateOf } from '../support/timeline.js';
import { run } from '../../src/api/run.js';
import type { ReplayReport } from '../../src/api/replay.js';
import { traceFromFile } from '../../src/view/from-file.js';
import { viewDocument } from '../../src/view/build.js';
import { writeHtml } from '../../src/view/html.js';
import type { LessonDocument, TraceDocument } from '../../src/view/document.js';
import type { TraceEvent } from '../../src/trace/decode.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The README's image is written only when asked (EPOCHLAB_SCREENSHOTS=1); otherwise the screenshot stays in the test's own directory. */
const UPDATE_IMAGES = process.env['EPOCHLAB_SCREENSHOTS'] === '1';

function epochlab(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EPOCHLAB_')));
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeBrowser('view/page: the timeline in a browser', function () {
  this.timeout(180_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-page-'));
  const twoCpu = join(tmp, 'two-cpu.html');
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
    const r = await run('examples/replace-and-delete.json', { mode: 'controlled', html: twoCpu });
    expect(r.page).to.deep.include({ path: twoCpu, events: r.traceEvents, total: r.traceEvents, window: null });
  });
  after(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a real two-CPU run opens from file:// with no error and no request, one lane per CPU and the manager', async () => {
    const { page, watch } = await openTimeline(browser, twoCpu);
    const s = await stateOf(page);
    expect(s.lanes).to.deep.equal(['CPU 0', 'CPU 1', 'epoch manager']);
    expect(s.events).to.equal(embeddedDocument(twoCpu).trace.events.length);
    expect(await page.textContent('.run')).to.match(/^replace-and-delete, seed 7, 2 CPUs, profile documented, controlled \(random\), no mutant: \d+ events, 0 violation reports$/);
    expect(await page.textContent('.status')).to.equal(`event 1 of ${s.events}: #1 CPU 0 op_begin`);
    expect(watch.errors).to.deep.equal([]);
    expect(watch.network).to.deep.equal([]);
    await page.close();
  });

  it('stepping moves the current event; a block joins its queue after its retire and leaves after its free', async () => {
    const events = embeddedDocument(twoCpu).trace.events;
    const r = events.findIndex((e) => e.event === 'retire' && e.cpu >= 0);
    const retire = events[r]!;
    const f = events.findIndex((e) => e.event === 'free' && e['block'] === retire['block']);
    const block = `.queue[data-cpu="${retire.cpu}"] [data-block="${String(retire['block'])}"]`;
    const { page } = await openTimeline(browser, twoCpu);
    await goTo(page, r - 1);
    expect(await page.locator(block).count()).to.equal(0);
    await page.keyboard.press('ArrowRight');
    await settle(page);
    expect((await stateOf(page)).seq).to.equal(retire.seq);
    expect(await page.textContent('.details h2')).to.equal(`#${retire.seq} retire`);
    const published = [...events.slice(0, r + 1)].reverse().find((e) => e.event === 'epoch_advance')?.['epoch'] as number;
    expect(await page.textContent(block)).to.equal(`${String(retire['block'])} ${String(retire['tag'])} stamp ${String(retire['epoch'])} age ${published - Number(retire['epoch'])} (retired #${retire.seq})`);
    await page.keyboard.press('ArrowLeft');
    await settle(page);
    expect(await page.locator(block).count()).to.equal(0);
    await goTo(page, f - 1);
    expect(await page.locator(block).count()).to.equal(1);
    await page.click('[data-action="forward"]');
    await settle(page);
    expect(await page.locator(block).count()).to.equal(0);
    expect(await page.textContent('.freed')).to.contain(`freed block ${String(retire['block'])}`);
    expect((await stateOf(page)).index).to.equal(f);
    await page.close();
  });

  it('zoom and pan change the part of the axis in view; a click on a lane picks the event under it', async () => {
    const { page } = await openTimeline(browser, twoCpu);
    const span = (s: { view: { start: number; end: number } }): number => s.view.end - s.view.start;
    const fit = await stateOf(page);
    await page.click('[data-action="zoom-in"]');
    await settle(page);
    const zoomed = await stateOf(page);
    expect(span(zoomed)).to.be.closeTo(span(fit) / 2, 1e-9);
    await page.keyboard.press('-');
    await settle(page);
    expect(span(await stateOf(page))).to.be.closeTo(span(fit), 1e-9);
    const box = (await page.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 150);
    await page.mouse.wheel(0, -300);
    await settle(page);
    expect(span(await stateOf(page))).to.be.lessThan(span(fit));
    await page.keyboard.press('0');
    await page.click('[data-action="pan-right"]');
    await settle(page);
    const panned = await stateOf(page);
    expect(panned.view.start - fit.view.start).to.be.closeTo(span(fit) / 4, 1e-9);
    await page.keyboard.press('a');
    await settle(page);
    const before = await stateOf(page);
    expect(before.view.start).to.be.closeTo(fit.view.start, 1e-9);
    await page.mouse.move(box.x + 600, box.y + 150);
    await page.mouse.down();
    await page.mouse.move(box.x + 400, box.y + 150, { steps: 4 });
    await page.mouse.up();
    await settle(page);
    const dragged = await stateOf(page);
    expect(dragged.view.start).to.be.greaterThan(before.view.start);
    expect(span(dragged)).to.be.closeTo(span(before), 1e-9);
    expect(dragged.index).to.equal(before.index);
    // On the order axis event i sits at i; CPU 1's lane is the second, its marks row 62 px into it.
    const events = embeddedDocument(twoCpu).trace.events;
    const target = events.findIndex((e) => e.cpu === 1 && e.event === 'read');
    const left = 108;
    const x = left + ((target - dragged.view.start) / span(dragged)) * (box.width - left - 8);
    await page.mouse.click(box.x + x, box.y + 22 + 70 + 74 + 66);
    await settle(page);
    expect((await stateOf(page)).index).to.equal(target);
    expect(await page.textContent('.details h2')).to.equal(`#${events[target]!.seq} read`);
    await page.close();
  });

  it('next violation lands on the checker\'s violation of a failing replay, with its report and excerpt', async () => {
    const stress = epochlab(['stress', 'smoke', '--runs', '5', '--mutant', 'callback-under-lock', '--out', 'fail.json'], tmp);
    expect(stress.status, stress.stderr).to.equal(1);
    const replayed = epochlab(['replay', 'fail.json', '--html', 'replay.html', '--json'], tmp);
    expect(replayed.status, replayed.stderr).to.equal(1);
    const r = JSON.parse(replayed.stdout) as ReplayReport;
    const report = r.report!;
    const { page, watch } = await openTimeline(browser, join(tmp, 'replay.html'));
    expect((await stateOf(page)).active).to.equal(null);
    await page.keyboard.press('n');
    await settle(page);
    const s = await stateOf(page);
    expect(s.active).to.deep.equal({ rule: report.rule, seq: report.seq });
    expect(s.seq).to.equal(report.seq);
    expect(s.highlighted).to.equal(report.excerpt.length);
    expect(await page.textContent('.report .message')).to.equal(report.message);
    expect(await page.textContent('.excerpt li.here')).to.contain(`#${report.seq} CPU ${report.cpu} ${report.irql} ${report.excerpt.at(-1)!.event}`);
    expect(await page.locator('.fired code', { hasText: report.rule }).count()).to.equal(1);
    expect(watch.errors).to.deep.equal([]);
    await page.close();
  });

  it('a lesson narrates the current event, "break it" switches to the broken trace, and the answer waits to be asked for', async () => {
    const lesson = await twoRunLesson(tmp);
    const file = join(tmp, 'lesson.html');
    writeHtml(file, viewDocument(lesson.correct, 'test', lesson.doc));
    const { page, watch } = await openTimeline(browser, file);
    expect((await stateOf(page)).narration).to.equal(null);
    await page.click('[data-action="lesson-next"]');
    await settle(page);
    let s = await stateOf(page);
    expect([s.trace, s.seq, s.narration]).to.deep.equal(['main', lesson.doc.steps[0]!.seq, lesson.doc.steps[0]!.text]);
    await page.click('[data-action="break-it"]');
    await page.click('[data-action="lesson-next"]');
    await settle(page);
    s = await stateOf(page);
    const broken = lesson.doc.broken!;
    expect([s.trace, s.events, s.seq, s.narration]).to.deep.equal(['broken', broken.trace.events.length, broken.steps[0]!.seq, broken.steps[0]!.text]);
    expect(await page.textContent('.run')).to.contain('mutant free-immediately');
    expect(await page.isVisible('.answer')).to.equal(false);
    await page.click('[data-action="answer"]');
    expect(await page.textContent('.answer')).to.equal(lesson.doc.answer);
    expect((await stateOf(page)).answerShown).to.equal(true);
    await page.click('[data-action="break-it"]');
    expect((await stateOf(page)).trace).to.equal('main');
    expect(watch.errors).to.deep.equal([]);
    await page.close();
  });

  it('a screenshot of the two-CPU run: a replace, retires waiting on a queue, frees, epoch advances', async () => {
    const events = embeddedDocument(twoCpu).trace.events;
    // The moment the second value retire of the run lands on its queue.
    const at = events.map((e, i) => [e, i] as const).filter(([e]) => e.event === 'retire' && e['tag'] === 'eVal')[1]![1];
    const { page } = await openTimeline(browser, twoCpu, { width: 1400, height: 900 });
    await goTo(page, at);
    const s = await stateOf(page);
    expect(Object.values(s.queues).flat().length).to.be.greaterThan(1);
    expect(events.slice(0, at).some((e) => e.event === 'bucket_unlock' && e['core'] === 'replace')).to.equal(true);
    const shot = UPDATE_IMAGES ? join(process.cwd(), 'docs', 'images', 'timeline.png') : join(tmp, 'timeline.png');
    mkdirSync(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: false });
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([1400, 900]);
    await page.close();
  });
});

/** A lesson assembled from two real controlled runs of smoke: as it is, and with free-immediately switched in. */
async function twoRunLesson(dir: string): Promise<{ correct: TraceDocument; doc: LessonDocument }> {
  const traceOf = async (name: string, mutant?: 'free-immediately'): Promise<TraceDocument> => {
    const file = join(dir, `${name}.jsonl`);
    await run('smoke', { mode: 'controlled', trace: file, ...(mutant ? { mutant } : {}) });
    return traceFromFile(file);
  };
  const correct = await traceOf('correct');
  const broken = await traceOf('broken', 'free-immediately');
  const first = (t: TraceDocument, p: (e: TraceEvent) => boolean): TraceEvent => t.events.find(p)!;
  const retired = first(correct, (e) => e.event === 'retire' && e['tag'] === 'eVal');
  const freed = first(correct, (e) => e.event === 'free' && e['block'] === retired['block']);
  const early = first(broken, (e) => e.event === 'free' && e.cpu >= 0);
  return {
    correct,
    doc: {
      name: 'test-lesson', title: 'A replaced value waits for its epoch', intro: 'Two runs of smoke, one with its free taken early.',
      steps: [
        { seq: retired.seq, text: `The old value ${String(retired['block'])} is retired with stamp ${String(retired['epoch'])}.` },
        { seq: freed.seq, text: `The manager frees it once released reaches ${String(retired['epoch'])}.` },
      ],
      question: 'Why may a reader still hold the old value after the replace?', answer: 'It entered its epoch before the retire.',
      broken: { mutant: 'free-immediately', label: 'free the old value at once', trace: broken, steps: [{ seq: early.seq, text: `Block ${String(early['block'])} is freed at once, on CPU ${early.cpu}.` }] },
    },
  };
}

/**
 * A real lesson's page, as `epochlab lesson NAME --html FILE` writes it, in
 * headless Chromium: it opens with no error and no request; "next step"
 * lands on each narrated event of the lesson's own run with its text; "break
 * it" switches to the run with the mutant, whose narration reaches the
 * violation the checker reported; the answer waits to be asked for.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchBrowser } from '../support/browser.js';
import { embeddedDocument, openTimeline, settle, stateOf } from '../support/timeline.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

describeBrowser('lesson: the page of a real lesson', function () {
  this.timeout(180_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-lesson-page-'));
  const file = join(tmp, 'why-epochs.html');
  let browser: Browser;
  let stdout = '';

  before(async () => {
    const r = spawnSync(process.execPath, [MAIN, 'lesson', 'why-epochs', '--html', file], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).to.equal(0);
    stdout = r.stdout;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the command says where the page is, and the page embeds both runs', () => {
    const doc = embeddedDocument(file);
    expect(doc.lesson?.name).to.equal('why-epochs');
    expect(doc.lesson?.broken?.trace.run.mutant).to.equal('free-immediately');
    const events = doc.trace.events.length + doc.lesson!.broken!.trace.events.length;
    expect(stdout).to.match(new RegExp(`page: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${events} events, \\d+ violation reports?, [\\d.]+ MB\\)`));
  });

  it('steps through the narration, then breaks it: the broken run\'s narration reaches its violation', async () => {
    const doc = embeddedDocument(file).lesson!;
    const { page, watch } = await openTimeline(browser, file);
    for (const step of doc.steps) {
      await page.click('[data-action="lesson-next"]');
      await settle(page);
      const s = await stateOf(page);
      expect([s.trace, s.seq, s.narration]).to.deep.equal(['main', step.seq, step.text]);
    }
    await page.click('[data-action="break-it"]');
    const broken = doc.broken!;
    for (const step of broken.steps) {
      await page.click('[data-action="lesson-next"]');
      await settle(page);
      const s = await stateOf(page);
      expect([s.trace, s.seq, s.narration]).to.deep.equal(['broken', step.seq, step.text]);
    }
    const last = broken.steps.at(-1)!;
    const fired = broken.trace.reports.map((r) => r.seq);
    expect(fired, 'the last broken step is where the checker reported the use after free').to.include(last.seq);
    expect(broken.trace.reports.map((r) => r.rule)).to.include('memory.use-after-free');
    expect(await page.isVisible('.answer')).to.equal(false);
    await page.click('[data-action="answer"]');
    expect(await page.textContent('.answer')).to.equal(doc.answer);
    expect(watch.errors).to.deep.equal([]);
    expect(watch.network).to.deep.equal([]);
    await page.close();
  });
});

/**
 * A 60 s default run becomes a page a browser opens and steps through: the
 * command line runs it checked with --html (about 65 s: a 5 s unchecked
 * calibration, then the run), the page holds a window of the run's tens of
 * millions of events and says so, and in Chromium it opens, steps forward
 * and back, and after a gap starts the retire queues from the state the run
 * was in there. The costliest test of the suite.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBrowser, launchBrowser } from '../support/browser.js';
import { embeddedDocument, goTo, openTimeline, settle, stateOf } from '../support/timeline.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

describeBrowser('integration/timeline-long: the page of a 60 s default run', function () {
  this.timeout(420_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-long-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('run default --duration 60s --html: a windowed page that opens and steps', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EPOCHLAB_')));
    const r = spawnSync(process.execPath, [MAIN, 'run', 'default', '--duration', '60s', '--html', 'long.html'], { cwd: tmp, encoding: 'utf8', timeout: 300_000, env });
    expect(r.status, r.stderr).to.equal(0);
    const doc = embeddedDocument(join(tmp, 'long.html')).trace;
    const w = doc.window!;
    const line = r.stdout.split('\n').find((l) => l.startsWith('page: long.html'));
    expect(line).to.match(new RegExp(`^page: long\\.html \\(${doc.events.length.toLocaleString('en-US')} of ${w.total.toLocaleString('en-US')} events, 0 violation reports, [\\d.]+ MB\\)$`));
    expect(r.stdout).to.contain(`\n  ${w.note}\n`);
    expect(doc.events.length).to.be.at.most(150_000);
    expect(w.total).to.be.greaterThan(10 * doc.events.length);

    const browser = await launchBrowser();
    try {
      const { page, watch } = await openTimeline(browser, join(tmp, 'long.html'));
      expect(await page.textContent('.window')).to.contain(w.note);
      for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
      await settle(page);
      expect((await stateOf(page)).index).to.equal(3);
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowLeft');
      await settle(page);
      expect((await stateOf(page)).seq).to.equal(doc.events[doc.events.length - 2]!.seq);
      // The last segment starts after a gap: its queues start from what the collector recorded there.
      const seg = w.segments!.at(-1)!;
      const at = doc.events.findIndex((e) => e.seq === seg.from);
      const blocks = new Set(seg.retired.map((b) => b.block));
      const first = doc.events[at]!;
      if (first.event === 'retire') blocks.add(Number(first['block']));
      if (first.event === 'free') blocks.delete(Number(first['block']));
      await goTo(page, at);
      const s = await stateOf(page);
      expect(Object.values(s.queues).flat().sort((a, b) => a - b)).to.deep.equal([...blocks].sort((a, b) => a - b));
      expect(watch.errors).to.deep.equal([]);
      expect(watch.network).to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });
});

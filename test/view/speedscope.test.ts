/**
 * A real consumer of the Perfetto / Chrome export, offline: speedscope
 * (its release build in node_modules) in headless Chromium, loaded from
 * file://, imports the export of a real 2-CPU controlled run through its
 * file input. It must import it without a console error or a network
 * request or a warning that slices do not nest, and show one profile per
 * lane (read from its profile selector).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { run } from '../../src/api/run.js';
import { describeBrowser, launchBrowser, watchPage } from '../support/browser.js';

const SPEEDSCOPE = join(process.cwd(), 'node_modules', 'speedscope', 'dist', 'release', 'index.html');

describeBrowser('view/perfetto in speedscope (headless Chromium)', function () {
  this.timeout(120_000);
  const tmp = mkdtempSync(join(tmpdir(), 'epochlab-speedscope-'));
  const out = join(tmp, 'replace-and-delete.json');
  let browser: Browser;

  before(async () => {
    await run('examples/replace-and-delete.json', { mode: 'controlled', perfetto: out });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('imports the export with no console error and no network request, one profile per lane', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    // speedscope warns, rather than fails, when slices do not nest: no such warning either.
    const nesting: string[] = [];
    page.on('console', (m) => { if (/Tried to end|still open at end/.test(m.text())) nesting.push(m.text()); });
    await page.goto(pathToFileURL(SPEEDSCOPE).href);
    await page.locator('input[type=file]').setInputFiles(out);
    const count = page.getByText(/\(1\/\d+\)/);
    await count.waitFor({ timeout: 30_000 });
    expect(await count.textContent()).to.equal('(1/3)');
    await count.click();
    const rows = page.locator('tr[title]');
    await rows.first().waitFor();
    const titles = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('title') ?? ''));
    expect(titles.map((t) => /, (CPU \d+|epoch manager) \(tid \d+\)$/.exec(t)?.[1])).to.deep.equal(['CPU 0', 'CPU 1', 'epoch manager']);
    for (const t of titles) expect(t).to.match(/^epochlab replace-and-delete, seed 7 \(controlled: 1 µs = 1 scheduling decision\) \(pid 1\)/);
    expect(watch.errors).to.deep.equal([]);
    expect(nesting).to.deep.equal([]);
    expect(watch.network).to.deep.equal([]);
  });
});

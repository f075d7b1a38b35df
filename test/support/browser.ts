/**
 * Headless Chromium for the browser tests, from the distribution's packages
 * (apt-get install chromium), driven by playwright-core. Where there is no
 * Chromium, `describeBrowser` marks its tests pending with a one-line
 * reason, unless EPOCHLAB_REQUIRE_BROWSER=1 (set by .ci/run), where a
 * missing browser fails the suite instead.
 *
 * `watchPage` records what would make a page untrustworthy: console errors,
 * uncaught exceptions, and any request that leaves the file (the pages must
 * work from file:// with no network).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary: EPOCHLAB_CHROMIUM, or a distribution path; null when none is installed. */
export function chromiumPath(): string | null {
  const given = process.env['EPOCHLAB_CHROMIUM'];
  if (given) return existsSync(given) ? given : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

const REQUIRED = process.env['EPOCHLAB_REQUIRE_BROWSER'] === '1';

/** A describe block for tests that need Chromium: pending without one (a failure when it is required). */
export function describeBrowser(title: string, body: (this: Mocha.Suite) => void): void {
  const path = chromiumPath();
  if (path !== null) {
    describe(title, body);
    return;
  }
  if (REQUIRED) {
    describe(title, () => {
      it('needs Chromium', () => { throw new Error('EPOCHLAB_REQUIRE_BROWSER=1 but no Chromium was found (apt-get install -y chromium, or set EPOCHLAB_CHROMIUM)'); });
    });
    return;
  }
  describe(`${title} (pending: no Chromium found; apt-get install -y chromium, or set EPOCHLAB_CHROMIUM)`, () => {
    it('runs where Chromium is installed');
  });
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error('no Chromium');
  return chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files'],
  });
}

export interface PageWatch {
  errors: string[];
  /** Requests for anything but file:, data: and blob: URLs. */
  network: string[];
}

export function watchPage(page: Page): PageWatch {
  const w: PageWatch = { errors: [], network: [] };
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
  page.on('pageerror', (e) => w.errors.push(`${e.name}: ${e.message}`));
  page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) w.network.push(r.url()); });
  return w;
}

/**
 * Driving a timeline page in the browser tests: open the file from file://
 * (watching for console errors and requests that leave the file), read what
 * the page shows through its test hook window.epochlab.state(), and read
 * the document a page file embeds, on the Node side, to know what to expect.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { watchPage, type PageWatch } from './browser.js';
import type { ViewDocument } from '../../src/view/document.js';

/** What window.epochlab.state() returns (src/view/page/app.ts). */
export interface PageState {
  trace: 'main' | 'broken';
  index: number;
  events: number;
  seq: number | null;
  event: string | null;
  lanes: string[];
  /** Block addresses on each lane's retire queue, oldest first. */
  queues: Record<string, number[]>;
  published: number;
  released: number;
  view: { start: number; end: number };
  axis: string;
  active: { rule: string; seq: number } | null;
  highlighted: number;
  playing: boolean;
  narration: string | null;
  answerShown: boolean;
  window: string | null;
}

export async function openTimeline(browser: Browser, file: string, viewport = { width: 1400, height: 1000 }): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport });
  const watch = watchPage(page);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction('window.epochlab !== undefined', undefined, { timeout: 60_000 });
  await settle(page);
  return { page, watch };
}

/** Waits for the page's next frame (the canvas repaints in requestAnimationFrame). */
export const settle = (page: Page): Promise<unknown> =>
  page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');

export const stateOf = (page: Page): Promise<PageState> => page.evaluate('window.epochlab.state()') as Promise<PageState>;

/** Moves the current event through the page's own navigation (as a click on the canvas would). */
export async function goTo(page: Page, index: number): Promise<void> {
  await page.evaluate(`window.epochlab.app.go(${index})`);
  await settle(page);
}

/** The ViewDocument a page file embeds (its JSON escapes parse back as they are). */
export function embeddedDocument(file: string): ViewDocument {
  const html = readFileSync(file, 'utf8');
  const open = '<script type="application/json" id="epochlab-document">';
  const start = html.indexOf(open) + open.length;
  return JSON.parse(html.slice(start, html.indexOf('</script>', start))) as ViewDocument;
}

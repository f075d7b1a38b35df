/**
 * One self-contained HTML file per view: the page's CSS inline, the page's
 * script (dist/page/timeline.js, built from src/view/page/ by esbuild)
 * inlined as text, and the ViewDocument with the rule guide embedded as
 * JSON. Nothing is fetched: a Content-Security-Policy of default-src 'none'
 * lets the inline script and style run and nothing else load, so the file
 * works from file:// with no network.
 *
 * Embedded text cannot end its <script> early: in the JSON every `<`, `>`
 * and `&` is written as a \u escape (JSON.parse reads them back), and the
 * script's own `</script` and `<!--` are escaped the way JavaScript allows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { RULES } from '../contract/rules.js';
import { eventJudges } from '../check/judges.js';
import type { RuleGuide, ViewDocument } from './document.js';
import { PAGE_CSS } from './page-style.js';

const BUNDLE = new URL('../../page/timeline.js', import.meta.url);
let bundle: string | null = null;

/** The page's script, as the build left it. */
export function pageScript(): string {
  if (bundle === null) {
    try {
      bundle = readFileSync(BUNDLE, 'utf8');
    } catch {
      throw new Error(`the timeline page's script is missing (${BUNDLE.pathname}): run npm run build`);
    }
  }
  return bundle;
}

/** The rule guide the page shows for a clicked event, from the checker's rules and the catalog. */
export function ruleGuide(): RuleGuide {
  const { byEvent, runtime } = eventJudges();
  return { byEvent, runtime, rules: Object.fromEntries(RULES.map((r) => [r.id, { sentence: r.sentence, source: r.source }])) };
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text that is safe inside a <script> element (both escapes mean the same characters to JavaScript). */
export function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export function renderHtml(doc: ViewDocument): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(doc.title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<div id="app"><noscript>This page draws the trace with JavaScript; it needs no network.</noscript></div>',
    `<script type="application/json" id="epochlab-document">${scriptJson(doc)}</script>`,
    `<script type="application/json" id="epochlab-rules">${scriptJson(ruleGuide())}</script>`,
    `<script>${scriptText(pageScript())}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Writes the page; returns its size in bytes. */
export function writeHtml(path: string, doc: ViewDocument): number {
  const html = renderHtml(doc);
  writeFileSync(path, html);
  return Buffer.byteLength(html);
}

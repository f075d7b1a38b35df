/**
 * The timeline page's entry point (bundled by esbuild into dist/page/timeline.js,
 * inlined into every page by src/view/html.ts). It reads the document and
 * the rule guide the page embeds as JSON and builds the page; a test reads
 * what is shown through window.epochlab.
 */
import { App } from './app.js';
import type { RuleGuide, ViewDocument } from './types.js';

declare global {
  interface Window {
    epochlab?: { state(): Record<string, unknown>; app: App };
  }
}

function embedded<T>(id: string): T {
  const node = document.getElementById(id);
  if (node === null || node.textContent === null) throw new Error(`the page has no #${id}`);
  return JSON.parse(node.textContent) as T;
}

function start(): void {
  const doc = embedded<ViewDocument>('epochlab-document');
  const guide = embedded<RuleGuide>('epochlab-rules');
  const mount = document.getElementById('app');
  if (mount === null) throw new Error('the page has no #app');
  const app = new App(doc, guide, mount);
  window.epochlab = { state: () => app.state(), app };
}

start();

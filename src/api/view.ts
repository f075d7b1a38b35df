/**
 * `view(file, options)`: the timeline page of a JSON Lines trace file
 * (`run --trace`, `replay --trace`). The file is streamed through the
 * contract checker and the window collector, so a file of any length gives
 * a page of bounded size; the run it shows is read from its run_begin.
 * Returns what `epochlab view --json` prints.
 */
import { basename } from 'node:path';
import { traceFromFile } from '../view/from-file.js';
import { parseOptions, viewOptionsSchema } from './options.js';
import type { ViewOptions } from './option-types.js';
import { checkPagePath, writePage, type PageReport } from './page.js';

export type { ViewOptions } from './option-types.js';

export interface ViewReport {
  /** The trace file read. */
  file: string;
  page: PageReport;
}

/** `run.jsonl` -> `run.html`; any other name gets `.html` added. */
export const defaultPagePath = (file: string): string => (file.endsWith('.jsonl') ? file.slice(0, -'.jsonl'.length) : file) + '.html';

export async function view(file: string, options: ViewOptions = {}): Promise<ViewReport> {
  const s = parseOptions(viewOptionsSchema, options, 'view options');
  const out = s.out ?? defaultPagePath(file);
  checkPagePath(out, '--out');
  const trace = await traceFromFile(file);
  return { file, page: writePage(out, trace, `epochlab view ${basename(file)} --out ${basename(out)}`, '--out') };
}

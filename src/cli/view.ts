/**
 * `epochlab view TRACE [-o FILE]`: the timeline page of a trace file
 * (src/api/view.ts), and `pageLines`, the lines every command with --html
 * prints about the page it wrote.
 */
import type { Command } from './args.js';
import { view } from '../api/view.js';
import type { PageReport } from '../api/page.js';
import { fmt } from './format.js';

type ViewCmd = Extract<Command, { kind: 'view' }>;

/** `page: run.html (170 events, 1 violation report, 0.2 MB)`, and the window's note when it is part of the run. */
export function pageLines(p: PageReport): string[] {
  const events = p.window === null ? `${fmt(p.events)} events` : `${fmt(p.events)} of ${fmt(p.total)} events`;
  const reports = `${p.reports} violation report${p.reports === 1 ? '' : 's'}`;
  const lines = [`page: ${p.path} (${events}, ${reports}, ${(p.bytes / 1e6).toFixed(1)} MB)`];
  if (p.window !== null) lines.push(`  ${p.window}`);
  return lines;
}

export async function viewCommand(cmd: ViewCmd): Promise<number> {
  const r = await view(cmd.file, cmd.out !== undefined ? { out: cmd.out } : {});
  console.log(cmd.json ? JSON.stringify(r, null, 2) : pageLines(r.page).join('\n'));
  return 0;
}

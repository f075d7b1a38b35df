/**
 * `epochlab replay FILE [--trace out.jsonl]`: the replay (src/api/replay.ts)
 * printed. Exit 1 when the violation reproduced (it is still a failure), 0
 * when the run was clean, 2 for a bad file.
 */
import type { Command } from './args.js';
import { replay, type ReplayReport } from '../api/replay.js';
import { formatViolationReport } from '../check/violation-report.js';
import { ruleList } from './format.js';
import { pageLines } from './view.js';

type ReplayCmd = Extract<Command, { kind: 'replay' }>;

export function formatReplay(r: ReplayReport): string {
  const lines = [
    `replay ${r.file}: ${r.scenario}, seed ${r.seed}, ${r.mode} ${r.strategy}${r.mutant ? `, mutant ${r.mutant}` : ''}, schedule of ${r.scheduleLength} decisions forced`,
    `rules:  ${ruleList(r.rules) || 'none'}   (file: ${ruleList(r.fileRules) || 'none'})`,
    `digest: ${r.digest}   (file: ${r.fileDigest})`,
  ];
  if (r.trace) lines.push(`trace:  ${r.trace}`);
  if (r.perfetto) lines.push(`perfetto: ${r.perfetto}`);
  if (r.page) lines.push(...pageLines(r.page));
  if (r.reproduced === 'none') return [...lines, 'did NOT reproduce: the run is clean'].join('\n');
  if (r.report) lines.push(formatViolationReport(r.report));
  lines.push(r.reproduced === 'same' ? 'reproduced: same rules, same trace digest'
    : `reproduced a violation: ${r.sameRules ? 'same' : 'DIFFERENT'} rules, ${r.sameDigest ? 'same' : 'DIFFERENT'} trace digest`);
  return lines.join('\n');
}

export async function replayCommand(cmd: ReplayCmd): Promise<number> {
  const r = await replay(cmd.file, {
    ...(cmd.trace !== undefined ? { trace: cmd.trace } : {}), ...(cmd.perfetto !== undefined ? { perfetto: cmd.perfetto } : {}),
    ...(cmd.html !== undefined ? { html: cmd.html } : {}),
  });
  console.log(cmd.json ? JSON.stringify(r, null, 2) : formatReplay(r));
  return r.reproduced === 'none' ? 0 : 1;
}

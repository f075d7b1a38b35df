/**
 * `epochlab export TRACE.jsonl --perfetto OUT.json`: the Perfetto export of
 * a trace file (src/view/export.ts), and one line saying what was written.
 */
import type { Command } from './args.js';
import { exportPerfetto } from '../view/export.js';
import type { PerfettoSummary } from '../view/perfetto.js';
import { fmt } from './format.js';

type ExportCmd = Extract<Command, { kind: 'export' }>;

export function formatExport(trace: string, s: PerfettoSummary): string {
  const lines = [
    `export ${trace}: ${fmt(s.events)} events -> ${s.file} (${fmt(s.written)} trace events: ${fmt(s.slices)} slices, ${fmt(s.flows)} retire->free flows, ${fmt(s.violations)} violations)`,
    `  tracks: ${s.lanes.join(', ')}; time: ${s.timeUnit === 'decision' ? '1 µs = 1 scheduling decision (controlled mode)' : 'µs'}`,
  ];
  if (s.clipped + s.unmatched > 0) lines.push(`  ${s.clipped} slice(s) clipped and ${s.unmatched} end(s) without a begin, where the trace did not nest`);
  lines.push(`  open it in https://ui.perfetto.dev (Open trace file) or chrome://tracing (Load)`);
  return lines.join('\n');
}

export async function exportCommand(cmd: ExportCmd): Promise<number> {
  const summary = await exportPerfetto(cmd.file, cmd.perfetto);
  console.log(cmd.json ? JSON.stringify({ trace: cmd.file, ...summary }, null, 2) : formatExport(cmd.file, summary));
  return 0;
}

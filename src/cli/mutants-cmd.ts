/**
 * `epochlab mutants [--json] [--runs N]`: every planted bug hunted and
 * shrunk (src/api/mutants.ts), as a table. Exit 0 when every mutant was
 * detected.
 */
import type { Command } from './args.js';
import { mutants, type MutantsReport, type MutantsOptions, type UntunedReport } from '../api/mutants.js';
import { ProgressLine } from './progress.js';

type MutantsCmd = Extract<Command, { kind: 'mutants' }>;

export function formatMutantTable(report: MutantsReport): string {
  const results = report.results;
  const header = ['mutant', 'detected', 'strategy', 'irql', 'rule(s)', 'runs', 'seconds', 'schedule', 'shrunk to', 'ops'];
  const rows = results.map((r) => [
    r.mutant, r.detected ? 'yes' : 'no', r.strategy, r.irql,
    r.detected ? Object.keys(r.rules).filter((k) => (r.rules[k] ?? 0) > 0).join(', ') : '-',
    r.detected ? String(r.runs) : `>${r.runs}`, r.seconds.toFixed(1),
    r.scheduleLength === null ? '-' : String(r.scheduleLength),
    r.shrunk === null ? '-' : `${r.shrunk.decisions} (${r.shrunk.preemptions} preemptions)`, r.shrunk === null ? '-' : String(r.shrunk.ops),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const detected = results.filter((r) => r.detected).length;
  const med = report.medianSecondsToDetect;
  return [
    'mutants: each hunted with its own plan (src/hunt/mutant-hunts.ts) in controlled mode, scenario builtin:mutant-hunt',
    line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line),
    `${detected}/${results.length} detected; median seconds to detect: ${med === null ? '-' : med.toFixed(2)}`,
  ].join('\n');
}

/** The untuned section: each mutant by plain stress on the user's scenario. */
export function formatUntunedTable(u: UntunedReport): string {
  const header = ['mutant', 'detected', 'rule(s)', 'runs', 'seconds', 'configuration'];
  const rows = u.results.map((r) => [
    r.mutant, r.detected ? 'yes' : 'no', r.detected ? Object.keys(r.rules).filter((k) => (r.rules[k] ?? 0) > 0).join(', ') : '-',
    r.detected ? String(r.runs) : `>${r.runs}`, r.seconds.toFixed(1), r.config ?? '-',
  ]);
  const med = u.medianSecondsToDetect, max = u.maxSecondsToDetect;
  return [
    `mutants on ${u.scenario}: plain stress (swarm, near-miss feedback, no hunt plan), at most ${u.runsPerMutant} runs each`,
    ...table(header, rows),
    `${u.results.filter((r) => r.detected).length}/${u.results.length} detected; seconds to detect: median ${med === null ? '-' : med.toFixed(2)}, max ${max === null ? '-' : max.toFixed(2)}`,
  ].join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** Live progress: the mutant being hunted, its runs so far, and how many of the earlier ones were detected. */
function progressOptions(progress: ProgressLine): MutantsOptions {
  if (!progress.live) return {};
  let detected = 0;
  const started = performance.now();
  const paint = (what: string): void => progress.update(`mutants: ${what}, ${detected} detected, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    onRun: (mutant, index, total, t) => paint(`${index + 1}/${total} ${mutant}, ${t.runs} run(s)`),
    onMutant: (r, index, total) => {
      if (r.detected) detected++;
      paint(`${index + 1}/${total} ${r.mutant} ${r.detected ? 'detected' : 'NOT detected'}`);
    },
  };
}

export async function mutantsCommand(cmd: MutantsCmd): Promise<number> {
  const progress = new ProgressLine();
  const report = await mutants({ ...(cmd.runsGiven ? { runs: cmd.runs } : {}), ...(cmd.scenario !== null ? { scenario: cmd.scenario } : {}), ...progressOptions(progress) });
  progress.done();
  const text = [...(report.untuned ? [formatUntunedTable(report.untuned), ''] : []), formatMutantTable(report)].join('\n');
  console.log(cmd.json ? JSON.stringify(report, null, 2) : text);
  return report.results.every((r) => r.detected) && (report.untuned?.results.every((r) => r.detected) ?? true) ? 0 : 1;
}

/**
 * `epochlab contract-diff`: the table of where eBPF for Windows as built
 * departs from its documented contract (src/api/contract-diff.ts does the
 * runs). The table is the output: the exit code is 0 unless something
 * crashed.
 */
import { PROFILE_NAMES } from '../runtime/profile.js';
import { contractDiff, type ContractDiff, type DiffRow } from '../api/contract-diff.js';
import { ProgressLine } from './progress.js';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function formatRows(rows: DiffRow[]): string[] {
  const lines = table([['RULE', 'SCENARIO', 'COUNT'], ...rows.map((r) => [r.rule, r.scenario, String(r.count)])]);
  for (const r of rows) {
    lines.push(
      '',
      `${r.rule} in ${r.scenario} (${r.count}x)`,
      `  documented: ${r.sentence}`,
      `  as run:     ${r.message}${r.messages > 1 ? ` (${r.messages - 1} other kind(s) of message)` : ''}`,
      ...(r.evidence.length > 0 ? ['  evidence:', ...r.evidence.map((l) => `    ${l}`)] : ['  evidence:   found after the trace (end-of-run check)']),
      `  re-run:     ${r.rerun}`,
    );
  }
  return lines;
}

export function formatContractDiff(d: ContractDiff): string {
  const scenarios = new Set(d.runs.map((r) => r.scenario)).size;
  const lines = [
    `epochlab contract-diff: ${scenarios} built-in scenario(s) under ${PROFILE_NAMES.join(' and ')}, checker on`,
    '',
    `== where ebpf-for-windows departs from the documented contract: ${d.asBuilt.length} (rule, scenario) row(s)`,
    '',
    ...formatRows(d.asBuilt),
    '',
    `== documented violations (each one is a bug): ${d.documented.length === 0 ? 'none' : `${d.documented.length} row(s)`}`,
  ];
  if (d.documented.length > 0) lines.push('', ...formatRows(d.documented));
  lines.push('', '== runs', '', ...table([
    ['SCENARIO', 'PROFILE', 'VERDICT', 'VIOLATIONS', 'MS'],
    ...d.runs.map((r) => [r.scenario, r.profile, r.verdict, String(r.violations), String(r.elapsedMs)]),
  ]));
  return lines.join('\n');
}

export async function contractDiffCommand(cmd: { json: boolean }): Promise<number> {
  const progress = new ProgressLine();
  const d = await contractDiff(undefined, progress.live ? {
    onRun: (r, done, total) => progress.update(`contract-diff: ${done}/${total} runs; last ${r.scenario} under ${r.profile}: ${r.verdict}, ${r.violations} violation(s)`),
  } : {});
  progress.done();
  console.log(cmd.json ? JSON.stringify(d, null, 2) : formatContractDiff(d));
  return 0;
}

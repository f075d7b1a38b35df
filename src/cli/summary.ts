/**
 * The human-readable run summary printed by `epochlab run`.
 */
import type { CheckedReport } from '../harness/checked-run.js';
import type { RunResult } from '../api/run.js';
import { formatViolationReport } from '../check/violation-report.js';
import { fmt } from './format.js';

/** How each checker fact is labelled in the summary (the age oracle's histogram, ...). */
const FACT_LABELS: Record<string, string> = { ageHistogram: 'read ages' };

/** A fact as one row: `0: 158,651  1: 1  2: 0` for a histogram, JSON otherwise. */
function factLine(name: string, value: unknown): string {
  const label = `${FACT_LABELS[name] ?? name}:`.padEnd(20);
  const isCounts = typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'number');
  if (!isCounts) return `  ${label}${JSON.stringify(value)}`;
  const cells = Object.entries(value as Record<string, number>).map(([k, n]) => `${k}: ${fmt(n)}`).join('  ');
  return `  ${label}${cells}${name === 'ageHistogram' ? '  (epoch advances between a value\'s retire and its read)' : ''}`;
}

/** Full reports when the checker ran; the runtime's one-line records otherwise. */
function violationLines(r: CheckedReport): string[] {
  const lines: string[] = [];
  const late = r.violations.filter((v) => v.seq === 0);
  const early = r.check ? [] : r.violations.filter((v) => v.seq !== 0);
  for (const v of [...early, ...late].slice(0, 20)) {
    lines.push(`  VIOLATION ${v.rule} (cpu ${v.cpu}${v.map ? `, map ${v.map}` : ''}): ${v.message}`);
  }
  if (!r.check) return lines;
  lines.push(`  checker:            ${fmt(r.check.events)} events checked, ${fmt(r.check.violationCount)} violation(s)` +
    (r.check.violationCount > 0 ? ` (${Object.entries(r.check.byRule).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''));
  for (const [name, value] of Object.entries(r.check.facts)) lines.push(factLine(name, value));
  const shown = r.check.reports.slice(0, 5);
  for (const rep of shown) lines.push('', formatViolationReport(rep));
  if (r.check.reports.length > shown.length) lines.push(`  ... ${r.check.violationCount - shown.length} more violation(s); --json lists up to 50`);
  return lines;
}

export function formatSummary(r: CheckedReport & Partial<Pick<RunResult, 'digest'>>): string {
  const lines: string[] = [];
  lines.push(`epochlab run: ${r.scenario} (${r.source}), ${r.cpus} CPU(s), seed ${r.seed}, profile ${r.profile}`);
  lines.push(`  maps:               ${Object.entries(r.maps).map(([n, res]) => `${n} ${res}`).join(', ')}`);
  lines.push(`  operations:         ${fmt(r.ops)} in ${fmt(r.elapsedMs)} ms = ${fmt(r.opsPerSec)} ops/s (${fmt(r.opsFailed)} returned an error code)`);
  lines.push(`  results:            ${Object.entries(r.results).map(([n, k]) => `${n.replace('EBPF_', '')} ${fmt(k)}`).join(', ')}`);
  lines.push('  callbacks:');
  for (const [name, n] of Object.entries(r.callbacks)) lines.push(`    ${name.padEnd(40)} ${fmt(n)}`);
  lines.push(`  epochs advanced:    ${fmt(r.epochsAdvanced)}`);
  lines.push(`  blocks:             ${fmt(r.blocksAllocated)} allocated, ${fmt(r.blocksRetired)} retired, ${fmt(r.blocksFreed)} freed, ${fmt(r.leakedBlocks)} leaked`);
  lines.push(`  peak garbage:       ${fmt(r.peakGarbage)} retired blocks waiting for their epoch`);
  const rc = r.reclamation;
  if (rc && rc.freed > 0) {
    lines.push(`  retire to free:     p50 ${rc.ticks.p50}, p99 ${rc.ticks.p99}, max ${rc.ticks.max} ticks; p50 ${fmt(rc.micros.p50)}, p99 ${fmt(rc.micros.p99)} us `
      + `(at most; ${fmt(rc.freed)} blocks freed before the CPUs finished)`);
  }
  for (const f of r.programLoadFailures) lines.push(`  program load failed: ${f}`);
  const f = r.faults;
  if (f.spuriousLockFailures + f.droppedTicks + f.delayedTicks + f.stalls > 0) {
    lines.push(`  faults injected:    ${f.spuriousLockFailures} spurious lock failures, ${f.droppedTicks} dropped ticks, `
      + `${f.delayedTicks} delayed ticks, ${f.stalls} stalls`);
  }
  if (r.allocFailures > 0) lines.push(`  allocation failures: ${fmt(r.allocFailures)}`);
  lines.push(`  stall warnings:     ${fmt(r.stallWarnings)}`);
  if (r.schedule) {
    lines.push(`  schedule:           controlled, ${r.schedule.strategy}, ${fmt(r.schedule.decisions)} decisions, ${fmt(r.schedule.preemptions)} preemptions`);
  }
  if (r.memory) {
    lines.push(`  resident memory:    ${r.memory.rssAt10sMB === null ? '' : `${r.memory.rssAt10sMB} MB at 10 s, `}${r.memory.rssAtEndMB} MB at the end, ${r.memory.rssPeakMB} MB peak`);
  }
  if (r.checkOverhead) {
    const o = r.checkOverhead;
    lines.push(`  checking overhead:  ${fmt(o.opsPerSecChecked)} ops/s checked vs ${fmt(o.opsPerSecUnchecked)} ops/s unchecked (${o.slowdown.toFixed(1)}x slower)`);
  }
  if (r.traceEvents > 0) lines.push(`  trace events:       ${fmt(r.traceEvents)}`);
  if (r.digest) lines.push(`  trace digest:       ${r.digest}`);
  lines.push(...violationLines(r));
  if (r.watchdog) {
    lines.push(`  WATCHDOG: ${r.watchdog.reason}`);
    for (const c of r.watchdog.cpus) {
      const last = c.lastEvents.at(-1);
      const doing = c.busy ? `in ${c.lastOp ?? '?'}${c.lastMap ? ` on ${c.lastMap}` : ''}${c.callback ? ` (inside ${c.callback})` : ''}` : 'idle';
      lines.push(`    cpu ${c.cpu}${c.cpu === -1 ? ' (system lane)' : ''}: ${c.irql}, ${doing}, ` +
        `announced epoch ${c.announcedEpoch}, bucket locks held ${c.bucketLocksHeld}` +
        (last ? `, last event #${last.seq} ${last.event}` : ''));
    }
  }
  lines.push(`  verdict:            ${r.verdict.toUpperCase()}${r.violationCount > 0 ? ` (${r.violationCount} violation(s))` : ''}`);
  return lines.join('\n');
}

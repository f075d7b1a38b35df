/**
 * `epochlab stress SCENARIO`: the stress loop (src/api/stress.ts) with a
 * live progress line on a terminal, then the summary: clean, or the first
 * violation with its report, the shrink, the failure file and the replay
 * command.
 */
import type { Command } from './args.js';
import { stress, type StressOptions, type StressReport, type StressViolation } from '../api/stress.js';
import { formatViolationReport } from '../check/violation-report.js';
import { fmt, formatSeeds, ruleList } from './format.js';
import type { StressTotals } from '../hunt/stress-loop.js';
import { hasAnyViolation } from '../hunt/hunt.js';
import { ProgressLine } from './progress.js';
import { pageLines } from './view.js';
import { swarmLines } from './swarm-text.js';

type StressCmd = Extract<Command, { kind: 'stress' }>;

/** The API options of a parsed `stress` command. */
export function stressOptionsOf(cmd: StressCmd): StressOptions {
  return {
    // Unpinned scheduling settings stay unset, so that swarm may vary them.
    ...(cmd.pinned || cmd.noSwarm || cmd.strategy === 'dfs'
      ? { strategy: cmd.strategy, pctDepth: cmd.pctDepth, pctSteps: cmd.pctSteps, switchEvery: cmd.switchEvery } : {}),
    swarm: !cmd.noSwarm,
    preemptionBound: cmd.preemptionBound, seedStart: cmd.seedStart, shard: cmd.shard, shards: cmd.shards,
    mode: cmd.mode, mutant: cmd.mutant, profile: cmd.profile, rules: cmd.rules, shrink: !cmd.noShrink,
    ...(cmd.runs !== null ? { runs: cmd.runs } : {}),
    ...(cmd.timeMs !== null ? { time: cmd.timeMs } : {}),
    ...(cmd.out !== undefined ? { out: cmd.out } : {}),
    ...(cmd.junit !== undefined ? { junit: cmd.junit } : {}),
    ...(cmd.html !== undefined ? { html: cmd.html } : {}),
  };
}

/** `stress smoke: 37/100 runs, 52.1 runs/s, 9,120 steps/s, 0 violations, 1s left` (dfs: schedules). */
export function stressProgressText(cmd: StressCmd, t: StressTotals, violations: number): string {
  const s = Math.max(t.elapsedMs / 1000, 1e-9);
  const rate = t.runs / s;
  const leftMs = cmd.timeMs !== null ? Math.max(0, cmd.timeMs - t.elapsedMs) : Math.max(0, (cmd.runs ?? 0) - t.runs) / Math.max(rate, 1e-9) * 1000;
  const what = cmd.strategy === 'dfs' ? 'schedules' : 'runs';
  return `stress ${cmd.scenario}: ${t.runs}${cmd.runs !== null ? `/${cmd.runs}` : ''} ${what}, ${rate.toFixed(1)} ${what}/s, `
    + `${fmt(Math.round(t.decisions / s))} steps/s, ${violations} violations, ${(leftMs / 1000).toFixed(0)}s left`;
}

/** The settings part of the summary line. */
function settingsText(r: StressReport): string {
  if (r.swarm !== null && r.swarm.pinned === false) {
    return `swarm (workload and strategy vary per run), mode ${r.mode}, profile ${r.profile}${r.mutant ? `, mutant ${r.mutant}` : ''}`;
  }
  const pct = r.strategy === 'pct' ? ` d=${r.pctDepth} k=${r.pctSteps}` : '';
  const runs = r.strategy === 'random' && r.switchEvery > 1 ? ` switch-every=${r.switchEvery}` : '';
  return `strategy ${r.strategy}${pct}${runs}, mode ${r.mode}, profile ${r.profile}${r.mutant ? `, mutant ${r.mutant}` : ''}`;
}

/** The text after the VIOLATION line: the report, the shrink, the failure file, the replay command. */
export function violationText(v: StressViolation): string[] {
  const lines: string[] = [];
  if (v.report) lines.push(formatViolationReport(v.report));
  else for (const x of v.violations) lines.push(`VIOLATION ${x.rule}: ${x.message}`);
  const s = v.shrunk;
  if (s) {
    const size = (z: { cpus: number; ops: number }): string => `${z.cpus} CPU${z.cpus === 1 ? '' : 's'}, ${z.ops} operations`;
    lines.push(`shrunk scenario: ${size(s.scenario.before)} -> ${size(s.scenario.after)} (${s.scenario.runs} runs)`);
    const k = s.calmer;
    if (k) lines.push(`found again under random --switch-every ${k.switchEvery}, seed ${k.seed}: ${k.preemptionsBefore} -> ${k.preemptionsAfter} preemptions`);
    const c = s.schedule.before, d = s.schedule.after;
    lines.push(`shrunk schedule: ${c.decisions} decisions, ${c.preemptions} preemptions -> ${d.decisions} decisions, ${d.preemptions} preemptions (${s.schedule.runs} runs)`);
  }
  const how = s && s.scheduleShrunk ? `shrunk schedule, strategy sequential, rule ${s.rule}` : s ? 'shrunk scenario, schedule not shrunk' : 'not shrunk';
  lines.push(`failure file: ${v.failureFile} (${v.fileScheduleLength} decisions, ${how}; digest ${v.fileDigest})`);
  lines.push(`replay: ${v.replay}`);
  return lines;
}

function dfsText(r: StressReport): string[] {
  const d = r.dfs!;
  const head = `stress ${r.scenario}: dfs, preemption bound ${d.preemptionBound}, seed ${r.seeds[0]}: explored ${d.explored} schedule(s) in ${r.seconds.toFixed(1)} s, `;
  const v = r.violation;
  if (!v) return [head + (d.exhausted ? 'space exhausted, no violation' : `not exhausted (--runs ${d.explored}), no violation`)];
  const lines = [head + `VIOLATION: ${ruleList(v.rules)}`];
  if (v.report) lines.push(formatViolationReport(v.report));
  lines.push(`failure file: ${v.failureFile} (schedule of ${v.fileScheduleLength} decisions, strategy sequential; digest ${v.fileDigest})`);
  lines.push(`replay: ${v.replay}`);
  return lines;
}

export function formatStress(r: StressReport): string {
  if (r.dfs) return dfsText(r).join('\n');
  const seedText = `seeds ${formatSeeds(r.seeds)} (shard ${r.shard})`;
  const v = r.violation;
  const swarm = r.swarm === null ? [] : swarmLines(r.swarm, v === null);
  if (!v) {
    return [`stress ${r.scenario}: ${r.runs} runs, no violation; ${seedText}; ${settingsText(r)}; `
      + `${r.decisions} decisions, ${r.runsPerSec.toFixed(1)} runs/s, ${Math.round(r.stepsPerSec)} steps/s`, ...swarm].join('\n');
  }
  return [
    `stress ${r.scenario}: VIOLATION on seed ${v.seed} (run ${r.runs}; ${seedText}; ${settingsText(r)})`,
    `rules: ${ruleList(v.rules)}`,
    ...(v.config !== null ? [`configuration: ${v.config}`] : []),
    ...violationText(v),
    ...swarm,
  ].join('\n');
}

export async function stressCommand(cmd: StressCmd): Promise<number> {
  const progress = new ProgressLine();
  let found = 0;
  const onRun: StressOptions['onRun'] = (rec, totals) => {
    if (hasAnyViolation(rec.rules)) found = 1;
    progress.update(stressProgressText(cmd, totals, found), found > 0);
  };
  const report = await stress(cmd.scenario, { ...stressOptionsOf(cmd), ...(progress.live ? { onRun } : {}) });
  // The last paint, with the final totals, stays on screen above the summary.
  progress.done();
  const page = cmd.html === undefined ? [] : report.page ? pageLines(report.page) : [`no page written to ${cmd.html}: no run failed`];
  console.log(cmd.json ? JSON.stringify(report, null, 2) : [formatStress(report), ...page].join('\n'));
  return report.violation ? 1 : 0;
}

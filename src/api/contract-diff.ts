/**
 * `contractDiff()` (`epochlab contract-diff`): runs every built-in scenario under both runtime
 * profiles with the contract checker on, and prints where the runtime as
 * built (ebpf-for-windows) departs from the documented contract: one row per
 * (rule, scenario) with the count, the rule's sentence (what the documented
 * contract says), the first violation's message (what the as-built runtime
 * did) and evidence (the event at which it fired and the ones just before).
 * Any violation under `documented` is a bug (of the simulator, a provider or
 * a rule) and is listed in its own section.
 *
 * Each run is what `epochlab run NAME --profile P` does (runChecked), except
 * that its checker keeps up to EVIDENCE_REPORTS reports instead of the first
 * 50, so a rule that starts firing late in a busy run still has evidence.
 */
import { BUILTIN_SCENARIOS } from '../scenario/builtins.js';
import { loadScenario } from '../scenario/scenario.js';
import { rerunLine } from './run.js';
import { runChecked, type CheckedReport } from '../harness/checked-run.js';
import type { RunPlan } from '../runtime/plan.js';
import { PROFILE_NAMES, type ProfileName } from '../runtime/profile.js';
import { RULES } from '../contract/rules.js';
import { formatEvent, type ViolationReport } from '../check/violation-report.js';

/** Workload duration of `default` here (about 2 s otherwise). */
export const DIFF_DURATION_MS = 300;
/** Reports the checker keeps per run (evidence for every rule that fires). */
const EVIDENCE_REPORTS = 20_000;
/** Excerpt lines per row: the firing event and up to three before it. */
const EVIDENCE_LINES = 4;

/** One (rule, scenario) group under one profile. */
export interface DiffRow {
  rule: string;
  scenario: string;
  profile: ProfileName;
  count: number;
  /** The rule's sentence: what the documented contract says. */
  sentence: string;
  /** The first violation's message: what the runtime did. */
  message: string;
  /** Distinct message shapes (numbers, blocks and keys masked) in the kept reports of this group. */
  messages: number;
  /** The firing event and the ones just before it, formatted; empty when found after the trace. */
  evidence: string[];
  rerun: string;
}

export interface ScenarioRun {
  scenario: string;
  profile: ProfileName;
  verdict: string;
  violations: number;
  byRule: Record<string, number>;
  elapsedMs: number;
}

export interface ContractDiff {
  /** Rules that fire under ebpf-for-windows, by (rule, scenario). */
  asBuilt: DiffRow[];
  /** Rules that fire under documented: each one is a bug. */
  documented: DiffRow[];
  runs: ScenarioRun[];
}

/** Runs a plan with the checker on, keeping enough reports for evidence of late rules. */
async function runWithEvidence(plan: RunPlan, rerun: string): Promise<CheckedReport> {
  return (await runChecked(plan, rerun, { maxReports: EVIDENCE_REPORTS })).report;
}

/** The excerpt lines up to the firing event: the last EVIDENCE_LINES. */
function evidenceOf(r: ViolationReport): string[] {
  return r.excerpt.filter((e) => e.seq <= r.seq).slice(-EVIDENCE_LINES)
    .map((e) => `${e.seq === r.seq ? '>' : ' '} ${formatEvent(e)}`);
}

const sentenceOf = (rule: string): string => RULES.find((r) => r.id === rule)?.sentence ?? '';

/** A message with its numbers, block addresses and hex keys masked, to count kinds of message. */
const shapeOf = (message: string): string => message.replace(/\b[0-9a-f]*[0-9][0-9a-f]*\b/gi, '#');

/** Groups one run's findings into rows, one per rule. */
function rowsOf(report: CheckedReport, scenario: string, profile: ProfileName, rerun: string): DiffRow[] {
  const counts = new Map<string, number>(Object.entries(report.check?.byRule ?? {}));
  const afterTrace = report.violations.filter((v) => v.seq === 0);
  for (const v of afterTrace) counts.set(v.rule, (counts.get(v.rule) ?? 0) + 1);
  const reports = report.check?.reports ?? [];
  return [...counts].map(([rule, count]): DiffRow => {
    const kept = reports.filter((r) => r.rule === rule);
    const first = kept[0];
    const late = afterTrace.find((v) => v.rule === rule);
    return {
      rule, scenario, profile, count, sentence: sentenceOf(rule),
      message: first?.message ?? late?.message ?? '(no report kept)',
      messages: Math.max(1, new Set(kept.map((r) => shapeOf(r.message))).size),
      evidence: first ? evidenceOf(first) : [],
      rerun,
    };
  });
}

export interface ContractDiffOptions {
  /** Called as each (scenario, profile) run ends, with how many are done of how many (progress display). */
  onRun?: (run: ScenarioRun, done: number, total: number) => void;
}

/** Runs every built-in scenario under both profiles. `only` restricts the scenarios (tests). */
export async function contractDiff(only?: readonly string[], options: ContractDiffOptions = {}): Promise<ContractDiff> {
  const names = Object.keys(BUILTIN_SCENARIOS).filter((n) => only === undefined || only.includes(n));
  const out: ContractDiff = { asBuilt: [], documented: [], runs: [] };
  const total = names.length * PROFILE_NAMES.length;
  for (const scenario of names) {
    for (const profile of PROFILE_NAMES) {
      const plan = await loadScenario(scenario, {});
      plan.profile = profile;
      const shortened = scenario === 'default' && plan.workload !== null; // about 2 s otherwise
      if (shortened) plan.workload!.durationMs = DIFF_DURATION_MS;
      const rerun = rerunLine(plan, shortened ? DIFF_DURATION_MS : undefined);
      const report = await runWithEvidence(plan, rerun);
      const rows = rowsOf(report, scenario, profile, rerun);
      const run: ScenarioRun = {
        scenario, profile, verdict: report.verdict, violations: report.violationCount,
        byRule: Object.fromEntries(rows.map((r) => [r.rule, r.count])), elapsedMs: report.elapsedMs,
      };
      out.runs.push(run);
      options.onRun?.(run, out.runs.length, total);
      (profile === 'documented' ? out.documented : out.asBuilt).push(...rows);
    }
  }
  const order = (a: DiffRow, b: DiffRow): number => a.rule.localeCompare(b.rule) || a.scenario.localeCompare(b.scenario);
  out.asBuilt.sort(order);
  out.documented.sort(order);
  return out;
}


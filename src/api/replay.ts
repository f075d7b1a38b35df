/**
 * `replay(file, options)`: re-runs a failure file's plan with its recorded
 * schedule forced, and says whether the violation came back (same rules,
 * same trace digest). A trace file (`trace`) starts with run_begin, like
 * run's; `perfetto` writes a Perfetto / Chrome trace of the replay. Returns what `epochlab replay --json` prints.
 */
import { basename } from 'node:path';
import { BadInput } from '../contract/bad-input.js';
import { JsonlSink } from '../trace/jsonl.js';
import type { ViolationReport } from '../check/violation-report.js';
import { openPerfetto } from '../view/export.js';
import { perfettoRun, runBegin } from './run.js';
import { loadFailureFile } from '../hunt/failure-file.js';
import { hasAnyViolation, runOnce } from '../hunt/hunt.js';
import { parseOptions, replayOptionsSchema } from './options.js';
import type { ReplayOptions } from './option-types.js';
import { RunPage, type PageReport } from './page.js';
import type { ThreadPool } from '../runtime/thread-pool.js';

export type { ReplayOptions } from './option-types.js';

export interface ReplayReport {
  file: string;
  scenario: string;
  seed: number;
  mode: string;
  strategy: string;
  mutant: string | null;
  /** Decisions forced from the file. */
  scheduleLength: number;
  rules: Record<string, number>;
  digest: string;
  /** What the file recorded. */
  fileRules: Record<string, number>;
  fileDigest: string;
  trace: string | null;
  /** The Perfetto / Chrome trace written, if asked for. */
  perfetto: string | null;
  /** 'same': same rules and digest; 'different': a violation, but not the same one; 'none': the run was clean. */
  reproduced: 'same' | 'different' | 'none';
  sameRules: boolean;
  sameDigest: boolean;
  /** The first violation report of the replayed run. */
  report: ViolationReport | null;
  /** The timeline page of the replayed run (`html`), or null. */
  page: PageReport | null;
}

const sameRules = (a: Record<string, number>, b: Record<string, number>): boolean => {
  const keys = (r: Record<string, number>) => Object.keys(r).filter((k) => (r[k] ?? 0) > 0).sort();
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

function openSink(path: string | undefined): JsonlSink | null {
  if (path === undefined) return null;
  try {
    return new JsonlSink(path);
  } catch (err) {
    throw new BadInput('epochlab', '--trace', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function replay(file: string, options: ReplayOptions = {}): Promise<ReplayReport> {
  const s = parseOptions(replayOptionsSchema, options, 'replay options');
  const { plan, file: f } = await loadFailureFile(file);
  const perfetto = s.perfetto !== undefined ? openPerfetto(s.perfetto, perfettoRun(plan)) : null;
  const page = s.html !== undefined ? new RunPage(s.html, '--html') : null;
  const sink = openSink(s.trace);
  sink?.write(runBegin(plan));
  let run;
  try {
    const sinks = [...(sink ? [sink] : []), ...(perfetto ? [perfetto] : []), ...(page ? [page.sink] : [])];
    run = await runOnce(plan, `epochlab replay ${file}`, sinks, undefined, perfetto ? (v) => perfetto.violation(v) : undefined);
  } finally {
    sink?.close();
    perfetto?.finish();
  }
  const written = page ? page.write(plan, run.report.check?.reports ?? [], `epochlab replay ${basename(file)} --html ${basename(page.path)}`) : null;
  const rules = sameRules(run.rules, f.rules);
  const digest = run.digest === f.digest;
  return {
    file, scenario: f.scenario.name, seed: plan.seed, mode: plan.mode, strategy: plan.strategy, mutant: plan.mutant,
    scheduleLength: f.schedule.length, rules: run.rules, digest: run.digest, fileRules: f.rules, fileDigest: f.digest,
    trace: s.trace ?? null, perfetto: s.perfetto ?? null,
    reproduced: !hasAnyViolation(run.rules) ? 'none' : rules && digest ? 'same' : 'different',
    sameRules: rules, sameDigest: digest, report: run.first, page: written,
  };
}

/** The timeline page of a failure file's run: the file replayed with the page's collector among the sinks. */
export async function failurePage(file: string, html: string, threads?: ThreadPool): Promise<PageReport> {
  const page = new RunPage(html, '--html');
  const { plan } = await loadFailureFile(file);
  const run = await runOnce(plan, `epochlab replay ${file}`, [page.sink], threads);
  return page.write(plan, run.report.check?.reports ?? [], `epochlab replay ${basename(file)} --html ${basename(html)}`);
}

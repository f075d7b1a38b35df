/**
 * `--html FILE` of run, replay and stress, and `epochlab view`: the timeline
 * page of a run, written from the same events the contract checker read (a
 * WindowCollector among the run's trace sinks keeps a bounded window of
 * them) and the checker's reports.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BadInput } from '../contract/bad-input.js';
import type { RunPlan } from '../runtime/plan.js';
import type { ViolationReport } from '../check/violation-report.js';
import { WindowCollector, type CollectOptions } from '../view/collect.js';
import { traceDocument, viewDocument } from '../view/build.js';
import type { RunInfo, TraceDocument } from '../view/document.js';
import { writeHtml } from '../view/html.js';
import { VERSION } from './version.js';

/** What a written page holds. */
export interface PageReport {
  /** The HTML file. */
  path: string;
  /** Events the page shows, and events in the run. */
  events: number;
  total: number;
  /** What part of the run the page shows, when it is not all of it. */
  window: string | null;
  /** Violation reports the page shows. */
  reports: number;
  bytes: number;
}

/** Refuses a page path that cannot be written, before the run: BadInput naming `flag`. */
export function checkPagePath(path: string, flag: string): void {
  let problem: string | null = null;
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) problem = 'is a directory';
    else accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (err) {
    problem = `folder not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (problem !== null) throw new BadInput('epochlab', flag, `cannot write ${path}: ${problem}`);
}

export function runInfoOfPlan(plan: RunPlan): RunInfo {
  return {
    scenario: plan.name, seed: plan.seed, cpus: plan.cpus, profile: plan.profile, mode: plan.mode,
    strategy: plan.mode === 'controlled' ? plan.strategy : null, mutant: plan.mutant,
  };
}

/** Writes the page of `trace`; `command` is how it was made (the generator line: file names without their folders). */
export function writePage(path: string, trace: TraceDocument, command: string, flag: string): PageReport {
  let bytes: number;
  try {
    bytes = writeHtml(path, viewDocument(trace, `epochlab ${VERSION}: ${command}`));
  } catch (err) {
    throw new BadInput('epochlab', flag, `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return {
    path, events: trace.events.length, total: trace.window?.total ?? trace.events.length, window: trace.window?.note ?? null,
    reports: trace.reports.length, bytes,
  };
}

/** A page that a run fills: hand `sink` to the run's trace sinks, then `write` with the run's reports. */
export class RunPage {
  readonly sink: WindowCollector;

  constructor(readonly path: string, private readonly flag: string, collect: CollectOptions = {}) {
    checkPagePath(path, flag);
    this.sink = new WindowCollector(collect);
  }

  write(plan: RunPlan, reports: ViolationReport[], command: string): PageReport {
    return writePage(this.path, traceDocument(runInfoOfPlan(plan), this.sink.result(), reports), command, this.flag);
  }
}

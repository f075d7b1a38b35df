/**
 * The documents a page embeds, from what a run or a trace file gives: the
 * run's identity, the events the collector kept (and what it says about the
 * ones it left out), the checker's reports.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { ViolationReport } from '../check/violation-report.js';
import type { Collected } from './collect.js';
import type { LessonDocument, RunInfo, TraceDocument, ViewDocument } from './document.js';

export function traceDocument(run: RunInfo, collected: Collected, reports: ViolationReport[]): TraceDocument {
  return { run, timeUnit: run.mode === 'controlled' ? 'decision' : 'ns', events: collected.events, window: collected.window, reports };
}

/** `smoke, seed 1` and the rest, as the page's title says it. */
export function viewDocument(trace: TraceDocument, generator: string, lesson: LessonDocument | null = null): ViewDocument {
  const r = trace.run;
  const title = lesson ? `epochlab lesson: ${lesson.title}` : `epochlab timeline: ${r.scenario}, seed ${r.seed}${r.mutant ? `, mutant ${r.mutant}` : ''}`;
  return { version: 1, title, generator, trace, lesson };
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/**
 * The run a trace file records, from its run_begin. Without one (or for a
 * field it lacks), what the events show: the CPUs they name; free-running.
 */
export function runInfoOf(begin: TraceEvent | undefined, cpusSeen: number, fallbackName: string): RunInfo {
  const b: Record<string, unknown> = begin ?? {};
  const mode = b['mode'] === 'controlled' ? 'controlled' : 'free';
  return {
    scenario: str(b['scenario'], fallbackName), seed: int(b['seed'], 0), cpus: int(b['cpus'], cpusSeen),
    profile: str(b['profile'], 'documented'), mode, strategy: mode === 'controlled' ? str(b['strategy'], 'random') : null,
    mutant: typeof b['mutant'] === 'string' ? b['mutant'] : null,
  };
}

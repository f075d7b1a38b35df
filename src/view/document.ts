/**
 * The data a view page shows, as embedded in the self-contained HTML file
 * (src/view/html.ts writes it, src/view/page/ reads it). Everything here is
 * plain JSON: events as the trace has them, the checker's reports, and for a
 * lesson its narration and the trace with its mutant switched in.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { ViolationReport } from '../check/violation-report.js';

/** What run a document shows. */
export interface RunInfo {
  scenario: string;
  seed: number;
  cpus: number;
  profile: string;
  mode: 'free' | 'controlled';
  strategy: string | null;
  mutant: string | null;
}

/** A block retired and not yet freed: on its CPU's retire queue. */
export interface RetiredBlock {
  /** The lane that retired it (-1: the epoch manager's). */
  cpu: number;
  block: number;
  /** The published epoch it was stamped with. */
  stamp: number;
  tag: string;
  /** seq of its retire event. */
  seq: number;
}

/**
 * A run of consecutive events the page shows, with the state the runtime was
 * in just before its first event (what the left-out events before it did).
 */
export interface WindowSegment {
  /** seq of its first and last event. */
  from: number;
  to: number;
  published: number;
  released: number;
  /** The retire queues, oldest first. */
  retired: RetiredBlock[];
}

/** When the page shows part of a long trace: which part, and what it left out. */
export interface TraceWindow {
  /** seq of the first and last event shown. */
  from: number;
  to: number;
  /** Events in the whole trace. */
  total: number;
  /** One sentence for the page: what is shown and how it was chosen. */
  note: string;
  /** The runs of consecutive events shown, in order (src/view/collect.ts). */
  segments?: WindowSegment[];
  /** Events left out, by event name. */
  dropped?: Record<string, number>;
}

export interface TraceDocument {
  run: RunInfo;
  /** 'ns' free-running, 'decision' in controlled mode (the unit of every event's `t`). */
  timeUnit: 'ns' | 'decision';
  events: TraceEvent[];
  window: TraceWindow | null;
  /** The contract checker's reports on these events. */
  reports: ViolationReport[];
}

/** A narrated step of a lesson: the sentences shown when the page reaches event `seq`. */
export interface LessonStep {
  seq: number;
  text: string;
}

export interface LessonDocument {
  name: string;
  title: string;
  /** One paragraph: what the lesson shows. */
  intro: string;
  steps: LessonStep[];
  /** The closing question, and the answer the timeline shows (revealed on request). */
  question: string;
  answer: string;
  /** The same scenario with the lesson's mutant switched in ("break it"), and its narration. */
  broken: { mutant: string; label: string; trace: TraceDocument; steps: LessonStep[] } | null;
}

/**
 * Which rules judge which events (src/check/judges.ts), embedded beside the
 * document by src/view/html.ts, for a clicked event's "judged by".
 */
export interface RuleGuide {
  /** For each event name, the ids of the trace rules that look at it. */
  byEvent: Record<string, string[]>;
  /** The rules the runtime detects itself: they reach the trace as `violation` events. */
  runtime: string[];
  /** Every rule's sentence and source (the catalog). */
  rules: Record<string, { sentence: string; source: string }>;
}

/** What one HTML file embeds. */
export interface ViewDocument {
  version: 1;
  title: string;
  /** epochlab's version, and the command that made the file. */
  generator: string;
  trace: TraceDocument;
  lesson: LessonDocument | null;
}

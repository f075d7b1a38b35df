/**
 * What a lesson is made of: a small scenario written out, a fixed schedule
 * (who runs when, as stretches that end at an event of the run), narration
 * pinned to events by predicates, a closing question whose answer is read
 * off the run, and the same scenario broken (a mutant, or the runtime as
 * built) with its own narration.
 *
 * Nothing here names a sequence number: every stretch and every step is
 * resolved against the trace the run produced, so the narration follows the
 * run, and a predicate that finds nothing is an error (src/lesson/narrate.ts).
 */
import type { TraceEvent } from '../trace/decode.js';
import type { MutantName } from '../contract/mutants.js';
import type { ProfileName } from '../runtime/profile.js';

/** A lesson whose run does not show what it narrates: a stretch or a step found no event, or a run ended wrongly. */
export class LessonError extends Error {
  override readonly name: string = 'LessonError';
}

/** The steps resolved so far, by id. */
export type Resolved = Readonly<Record<string, TraceEvent>>;

/** The lane a stretch runs: a CPU number, or the epoch manager. */
export type LaneName = number | 'manager';

/**
 * One stretch of the fixed schedule: `lane` runs alone from the end of the
 * previous stretch until it records an event that `until` accepts; without
 * `until`, until it gives way of its own accord (its operations are done,
 * or, for the manager, one tick is). A lane that cannot run when its
 * stretch begins (the maps are still being created, or it has just given
 * way) starts at the first decision where it can. After the last stretch the
 * run goes on without preemption (the `sequential` strategy).
 */
export interface Stretch {
  lane: LaneName;
  /** What the stretch waits for, in words (an error names it when the run never gets there). */
  what: string;
  /** Tested on the lane's own events, from the start of the stretch. */
  until?: (e: TraceEvent) => boolean;
}

/** A narrated step: pinned to the first event after the previous step's that `match` accepts. */
export interface StepSpec {
  id: string;
  /** What the step is pinned to, in words (an error names it when no event matches). */
  what: string;
  match: (e: TraceEvent, s: Resolved) => boolean;
  /** One or two sentences, from the event itself, the steps before it and the run's events. */
  text: (e: TraceEvent, s: Resolved, events: readonly TraceEvent[]) => string;
}

/** The same scenario with something broken: a mutant, or the runtime as built. */
export interface BreakSpec {
  mutant: MutantName | null;
  profile: ProfileName;
  /** A few words for the page's toggle. */
  label: string;
  /** The rule whose violation the broken run shows. */
  rule: string;
  steps: StepSpec[];
}

export interface LessonSpec {
  name: string;
  /** One line, for `epochlab lesson list`. */
  title: string;
  /** One paragraph: what the lesson shows. */
  intro: string;
  /** A scenario in the scenario-file format: one to three CPUs, a few explicit operations. */
  scenario: Record<string, unknown>;
  /** The profile of the lesson's own run. */
  profile: ProfileName;
  schedule: Stretch[];
  steps: StepSpec[];
  question: string;
  /** The answer, computed from the resolved steps and the events of the lesson's own run. */
  answer: (s: Resolved, events: readonly TraceEvent[]) => string;
  broken: BreakSpec;
}

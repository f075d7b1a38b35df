/**
 * Lessons for people teaching epoch-based reclamation (src/lesson/):
 * `lessons()` lists them, `lesson(name)` runs one, as it is and broken, in
 * controlled mode on its fixed schedule, and returns what a page shows (the
 * LessonDocument with both traces, and the ViewDocument that embeds it)
 * with the two trace digests, the same on every run.
 */
import { BadInput } from '../contract/bad-input.js';
import { LESSONS, lessonSpec } from '../lesson/catalog.js';
import { lessonCommand, runLesson } from '../lesson/run-lesson.js';
import type { LessonDocument, TraceDocument, ViewDocument } from '../view/document.js';
import { VERSION } from './version.js';

export interface LessonInfo {
  name: string;
  title: string;
  /** What its break-it variant switches: a mutant, or null for the runtime as built. */
  mutant: string | null;
  /** The profile of the break-it variant. */
  brokenProfile: string;
}

export interface LessonResult {
  name: string;
  title: string;
  lesson: LessonDocument;
  /** The lesson's own run (the broken run is lesson.broken.trace). */
  trace: TraceDocument;
  /** What an HTML page embeds: the lesson's trace and the lesson. */
  view: ViewDocument;
  /** The trace digests of the two runs: the same on every run. */
  digests: { lesson: string; broken: string };
}

export function lessons(): LessonInfo[] {
  return LESSONS.map((l) => ({ name: l.name, title: l.title, mutant: l.broken.mutant, brokenProfile: l.broken.profile }));
}

export async function lesson(name: string): Promise<LessonResult> {
  const spec = lessonSpec(name);
  if (spec === undefined) {
    throw new BadInput('epochlab', null, `no lesson named ${JSON.stringify(name)} (the lessons: ${LESSONS.map((l) => l.name).join(', ')})`);
  }
  const r = await runLesson(spec, `epochlab ${VERSION}: ${lessonCommand(name)}`);
  return { name, title: spec.title, lesson: r.lesson, trace: r.trace, view: r.view, digests: r.digests };
}

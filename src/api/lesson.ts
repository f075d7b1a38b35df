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
import { writeHtml } from '../view/html.js';
import { checkPagePath, type PageReport } from './page.js';

export interface LessonOptions {
  /** Write the lesson's timeline page here: the narration, the break-it toggle, the question. */
  html?: string;
}

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
  /** The page written (`html`), or null. */
  page: PageReport | null;
}

export function lessons(): LessonInfo[] {
  return LESSONS.map((l) => ({ name: l.name, title: l.title, mutant: l.broken.mutant, brokenProfile: l.broken.profile }));
}

export async function lesson(name: string, options: LessonOptions = {}): Promise<LessonResult> {
  const spec = lessonSpec(name);
  if (spec === undefined) {
    throw new BadInput('epochlab', null, `no lesson named ${JSON.stringify(name)} (the lessons: ${LESSONS.map((l) => l.name).join(', ')})`);
  }
  if (options.html !== undefined) checkPagePath(options.html, '--html');
  const r = await runLesson(spec, `epochlab ${VERSION}: ${lessonCommand(name)}${options.html !== undefined ? ' --html' : ''}`);
  const page = options.html === undefined ? null : lessonPage(options.html, r.view);
  return { name, title: spec.title, lesson: r.lesson, trace: r.trace, view: r.view, digests: r.digests, page };
}

/** The lesson's page: both traces embedded, so the page's break-it toggle switches between them. */
function lessonPage(path: string, view: ViewDocument): PageReport {
  const events = view.trace.events.length + (view.lesson?.broken?.trace.events.length ?? 0);
  const reports = view.trace.reports.length + (view.lesson?.broken?.trace.reports.length ?? 0);
  return { path, events, total: events, window: null, reports, bytes: writeHtml(path, view) };
}

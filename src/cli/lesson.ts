/**
 * `epochlab lesson list` and `epochlab lesson NAME [--answer]`: the lessons
 * (src/api/lesson.ts) as text or JSON. A lesson prints its narration: each
 * step under the event it is pinned to, the lesson's run first and then its
 * broken run, then the question (and, asked for, the answer). A lesson whose
 * run no longer shows what it narrates is a failure: one line, exit 1.
 */
import type { Command } from './args.js';
import { lesson, lessons } from '../api/lesson.js';
import { LessonError } from '../lesson/spec.js';
import { formatEvent } from '../check/violation-report.js';
import type { LessonStep, TraceDocument } from '../view/document.js';
import type { TraceEvent } from '../trace/decode.js';
import { pageLines } from './view.js';

type LessonCmd = Extract<Command, { kind: 'lesson' }>;

const WIDTH = 100;

/** `text` in lines of at most `width` characters, each starting with `indent`. */
export function wrapText(text: string, indent: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function formatList(): string {
  const list = lessons();
  const width = Math.max(...list.map((l) => l.name.length)) + 2;
  return list.map((l) => `${l.name.padEnd(width)}${l.title}`).join('\n');
}

/** Each step: the event it is pinned to, then its narration, indented. */
function formatSteps(steps: readonly LessonStep[], trace: TraceDocument): string[] {
  const bySeq = new Map<number, TraceEvent>(trace.events.map((e) => [e.seq, e]));
  return steps.flatMap((s) => {
    const e = bySeq.get(s.seq);
    return ['', `  ${e ? formatEvent(e) : `#${s.seq}`}`, ...wrapText(s.text, '      ')];
  });
}

export async function formatLesson(name: string, withAnswer: boolean, html?: string): Promise<string> {
  const r = await lesson(name, html !== undefined ? { html } : {});
  const l = r.lesson;
  const run = r.trace.run;
  const lines = [`lesson ${l.name}: ${l.title}`, ...wrapText(l.intro, ''), '',
    `the lesson: ${run.cpus} CPUs, profile ${run.profile}, controlled mode on a fixed schedule`, ...formatSteps(l.steps, r.trace)];
  if (l.broken) {
    const b = l.broken.trace.run;
    const what = b.mutant !== null ? `mutant ${b.mutant}` : `profile ${b.profile}`;
    lines.push('', `break it: ${l.broken.label} (${what})`, ...formatSteps(l.broken.steps, l.broken.trace));
  }
  lines.push('', ...wrapText(`question: ${l.question}`, ''));
  lines.push(...(withAnswer ? wrapText(`answer: ${l.answer}`, '') : [`(epochlab lesson ${l.name} --answer prints the answer)`]));
  if (r.page) lines.push('', ...pageLines(r.page));
  return lines.join('\n');
}

export async function lessonCommand(cmd: LessonCmd): Promise<number> {
  try {
    if (cmd.name === 'list') console.log(cmd.json ? JSON.stringify(lessons(), null, 2) : formatList());
    else if (cmd.json) console.log(JSON.stringify((await lesson(cmd.name, cmd.html !== undefined ? { html: cmd.html } : {})).lesson, null, 2));
    else console.log(await formatLesson(cmd.name, cmd.answer, cmd.html));
    return 0;
  } catch (err) {
    if (!(err instanceof LessonError)) throw err;
    process.stderr.write(`epochlab: ${err.message}\n`);
    return 1;
  }
}

/**
 * Running a lesson: its scenario in controlled mode on the fixed schedule
 * its stretches describe, once as it is and once broken, each a checked run
 * (src/harness/checked-run.ts) with a trace digest, every event kept in
 * memory (lessons are small). The narration is then pinned to each run's
 * events and the answer computed from the lesson's own run. The result is
 * the data the page shows (src/view/document.ts) and the two digests.
 *
 * A lesson's own run must be clean and its broken run must show the rule
 * it is about; anything else is an error, as is a stretch or a step that
 * finds no event.
 */
import { compileScenario } from '../scenario/scenario.js';
import { runChecked, type CheckedReport } from '../harness/checked-run.js';
import { withThreadPool, type ThreadPool } from '../runtime/thread-pool.js';
import type { RunPlan } from '../runtime/plan.js';
import type { ProfileName } from '../runtime/profile.js';
import { MemorySink } from '../trace/jsonl.js';
import type { LessonDocument, LessonStep, TraceDocument, ViewDocument } from '../view/document.js';
import { runStretches } from './schedule.js';
import { narrate } from './narrate.js';
import { LessonError, type LessonSpec, type StepSpec } from './spec.js';

/** One run of a lesson's scenario. */
export interface VariantRun {
  trace: TraceDocument;
  report: CheckedReport;
  digest: string;
  /** The decisions forced onto the run (the schedule its stretches describe); the rest ran sequentially. */
  forced: number[];
}

export interface LessonRun {
  lesson: LessonDocument;
  /** The lesson's own run (the broken one is lesson.broken.trace). */
  trace: TraceDocument;
  view: ViewDocument;
  digests: { lesson: string; broken: string };
  forced: { lesson: number[]; broken: number[] };
}

interface Variant {
  profile: ProfileName;
  mutant: string | null;
}

/** The command that shows the lesson again (printed in every violation report of its runs). */
export const lessonCommand = (name: string): string => `epochlab lesson ${name}`;

async function runVariant(spec: LessonSpec, variant: string, v: Variant, threads: ThreadPool): Promise<VariantRun> {
  const base = await compileScenario(spec.scenario, `lesson:${spec.name}`, process.cwd(), {});
  const once = async (forced: number[]) => {
    const plan: RunPlan = { ...structuredClone(base), mode: 'controlled', strategy: 'sequential', schedule: forced, profile: v.profile, mutant: v.mutant };
    const sink = new MemorySink();
    const r = await runChecked(plan, lessonCommand(spec.name), { sinks: [sink], digest: true, threads });
    return { plan, events: sink.events, schedule: r.schedule, candidates: r.candidates, report: r.report, digest: r.digest };
  };
  const { run, forced } = await runStretches(`lesson ${spec.name} (${variant})`, spec.schedule, base.cpus, once);
  const trace: TraceDocument = {
    run: { scenario: run.plan.name, seed: run.plan.seed, cpus: run.plan.cpus, profile: v.profile, mode: 'controlled', strategy: 'sequential', mutant: v.mutant },
    timeUnit: 'decision',
    events: run.events,
    window: null,
    reports: run.report.check?.reports ?? [],
  };
  return { trace, report: run.report, digest: run.digest, forced };
}

function checkOutcome(spec: LessonSpec, own: VariantRun, broken: VariantRun): void {
  if (own.report.verdict !== 'pass') {
    const rules = Object.keys(own.report.check?.byRule ?? {}).join(', ') || 'no rule';
    throw new LessonError(`lesson ${spec.name}: its own run should be clean, but it ended ${own.report.verdict} (${rules})`);
  }
  if (!broken.trace.reports.some((r) => r.rule === spec.broken.rule)) {
    const rules = broken.trace.reports.map((r) => r.rule).join(', ') || 'none';
    throw new LessonError(`lesson ${spec.name}: the broken run (${spec.broken.label}) shows no ${spec.broken.rule} (rules: ${rules})`);
  }
}

const steps = (spec: LessonSpec, variant: string, specs: readonly StepSpec[], run: VariantRun) =>
  narrate(`lesson ${spec.name} (${variant})`, specs, run.trace.events);

/** Runs both variants of a lesson and builds what the page shows. `generator` names the tool and the command. */
export async function runLesson(spec: LessonSpec, generator: string): Promise<LessonRun> {
  const [own, broken] = await withThreadPool(async (threads) => [
    await runVariant(spec, 'lesson', { profile: spec.profile, mutant: null }, threads),
    await runVariant(spec, 'broken', { profile: spec.broken.profile, mutant: spec.broken.mutant }, threads),
  ]);
  checkOutcome(spec, own, broken);
  const narration = steps(spec, 'lesson', spec.steps, own);
  const brokenSteps: LessonStep[] = steps(spec, 'broken', spec.broken.steps, broken).steps;
  const lesson: LessonDocument = {
    name: spec.name, title: spec.title, intro: spec.intro, steps: narration.steps,
    question: spec.question, answer: spec.answer(narration.resolved, own.trace.events),
    broken: { mutant: spec.broken.mutant ?? spec.broken.profile, label: spec.broken.label, trace: broken.trace, steps: brokenSteps },
  };
  const view: ViewDocument = { version: 1, title: `epochlab lesson: ${spec.title}`, generator, trace: own.trace, lesson };
  return { lesson, trace: own.trace, view, digests: { lesson: own.digest, broken: broken.digest }, forced: { lesson: own.forced, broken: broken.forced } };
}

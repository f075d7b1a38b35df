/**
 * A lesson's fixed schedule, from its stretches. Controlled mode records
 * every scheduling decision (which lane runs next) and stamps every event
 * with `t`, the number of decisions made before it. So a stretch is found
 * by running: force the decisions so far, hand the next one to the
 * stretch's lane, let the `sequential` strategy keep that lane running, and
 * cut the recorded schedule just after the event the stretch waits for (or
 * where the lane gave way). The cut schedule is the next stretch's prefix.
 *
 * Every run is deterministic, so the schedule found is the same every time;
 * the run with the whole prefix forced is the lesson's run.
 */
import type { TraceEvent } from '../trace/decode.js';
import { LessonError, type LaneName, type Stretch } from './spec.js';

/** What the builder needs from a run: its events, the decisions it made, and the lanes each could have picked (bitmasks). */
export interface ScheduledRun {
  events: readonly TraceEvent[];
  schedule: readonly number[];
  candidates: readonly number[];
}

/** Runs the lesson's scenario with `forced` as the first decisions, then sequentially. */
export type RunForced<R extends ScheduledRun> = (forced: number[]) => Promise<R>;

/** The lane index a stretch names (the manager is the lane after the last CPU). */
export const laneIndex = (lane: LaneName, cpus: number): number => (lane === 'manager' ? cpus : lane);

/** The trace's cpu for a lane (-1 for the manager's system lane). */
const traceCpu = (lane: number, cpus: number): number => (lane === cpus ? -1 : lane);

/**
 * Where a stretch that began at decision `start` ends: just after the first
 * event of its lane that `until` accepts, or where the schedule first picks
 * another lane.
 */
function cutAt(where: string, stretch: Stretch, lane: number, cpus: number, start: number, run: ScheduledRun): number {
  if (stretch.until === undefined) {
    const other = run.schedule.findIndex((l, i) => i > start && l !== lane);
    return other < 0 ? run.schedule.length : other;
  }
  const cpu = traceCpu(lane, cpus);
  const hit = run.events.find((e) => e.t > start && e.cpu === cpu && stretch.until!(e));
  if (hit === undefined) throw new LessonError(`${where}: stretch "${stretch.what}": no such event of lane ${lane} after decision ${start}`);
  return hit.t;
}

/**
 * Starts a stretch after the decisions `forced`: hands the next decision to
 * `lane`, or, where it cannot run yet (the maps are still being created),
 * the first decision at which it can.
 */
async function begin<R extends ScheduledRun>(where: string, stretch: Stretch, lane: number, forced: number[], run: RunForced<R>) {
  let attempt = [...forced, lane];
  let result = await run(attempt);
  let start = forced.length;
  if (result.schedule[start] !== lane) {
    // A forced lane that cannot run is passed over, so this run is the unforced continuation.
    start = result.candidates.findIndex((mask, i) => i > forced.length && (mask & (1 << lane)) !== 0);
    if (start < 0) throw new LessonError(`${where}: stretch "${stretch.what}": lane ${lane} never became runnable after decision ${forced.length}`);
    attempt = [...result.schedule.slice(0, start), lane];
    result = await run(attempt);
  }
  if (result.schedule[start] !== lane) throw new LessonError(`${where}: stretch "${stretch.what}": lane ${lane} could not run at decision ${start}`);
  return { result, start, attempt };
}

/**
 * Finds the forced schedule the stretches describe and returns the run
 * that follows it: one run per stretch (the last one is the lesson's run),
 * and one more for a stretch whose lane could not run at once. `where`
 * names the lesson in errors.
 */
export async function runStretches<R extends ScheduledRun>(where: string, stretches: readonly Stretch[], cpus: number,
  run: RunForced<R>): Promise<{ run: R; forced: number[] }> {
  if (stretches.length === 0) throw new LessonError(`${where}: a lesson needs at least one stretch`);
  let forced: number[] = [];
  for (let i = 0; ; i++) {
    const stretch = stretches[i]!;
    const lane = laneIndex(stretch.lane, cpus);
    const { result, start, attempt } = await begin(where, stretch, lane, forced, run);
    const cut = cutAt(where, stretch, lane, cpus, start, result); // checks the last stretch too
    if (i === stretches.length - 1) return { run: result, forced: attempt };
    forced = result.schedule.slice(0, cut);
  }
}

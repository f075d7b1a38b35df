/**
 * Worker entry point for CPU tasks (setup, one CPU's operations, teardown).
 * Plumbing only: the work is in src/runtime/tasks.ts; controlled mode's
 * scheduler (src/sched/) is plugged in here, so the runtime never names it.
 */
import { runTask, Task, TaskResult } from '../src/runtime/tasks.js';
import { controlledScheduler } from '../src/sched/scheduler.js';

export default function cpuTask(task: Task): Promise<TaskResult> {
  return runTask(task, controlledScheduler);
}

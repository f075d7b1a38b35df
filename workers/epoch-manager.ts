/**
 * Worker entry point for the epoch manager thread: advances the published
 * epoch every tick, frees what was retired before the released epoch, runs
 * deferred map cleanups. Plumbing only: see src/epoch/manager.ts; in
 * controlled mode the scheduler (src/sched/) is plugged in here.
 */
import { runTask, Task, TaskResult } from '../src/runtime/tasks.js';
import { controlledScheduler } from '../src/sched/scheduler.js';

export default function epochManagerTask(task: Task): Promise<TaskResult> {
  if (task.kind !== 'manager') throw new Error('the epoch manager worker runs manager tasks only');
  return runTask(task, controlledScheduler);
}

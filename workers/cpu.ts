/**
 * Worker entry point for CPU tasks (setup, one CPU's operations, teardown).
 * Plumbing only: the work is in src/runtime/tasks.ts.
 */
import { runTask, Task, TaskResult } from '../src/runtime/tasks.js';

export default function cpuTask(task: Task): Promise<TaskResult> {
  return runTask(task);
}

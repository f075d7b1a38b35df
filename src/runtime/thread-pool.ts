/**
 * Worker threads kept alive across runs. Starting a pool of cpus + 1 threads
 * costs tens of milliseconds, more than a short controlled run itself, so
 * the race-hunting loops (stress, shrink, dfs, mutants) run every plan on
 * one ThreadPool. Tasks carry their own SharedArrayBuffer and plan, and the
 * workers keep nothing between tasks but loaded modules (provider factories
 * are cached per thread), so a reused thread behaves like a fresh one.
 *
 * A run that the watchdog ended may have left a thread spinning in a
 * provider: the runner then discards the pool, and the next run starts a
 * fresh one.
 */
import { Piscina } from 'piscina';
import { workerPath } from './worker-path.js';
import type { Task, TaskResult } from './tasks.js';

/**
 * What the runner uses of a piscina pool. Naming it here keeps piscina's own
 * types out of the declarations a library user compiles against.
 */
export interface TaskPool {
  /** Runs `task` on a free thread, in the module `filename` (default: the CPU worker). */
  run(task: Task, options: { filename?: string }): Promise<TaskResult>;
  destroy(): Promise<void>;
}

export class ThreadPool {
  private pool: TaskPool | null = null;
  private threads = 0;
  /** Pools started so far (a measure of reuse). */
  started = 0;

  /** A pool of exactly `threads` threads: the current one, or a new one. */
  async acquire(threads: number): Promise<TaskPool> {
    if (this.pool !== null && this.threads === threads) return this.pool;
    await this.close();
    this.pool = newPool(threads);
    this.threads = threads;
    this.started++;
    return this.pool;
  }

  /** Ends the threads (after a watchdog abort, or when the caller is done). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.threads = 0;
    if (pool !== null) await pool.destroy();
  }
}

/** A pool whose threads all start at once and never idle out. */
export function newPool(threads: number): TaskPool {
  return new Piscina({ filename: workerPath('cpu'), minThreads: threads, maxThreads: threads, idleTimeout: Infinity });
}

/** Runs `body` with a ThreadPool that is closed afterwards, even on error. */
export async function withThreadPool<T>(body: (pool: ThreadPool) => Promise<T>): Promise<T> {
  const pool = new ThreadPool();
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}

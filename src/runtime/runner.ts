/**
 * Runs a compiled scenario end to end on real threads:
 *   1. one SharedArrayBuffer for all simulated state; a piscina pool of
 *      cpus + 1 threads (one per CPU, one for the epoch manager);
 *   2. the epoch manager starts; CPU 0 creates the maps (setup);
 *   3. one long-running task per CPU, with an explicit CPU index;
 *   4. CPU 0 closes the handles still open (teardown); the manager drains:
 *      deferred cleanups run, every retired block is freed;
 *   5. the main thread checks for leaks and builds the report.
 * Meanwhile the main thread merges the trace rings (Monitor) and watches
 * for CPUs that stop making progress (Watchdog).
 */
import { Shm } from '../shm/shm.js';
import { Ctl, LayoutConfig, ManagerCommand, RunState } from '../shm/layout.js';
import { Prng } from '../contract/prng.js';
import type { RunPlan } from './plan.js';
import type { Task, TaskInit, TaskResult } from './tasks.js';
import { workerPath } from './worker-path.js';
import { newPool, type TaskPool, type ThreadPool } from './thread-pool.js';
import { Monitor } from '../trace/monitor.js';
import type { TraceSink } from '../trace/jsonl.js';
import { TraceReader } from '../shm/trace-ring.js';
import { Watchdog, WatchdogReport } from './watchdog.js';
import { RunReport, buildReport, findLeaks } from './report.js';
import { MemorySampler } from './memory-sampler.js';
import { ControlledPhases, SCHEDULE_WORDS } from './controlled-phases.js';
import { startProgress, type ProgressListener } from './progress.js';
import { LostTasks } from './lost-tasks.js';
import { RULES, Rule } from '../contract/rules.js';

const CRASHED = RULES[Rule.ProviderCrashed]!.id;

export interface RunOptions {
  /** Where events go (a JSON Lines file, memory); none for throughput runs. */
  sinks?: TraceSink[];
  /** Told the last sequence number used, so a caller can append events after it. */
  onLastSeq?: (seq: number, time: number) => void;
  /** Controlled mode: told the schedule (every decision, in order). */
  onSchedule?: (decisions: number[], candidates: number[]) => void;
  /** Threads to reuse (kept open afterwards unless the watchdog fired); default: a pool for this run only. */
  threads?: ThreadPool;
  /** Told how far the run got every progressMs while it goes (a main-thread timer: src/runtime/progress.ts). */
  onProgress?: ProgressListener;
  /** Default 200. */
  progressMs?: number;
}

export async function runPlan(plan: RunPlan, options: RunOptions = {}): Promise<RunReport<never>> {
  const config: LayoutConfig = {
    cpus: plan.cpus, mapBuckets: plan.maps.map((m) => m.buckets), arenaBytes: plan.arenaBytes,
    traceRecords: plan.traceRecords, scheduleWords: plan.mode === 'controlled' ? SCHEDULE_WORDS : 0,
  };
  const shm = Shm.create(config, new Prng(plan.seed, 0x5eed).nextU32());
  shm.markRunStart();
  shm.i32[Ctl.TraceOn] = plan.trace ? 1 : 0;
  const phases = plan.mode === 'controlled' ? new ControlledPhases(shm, plan) : null;
  if (plan.faults.allocFailAt.length > 0) shm.i32[Ctl.AllocFaultsOn] = 1;
  const lost = new LostTasks(shm, config, plan.maps.map((m) => m.name));
  const init: TaskInit = { run: lost.run, sab: shm.sab, layout: config, plan };
  const reader = new TraceReader(shm);
  const monitor = new Monitor(shm, {
    cpus: plan.cpus, mapNames: plan.maps.map((m) => m.name), text: (l, s, n) => reader.text(l, s, n),
  }, options.sinks ?? []);
  const threads = plan.cpus + 1;
  const pool = options.threads ? await options.threads.acquire(threads) : newPool(threads);
  const watchdog = new Watchdog(shm, plan, monitor);
  const memory = new MemorySampler();
  monitor.start();
  memory.start();
  const stopProgress = startProgress(shm, monitor, plan, options.onProgress, options.progressMs);
  let clean = false;
  try {
    const report = await execute(plan, init, shm, pool, monitor, watchdog, phases, lost);
    report.memory = memory.stop();
    if (phases) report.schedule = phases.summary();
    options.onSchedule?.(phases ? phases.baton.schedule() : [], phases ? phases.baton.candidates() : []);
    options.onLastSeq?.(monitor.lastSeq, monitor.lastTime);
    clean = watchdog.report === null && !report.violations.some((v) => v.rule === CRASHED);
    return report;
  } finally {
    lost.close();
    // An error of the runtime itself: no thread may go on waiting for a command.
    if (!clean) shm.store(Ctl.ManagerCommand, ManagerCommand.Exit);
    if (!clean && shm.runState() === RunState.Running) shm.setRunState(RunState.Aborted);
    stopProgress();
    watchdog.stop();
    // A reused pool survives only a clean run: after an error or a watchdog
    // abort some task may still hold a thread.
    if (!options.threads) await pool.destroy();
    else if (!clean) await options.threads.close();
  }
}

async function execute(plan: RunPlan, init: TaskInit, shm: Shm, pool: TaskPool, monitor: Monitor, watchdog: Watchdog,
  phases: ControlledPhases | null, lost: LostTasks): Promise<RunReport<never>> {
  const run = (task: Task, filename?: string): Promise<TaskResult> => lost.watch(task, pool.run(task, filename ? { filename } : {}));
  const manager = run({ ...init, kind: 'manager' }, workerPath('epoch-manager'));
  watchdog.start();
  await phases?.managerJoined();
  phases?.start(1);
  const setup = await watchdog.race(run({ ...init, kind: 'setup' }));
  const started = performance.now();
  phases?.start(plan.cpus);
  const cpus = setup ? await watchdog.race(Promise.all(
    Array.from({ length: plan.cpus }, (_, cpu) => run({ ...init, kind: 'cpu', cpu })),
  )) : null;
  const elapsedMs = performance.now() - started;
  // Tells the manager that the CPU phase is over (no notify: it reads the word at its next tick).
  shm.store(Ctl.ManagerCommand, ManagerCommand.Drain);
  phases?.start(1);
  const teardown = cpus ? await watchdog.race(run({ ...init, kind: 'teardown' })) : null;
  shm.store(Ctl.ManagerCommand, ManagerCommand.Exit);
  shm.notifyWord(Ctl.ManagerCommand);
  phases?.handToManager();
  const managerResult = await watchdog.race(manager);
  const crashes = lost.record();
  monitor.stop();
  const report: WatchdogReport | null = watchdog.report;
  const results = [setup, ...(cpus ?? []), teardown, managerResult, crashes].filter((r): r is TaskResult => r !== null);
  // After a crash, blocks the provider never got to free are a consequence, not a second finding.
  const crashed = results.some((r) => r.violations.some((v) => v.rule === CRASHED));
  const leaks = report || crashed ? [] : findLeaks(shm);
  return buildReport({ plan, shm, monitor, results, createResults: setup?.createResults ?? [], elapsedMs, leaks, watchdog: report });
}

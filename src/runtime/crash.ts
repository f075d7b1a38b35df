/**
 * A provider that breaks its thread rather than a rule of the contract:
 * calls process.exit, throws where no callback wrapper catches it (in
 * createProvider, from a timer or a promise), returns a malformed provider,
 * or overwrites the shared buffer's own header. Each becomes a
 * provider.crashed violation (Rule.ProviderCrashed) on the lane it happened
 * on, with the provider's message and its own stack frames (never the
 * runtime's or the thread pool's), and the run stops as after a throwing
 * callback. This module holds the worker side: the process hooks, the
 * message text, the header check. The main thread's side (a task whose
 * thread was lost anyway) is in src/runtime/lost-tasks.ts.
 */
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Ctl, LAYOUT_MAGIC, LAYOUT_VERSION, RunState } from '../shm/layout.js';
import type { Shm } from '../shm/shm.js';
import { Violations, type ViolationRecord } from '../trace/violations.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { Rule } from '../contract/rules.js';

/** Thrown in a worker by process.exit (which would otherwise end the thread without a word). */
export class ProviderExit extends Error {
  constructor(readonly code: unknown) {
    super(`called process.exit(${code === undefined ? '' : String(code)})`);
    this.name = 'ProviderExit';
  }
}

/** A provider that broke the runtime's expectations before any callback ran (a malformed createProvider result). */
export class ProviderFault extends Error {
  /** The provider's frames of the error behind this one (stackOf), or ''. */
  constructor(message: string, readonly stackText = '') {
    super(message);
    this.name = 'ProviderFault';
  }
}

/** The channel on which a worker tells the main thread of an error it caught between tasks. */
export const CRASH_CHANNEL = 'epochlab:provider-crashed';

/** What a worker posts on CRASH_CHANNEL. */
export interface CrashNotice {
  run: string;
  lane: number;
  message: string;
}

/** epochlab's own code (dist/ of the package): its frames are not the provider's. */
const ROOT_URL = new URL('../../', import.meta.url).href;
const ROOT_PATH = fileURLToPath(ROOT_URL);
const OWN = [`${ROOT_URL}src/`, `${ROOT_URL}workers/`, `${ROOT_PATH}src/`, `${ROOT_PATH}workers/`];
const MAX_FRAMES = 4;

/** The provider's own frames of an error's stack, innermost first (no runtime, pool or node internals). */
export function providerFrames(err: unknown): string[] {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  return stack.split('\n')
    .filter((l) => /^\s+at /.test(l))
    .map((l) => l.trim().slice(3))
    .filter((f) => !OWN.some((p) => f.includes(p)) && !f.includes('node_modules') && !/\bnode:/.test(f) && !f.endsWith('(<anonymous>)') && f !== '<anonymous>')
    .slice(0, MAX_FRAMES);
}

/** The error's own message, one line: "called process.exit(3)", "threw TypeError: ...". */
export function describeCrash(err: unknown): string {
  const raw = err instanceof ProviderExit ? err.message
    : err instanceof Error ? `threw ${err.name}: ${err.message}` : `threw ${safeString(err)}`;
  return raw.split('\n')[0] ?? '';
}

/** "; provider stack: at f (file:line:col) < at g (...)", or '' when the error has no frame of the provider. */
export function stackOf(err: unknown): string {
  const frames = providerFrames(err);
  return frames.length > 0 ? `; provider stack: at ${frames.join(' < at ')}` : '';
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    return 'a value that cannot be printed';
  }
}

/** Records provider.crashed on a lane and stops the run. */
export function recordCrash(violations: Violations, shm: Shm, message: string): void {
  violations.record(Rule.ProviderCrashed, -1, 0, 0, 0, message);
  stopRun(shm);
}

/**
 * A task that could not build its CPU object (createProvider threw or
 * returned garbage): records that, a header damage found as it began, and
 * errors that reached the thread meanwhile, on a fresh writer of its lane.
 */
export async function recordStartFailure(shm: Shm, kind: string, label: string, damage: string | null, err: unknown): Promise<ViolationRecord[]> {
  const lane = shm.lane;
  const violations = new Violations(shm, lane, new TraceWriter(shm, lane));
  if (damage !== null) recordCrash(violations, shm, damage);
  recordCrash(violations, shm, taskCrashText(kind, label, err));
  for (const stray of await taskEnds()) recordCrash(violations, shm, strayMessage(stray, `while ${label}'s ${kind} task ran`));
  return violations.kept;
}

/** The sentence for an error that ended a task (`kind`, on lane `label`) outside any callback. */
export function taskCrashText(kind: string, label: string, err: unknown): string {
  const where = `on ${label} (${kind} task)`;
  if (err instanceof ProviderFault) return `${err.message} ${where}${err.stackText}`;
  if (err instanceof ProviderExit) return `the provider ${describeCrash(err)} outside any callback ${where}${stackOf(err)}`;
  return `the provider broke the ${kind} task ${where}: it ${describeCrash(err)}${stackOf(err)}`;
}

/** Ends the run as a throwing callback does: every lane stops at its next operation boundary. */
export function stopRun(shm: Shm): void {
  if (shm.runState() === RunState.Running) shm.setRunState(RunState.Stopping);
}

// ---- the shared buffer's header -------------------------------------------

/** Header words a run never changes after it starts, with their names and expected values. */
function expectedHeader(shm: Shm): Array<[string, number, number]> {
  const l = shm.layout;
  return [
    ['Magic', Ctl.Magic, LAYOUT_MAGIC], ['Version', Ctl.Version, LAYOUT_VERSION], ['Cpus', Ctl.Cpus, l.config.cpus],
    ['Lanes', Ctl.Lanes, l.lanes], ['MapCount', Ctl.MapCount, l.config.mapBuckets.length],
    ['TraceRecords', Ctl.TraceRecords, l.config.traceRecords], ['ArenaBase', Ctl.ArenaBase, l.arenaBase],
    ['ArenaEnd', Ctl.ArenaEnd, l.arenaEnd],
  ];
}

/**
 * When a header word no longer holds what the run wrote there, a sentence
 * naming the words, after which the header is written again (so the rest of
 * the run, and the lanes that look next, see it whole); null when intact.
 */
export function repairHeader(shm: Shm): string | null {
  const wrong = expectedHeader(shm).filter(([, word, value]) => shm.i32[word] !== value);
  if (wrong.length === 0) return null;
  const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
  const words = wrong.map(([name, word, value]) => `${name} is ${hex(shm.i32[word] as number)} instead of ${hex(value)}`);
  for (const [, word, value] of wrong) shm.i32[word] = value;
  return `the shared buffer's header was overwritten (${words.join(', ')}): a provider wrote over memory it was never given`;
}

// ---- the worker's process hooks -------------------------------------------

/** What the hooks know of the task this thread runs, or ran last. */
interface ThreadTask {
  run: string;
  lane: number;
  /** "CPU 0", "the system lane (cpu -1)". */
  label: string;
  kind: string;
  shm: Shm;
  /** True while the task has not returned its result. */
  active: boolean;
}

let current: ThreadTask | null = null;
/** Errors that reached the thread's event loop while its task was active (recorded by the task). */
const pending: unknown[] = [];
let channel: BroadcastChannel | null = null;

/**
 * In a worker thread (never the main thread): process.exit throws
 * ProviderExit instead of ending the thread, and an uncaught exception or
 * unhandled rejection is kept for the running task, or, between tasks, told
 * to the main thread on CRASH_CHANNEL. Installed once per thread.
 */
export function installCrashHooks(): void {
  if (isMainThread || channel !== null) return;
  channel = new BroadcastChannel(CRASH_CHANNEL);
  channel.unref();
  process.exit = ((code?: unknown) => { throw new ProviderExit(code); }) as typeof process.exit;
  process.on('uncaughtException', onStrayError);
  process.on('unhandledRejection', onStrayError);
}

function onStrayError(err: unknown): void {
  const task = current;
  if (task === null) return;
  stopRun(task.shm);
  if (task.active) {
    pending.push(err);
    return;
  }
  const notice: CrashNotice = { run: task.run, lane: task.lane, message: strayMessage(err, `after ${task.label}'s ${task.kind} task ended`) };
  channel?.postMessage(notice);
}

/** The sentence for an error thrown outside any callback. */
export function strayMessage(err: unknown, when: string): string {
  return `an error thrown outside any callback (a timer or a promise of the provider) reached its thread ${when}: ${describeCrash(err)}${stackOf(err)}`;
}

/** Marks the start of a task on this thread. */
export function taskBegins(run: string, lane: number, label: string, kind: string, shm: Shm): void {
  current = { run, lane, label, kind, shm, active: true };
  pending.length = 0;
}

/**
 * Lets errors already queued on this thread's event loop (a rejected promise,
 * an immediate) arrive, then marks the task ended; returns those errors.
 */
export async function taskEnds(): Promise<unknown[]> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (current !== null) current.active = false;
  return pending.splice(0);
}

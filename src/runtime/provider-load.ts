/**
 * A supervised provider load, on the main thread: a provider module is
 * imported and first called only in a short-lived worker thread
 * (src/runtime/provider-check.ts, through workers/provider-check.ts) with a
 * deadline, so a module that calls process.exit, loops forever or throws
 * while loading is bad input, never the end or the hang of epochlab. The
 * main thread never imports the module itself. Answers are kept per module
 * and option sets, so the hunting loops, which compile a scenario many
 * times, start one worker per module.
 */
import { Worker } from 'node:worker_threads';
import { workerPath } from './worker-path.js';
import type { CheckAnswer, CheckRequest } from './provider-check.js';

/** The deadline of a load: 5 s, or EPOCHLAB_PROVIDER_LOAD_MS (an internal setting, for tests). */
export function loadDeadlineMs(): number {
  const n = Number(process.env['EPOCHLAB_PROVIDER_LOAD_MS']);
  return Number.isInteger(n) && n > 0 ? n : 5000;
}

const answers = new Map<string, Promise<CheckAnswer>>();

/** Checks module `spec` (a file URL) with each option set; the answer says what is missing, or what the module did. */
export function checkProviderModule(spec: string, optionSets: Array<Record<string, unknown>>): Promise<CheckAnswer> {
  const key = JSON.stringify([spec, optionSets]);
  let a = answers.get(key);
  if (!a) {
    a = supervise({ spec, optionSets }, loadDeadlineMs());
    answers.set(key, a);
  }
  return a;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** One worker: its answer, or what ended it (an exit, a deadline); the worker is always ended. */
async function supervise(request: CheckRequest, deadlineMs: number): Promise<CheckAnswer> {
  const worker = new Worker(new URL(workerPath('provider-check')), { workerData: request, stdout: true, stderr: true });
  // What the module prints while it loads is not epochlab's output.
  worker.stdout.resume();
  worker.stderr.resume();
  let timer: NodeJS.Timeout | undefined;
  const answer = await new Promise<CheckAnswer>((resolve) => {
    const fail = (problem: string): void => resolve({ ok: false, problem, notFound: false, byModule: true });
    worker.once('message', (a: CheckAnswer) => resolve(a));
    worker.once('error', (err: Error) => fail(`threw while loading: ${err.message.split('\n')[0] ?? ''}`));
    worker.once('exit', (code: number) => fail(`ended its thread while loading (exit code ${code})`));
    timer = setTimeout(() => fail(`did not finish loading within ${seconds(deadlineMs)}`), deadlineMs);
  });
  clearTimeout(timer);
  await worker.terminate();
  return answer;
}

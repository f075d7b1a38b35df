/**
 * The worker side of a supervised provider load (the main thread's side is
 * src/runtime/provider-load.ts): import the module, call createProvider
 * once per option set the scenario gives it, check the shape and the
 * required callbacks, and post one answer. process.exit throws here instead
 * of ending the thread, and an error thrown later from a timer or a promise
 * of the module is an answer too, so the main thread always learns what the
 * module did; a module that never finishes is ended by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { factoryOf, missingCallbacks } from '../providers/index.js';
import type { MapProvider, ProviderFactory } from '../providers/provider.js';
import { ProviderExit, describeCrash } from './crash.js';
import { shapeProblem } from './provider-shape.js';

export interface CheckRequest {
  spec: string;
  optionSets: Array<Record<string, unknown>>;
}

/** What the worker answers: per option set, the required callbacks missing; or what went wrong. */
export type CheckAnswer =
  | { ok: true; missing: string[][] }
  | { ok: false; problem: string; notFound: boolean; byModule: boolean };

let answered = false;
let stage = 'while loading';

function answer(a: CheckAnswer): void {
  if (answered) return;
  answered = true;
  parentPort?.postMessage(a);
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message.split('\n')[0] ?? '' : describeCrash(err).replace(/^threw /, ''));
/** `text` is a whole sentence of epochlab's; `byModule` ones say what the module did ("called process.exit(0) while loading"). */
const problem = (text: string, byModule = false): CheckAnswer => ({ ok: false, problem: text, notFound: false, byModule });

/** The sentence for what the module did, without its name (the main thread adds it). */
function problemOf(err: unknown): CheckAnswer {
  if (err instanceof ProviderExit) return problem(`${err.message} ${stage}`, true);
  const notFound = (err as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';
  if (notFound || err instanceof SyntaxError) return { ok: false, problem: `cannot load provider module: ${firstLine(err)}`, notFound, byModule: false };
  return problem(`threw ${stage}: ${firstLine(err)}`, true);
}

export async function checkProviderInWorker(): Promise<void> {
  process.exit = ((code?: unknown) => { throw new ProviderExit(code); }) as typeof process.exit;
  process.on('uncaughtException', (err) => answer(problemOf(err)));
  process.on('unhandledRejection', (err) => answer(problemOf(err)));
  answer(await check(workerData as CheckRequest));
}

async function check({ spec, optionSets }: CheckRequest): Promise<CheckAnswer> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (err) {
    return problemOf(err);
  }
  let factory: ProviderFactory;
  try {
    factory = factoryOf(mod);
  } catch (err) {
    return problem(firstLine(err));
  }
  stage = 'in createProvider(options)';
  const missing: string[][] = [];
  for (const options of optionSets) {
    let provider: unknown;
    try {
      provider = factory(options);
    } catch (err) {
      return err instanceof ProviderExit ? problemOf(err) : problem(`createProvider(options) failed: ${firstLine(err)}`);
    }
    const shape = shapeProblem(provider);
    if (shape !== null) return problem(`createProvider(options) returned ${shape}`);
    missing.push(missingCallbacks(provider as MapProvider));
  }
  return { ok: true, missing };
}

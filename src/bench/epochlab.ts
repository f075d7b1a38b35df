/**
 * The epochlab side of `epochlab bench`, through the public entry points
 * only (compileScenario, loadScenario, runPlan, runChecked), so it measures
 * whatever the runtime and the checker become:
 *   - one mix on one path at n CPUs, tracing off, no checker;
 *   - the default scenario with the checker off, on, and on with a JSON
 *     Lines trace file.
 * A Sample counts only the timed phase: RunReport.ops minus the prefill,
 * over RunReport.elapsedMs (the CPU tasks, not setup or teardown).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileScenario, loadScenario } from '../scenario/scenario.js';
import { runPlan } from '../runtime/runner.js';
import { runChecked } from '../harness/checked-run.js';
import { JsonlSink } from '../trace/jsonl.js';
import { mixScenario, prefillOf, type Mix, type Path } from './mixes.js';
import type { Sample } from './stats.js';

export interface MixRun {
  mix: Mix;
  path: Path;
  cpus: number;
  capacity: number;
  durationMs: number;
  seed: number;
}

function failed(what: string, verdict: string): never {
  throw new Error(`bench: the ${what} run did not pass (verdict ${verdict})`);
}

export async function runMix(m: MixRun): Promise<Sample> {
  const json = mixScenario(m.mix, m.path, m.cpus, m.capacity, m.durationMs, m.seed);
  const plan = await compileScenario(json, `bench:${m.mix.name}`, process.cwd(), { cpus: m.cpus, seed: m.seed });
  plan.trace = false;
  const r = await runPlan(plan);
  if (r.verdict !== 'pass') failed(`${m.mix.name} ${m.path} ${m.cpus}-CPU`, r.verdict);
  return { ops: r.ops - prefillOf(m.mix, m.capacity), ms: r.elapsedMs };
}

/** How the default scenario is run for the checker's cost. */
export type CheckMode = 'unchecked' | 'checked' | 'checked+jsonl';
export const CHECK_MODES: readonly CheckMode[] = ['unchecked', 'checked', 'checked+jsonl'];

/** The default built-in scenario (its CPU count: all cores) for `durationMs`, the checker as `mode` says; with its CPU count. */
export async function runDefault(mode: CheckMode, durationMs: number, seed: number): Promise<Sample & { cpus: number }> {
  const plan = await loadScenario('default', { seed });
  if (plan.workload) plan.workload.durationMs = durationMs;
  const dir = mode === 'checked+jsonl' ? mkdtempSync(join(tmpdir(), 'epochlab-bench-')) : null;
  try {
    const sinks = dir ? [new JsonlSink(join(dir, 'trace.jsonl'))] : [];
    if (mode === 'unchecked') plan.trace = false;
    const { report } = await runChecked(plan, 'epochlab bench', { check: mode !== 'unchecked', sinks });
    for (const s of sinks) s.close();
    if (report.verdict !== 'pass') failed(`default ${mode}`, report.verdict);
    return { ops: report.ops, ms: report.elapsedMs, cpus: report.cpus };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

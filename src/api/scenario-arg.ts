/**
 * The scenario argument of every API call: a built-in name, a path to a
 * .json file, or the scenario object itself (as a script builds it).
 */
import { loadScenario, compileScenario, type ScenarioOverrides } from '../scenario/scenario.js';
import { resolveScenario, type ScenarioRef } from '../hunt/failure-file.js';
import type { RunPlan } from '../runtime/plan.js';

export type ScenarioInput = string | Record<string, unknown>;

const INLINE = 'inline';

/** Compiles the scenario; an object's provider paths resolve against the working directory. */
export async function compileInput(scenario: ScenarioInput, overrides: ScenarioOverrides): Promise<RunPlan> {
  if (typeof scenario === 'string') return loadScenario(scenario, overrides);
  return compileScenario(scenario, INLINE, process.cwd(), overrides);
}

/** The scenario as a failure file records it (the object itself, not just its name). */
export function scenarioRef(scenario: ScenarioInput, name: string): ScenarioRef {
  if (typeof scenario === 'string') return resolveScenario(scenario, name);
  return { name, source: INLINE, dir: process.cwd(), json: structuredClone(scenario) };
}

/** How a command line names the scenario again: the built-in name or the file path. */
export function scenarioWord(plan: RunPlan): string {
  return plan.source.startsWith('builtin:') ? plan.source.slice('builtin:'.length) : plan.source;
}

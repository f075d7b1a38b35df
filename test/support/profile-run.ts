/**
 * Test helper: compile a scenario object and run it under one profile on
 * real worker threads with tracing and the contract checker on, keeping
 * every event and the checker's counts by rule (runtime-detected rules
 * included).
 */
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { MemorySink } from '../../src/trace/jsonl.js';
import { ContractChecker } from '../../src/check/checker.js';
import { ALL_RULES } from '../../src/check/rules/index.js';
import type { RunReport } from '../../src/runtime/report.js';
import type { TraceEvent } from '../../src/trace/decode.js';

export type ProfileName = 'documented' | 'ebpf-for-windows';
export const PROFILES: readonly ProfileName[] = ['documented', 'ebpf-for-windows'];

export interface ProfileRun { report: RunReport; events: TraceEvent[]; rules: Record<string, number> }

export async function runUnder(scenario: Record<string, unknown>, profile: ProfileName): Promise<ProfileRun> {
  const plan = await compileScenario(scenario, 'test', process.cwd(), {});
  plan.trace = true;
  plan.profile = profile;
  const sink = new MemorySink();
  const checker = new ContractChecker(ALL_RULES, { rerun: 'test' });
  const report = await runPlan(plan, { sinks: [sink, checker] });
  checker.close();
  return { report, events: sink.events, rules: checker.summary().byRule };
}

/** A fixture provider's compiled module (test/fixtures/providers/NAME.ts), by absolute path. */
export function fixtureProvider(name: string): string {
  return new URL(`../fixtures/providers/${name}.js`, import.meta.url).pathname;
}

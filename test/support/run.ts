/**
 * Test helper: compile a scenario object and run it on real worker threads
 * with tracing on, collecting every event in memory.
 */
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { MemorySink } from '../../src/trace/jsonl.js';
import type { RunReport } from '../../src/runtime/report.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import type { RunPlan } from '../../src/runtime/plan.js';

export interface TestRun {
  report: RunReport;
  events: TraceEvent[];
  plan: RunPlan;
}

export async function runScenario(scenario: Record<string, unknown>, options: { trace?: boolean } = {}): Promise<TestRun> {
  const plan = await compileScenario(scenario, 'test', process.cwd(), {});
  plan.trace = options.trace ?? true;
  const sink = new MemorySink();
  const report = await runPlan(plan, { sinks: [sink] });
  return { report, events: sink.events, plan };
}

/** The provider callback events, in order, as compact strings: "name flags irql [result]". */
export function callbackSequence(events: TraceEvent[], opts: { map?: string } = {}): string[] {
  const names = new Set([
    'preprocess_map_create', 'postprocess_map_delete', 'postprocess_map_find_element', 'preprocess_map_update_element',
    'preprocess_map_delete_element', 'postprocess_map_delete_element', 'preprocess_map_associate_program_type',
  ]);
  return events
    .filter((e) => names.has(e.event) && (opts.map === undefined || e['map'] === opts.map))
    .map((e) => {
      const flags = (e['flags'] as string[]).map((f) => f.replace('EBPF_MAP_OPERATION_', '')).join('|') || '0';
      const result = e['result'] === undefined ? '' : ` ${String(e['result']).replace('EBPF_', '')}`;
      return `${e.event} ${flags} ${e.irql}${result}`;
    });
}

/** op_end results, in order, as "op RESULT". */
export function opResults(events: TraceEvent[]): string[] {
  return events.filter((e) => e.event === 'op_end').map((e) => `${String(e['op'])} ${String(e['result']).replace('EBPF_', '')}`);
}

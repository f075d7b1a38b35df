/**
 * The run report: what a run did (operations, callbacks by name, epochs,
 * retired and freed blocks, peak garbage) and its verdict. Counters are read
 * from every lane's record after all tasks ended; violations come from the
 * tasks (always) and from the trace (when tracing was on).
 */
import { Shm } from '../shm/shm.js';
import { Arena, BlockInfo } from '../shm/arena.js';
import { BlockState, COUNTER_COUNT, Counter, Ctl, RESULT_CODES, counterWord } from '../shm/layout.js';
import { CALLBACK_NAMES } from '../trace/events.js';
import { resultName } from '../contract/ebpf-result.js';
import { tagName } from '../contract/tags.js';
import type { RunPlan } from './plan.js';
import type { TaskResult } from './tasks.js';
import type { Monitor } from '../trace/monitor.js';
import type { WatchdogReport } from './watchdog.js';
import type { MemorySamples } from './memory-sampler.js';
import type { ScheduleSummary } from './controlled-phases.js';
import { reclamationReport, type ReclamationReport } from './reclamation.js';

export interface ReportedViolation {
  rule: string;
  cpu: number;
  map: string | null;
  message: string;
  seq: number;
}

/**
 * `Check` is whatever a checker attached to the run reports (the contract
 * checker's summary: see src/harness/); the runtime only keeps its place.
 */
export interface RunReport<Check = unknown> {
  scenario: string;
  source: string;
  seed: number;
  cpus: number;
  profile: string;
  verdict: 'pass' | 'fail' | 'aborted';
  exitCode: 0 | 1;
  elapsedMs: number;
  ops: number;
  opsFailed: number;
  opsPerSec: number;
  callbacks: Record<string, number>;
  /** Map operations by result (ebpf_result_t name). */
  results: Record<string, number>;
  epochsAdvanced: number;
  blocksAllocated: number;
  blocksRetired: number;
  blocksFreed: number;
  peakGarbage: number;
  /** The epoch manager's reclamation figures, traced or not (null if the manager's task was lost). */
  reclamation: ReclamationReport | null;
  allocFailures: number;
  /** Injected faults that took effect. */
  faults: { spuriousLockFailures: number; droppedTicks: number; delayedTicks: number; stalls: number };
  stallWarnings: number;
  maps: Record<string, string>;
  leakedBlocks: number;
  /** CPUs whose program failed to load (DISPATCH threads), with the result. */
  programLoadFailures: string[];
  violations: ReportedViolation[];
  violationCount: number;
  traceEvents: number;
  watchdog: WatchdogReport | null;
  /** The checker's findings (null when no checker ran). */
  check: Check | null;
  /** Resident memory during the run. */
  memory: MemorySamples | null;
  /** Controlled mode: the schedule (null when free-running). */
  schedule: ScheduleSummary | null;
  /** Throughput with the checker on and off (long checked runs only; see epochlab run). */
  checkOverhead: { opsPerSecChecked: number; opsPerSecUnchecked: number; slowdown: number } | null;
}

interface ReportInput {
  plan: RunPlan;
  shm: Shm;
  monitor: Monitor;
  results: TaskResult[];
  createResults: number[];
  elapsedMs: number;
  leaks: BlockInfo[];
  watchdog: WatchdogReport | null;
}

/** Every block not back in the free lists (main thread, after the drain). */
export function findLeaks(shm: Shm): BlockInfo[] {
  const leaks: BlockInfo[] = [];
  new Arena(shm).walk((b) => { if (b.state !== BlockState.Free) leaks.push(b); });
  return leaks;
}

function sumCounters(shm: Shm): number[] {
  const sums = new Array<number>(COUNTER_COUNT).fill(0);
  for (let lane = 0; lane < shm.layout.lanes; lane++) {
    for (let c = 0; c < COUNTER_COUNT; c++) sums[c] = (sums[c] as number) + shm.load(counterWord(shm.layout, lane, c));
  }
  return sums;
}

function collectViolations(input: ReportInput): ReportedViolation[] {
  const mapName = (i: number): string | null => (i >= 0 ? input.plan.maps[i]?.name ?? null : null);
  const out: ReportedViolation[] = input.results.flatMap((r) => r.violations.map((v) => ({
    rule: v.rule, cpu: v.lane === input.plan.cpus ? -1 : v.lane, map: mapName(v.map), message: v.message, seq: v.seq,
  })));
  if (input.leaks.length > 0) {
    const sample = input.leaks.slice(0, 5).map((b) => `${b.ptr} (${tagName(b.tag)}, ${b.size} B, ${b.state === BlockState.Retired ? 'retired' : 'allocated'})`);
    out.push({ rule: 'memory.leak', cpu: -1, map: null, seq: 0,
      message: `${input.leaks.length} block(s) not freed at the end of the run: ${sample.join(', ')}` });
  }
  if (input.watchdog) out.push({ rule: 'run.watchdog', cpu: input.watchdog.cpu, map: null, seq: 0, message: input.watchdog.reason });
  return out;
}

export function buildReport(input: ReportInput): RunReport<never> {
  const { plan, shm } = input;
  const c = sumCounters(shm);
  const callbacks: Record<string, number> = {};
  CALLBACK_NAMES.forEach((name, i) => { callbacks[name] = c[Counter.CbPreprocessMapCreate + i] as number; });
  const results: Record<string, number> = {};
  for (let code = 0; code < RESULT_CODES; code++) {
    const n = c[Counter.ResultBase + code] as number;
    if (n > 0) results[resultName(code)] = n;
  }
  const violations = collectViolations(input);
  const violationCount = shm.load(Ctl.ViolationCount) + (input.leaks.length > 0 ? 1 : 0) + (input.watchdog ? 1 : 0);
  const verdict = input.watchdog ? 'aborted' : violationCount > 0 ? 'fail' : 'pass';
  const ops = c[Counter.Ops] as number;
  return {
    scenario: plan.name, source: plan.source, seed: plan.seed, cpus: plan.cpus, profile: plan.profile,
    verdict, exitCode: verdict === 'pass' ? 0 : 1, elapsedMs: Math.round(input.elapsedMs),
    ops, opsFailed: c[Counter.OpsFailed] as number,
    opsPerSec: input.elapsedMs > 0 ? Math.round(ops / (input.elapsedMs / 1000)) : 0,
    callbacks,
    results,
    epochsAdvanced: shm.load(Ctl.EpochAdvances),
    blocksAllocated: c[Counter.Allocated] as number,
    blocksRetired: c[Counter.Retired] as number,
    blocksFreed: c[Counter.Freed] as number,
    peakGarbage: Math.max(...input.results.map((r) => r.peakGarbage), 0),
    reclamation: reclamationReport(input.results.find((r) => r.kind === 'manager')?.reclamation, plan.reclamationSeries === true, input.elapsedMs),
    allocFailures: c[Counter.AllocFailed] as number,
    faults: {
      spuriousLockFailures: c[Counter.SpuriousLockFailures] as number,
      droppedTicks: c[Counter.DroppedTicks] as number,
      delayedTicks: c[Counter.DelayedTicks] as number,
      stalls: c[Counter.StallFaults] as number,
    },
    stallWarnings: c[Counter.StallWarnings] as number,
    maps: Object.fromEntries(plan.maps.map((m, i) => [m.name, resultName(input.createResults[i] ?? -1)])),
    leakedBlocks: input.leaks.length,
    programLoadFailures: input.results.filter((r) => r.kind === 'cpu' && r.programLoad !== 0)
      .map((r) => `cpu ${r.lane}: ${resultName(r.programLoad)}`),
    violations, violationCount,
    traceEvents: input.monitor.eventCount,
    watchdog: input.watchdog,
    check: null,
    memory: null,
    checkOverhead: null,
    schedule: null,
  };
}

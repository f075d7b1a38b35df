/**
 * The tasks the main thread runs on the worker pool (workers/*.ts only
 * forward to these): setup (create maps, prefill), one long-running task per
 * CPU, teardown (close remaining map handles) and the epoch manager.
 */
import { Shm } from '../shm/shm.js';
import { Counter, Ctl, LayoutConfig, ManagerCommand, RunState, computeLayout, counterWord } from '../shm/layout.js';
import { Cpu, PROGRAM_TYPE } from './cpu.js';
import { MapRt } from './callbacks.js';
import { EbpfResult } from '../contract/ebpf-result.js';
import { PROFILES } from './profile.js';
import type { OpPlan, RunPlan, ThreadPlan } from './plan.js';
import type { ViolationRecord } from '../trace/violations.js';
import { installCrashHooks, recordCrash, recordStartFailure, repairHeader, strayMessage, taskBegins, taskCrashText, taskEnds } from './crash.js';
import { WorkloadRunner, prefill } from './workload.js';
import { loadProviderFactory } from '../providers/index.js';
import type { ProviderFactory } from '../providers/provider.js';
import { EpochManager } from '../epoch/manager.js';
import type { ReclaimResult } from '../epoch/reclaim-stats.js';
import { Ev, Mode, OpCode } from '../trace/events.js';
import { Irql } from '../contract/irql.js';
import { RunAborted } from '../shm/shm.js';
import { Step } from '../shm/gate.js';
import type { LaneGate, Scheduler } from './scheduler.js';
import { gateFor, join } from './task-gate.js';

export interface TaskInit {
  /** Names the run, so a thread's report of a crash between tasks reaches the right run. */
  run: string;
  sab: SharedArrayBuffer;
  layout: LayoutConfig;
  plan: RunPlan;
}

export type Task = TaskInit & (
  | { kind: 'setup' }
  | { kind: 'cpu'; cpu: number }
  | { kind: 'teardown' }
  | { kind: 'manager' }
);

export interface TaskResult {
  kind: string;
  lane: number;
  ops: number;
  violations: ViolationRecord[];
  /** Per map, the result of its creation (setup task). */
  createResults: number[];
  /** A program load (associate) failure on this CPU, if any. */
  programLoad: number;
  aborted: boolean;
  peakGarbage: number;
  leftoverGarbage: number;
  /** The manager task only: its reclamation figures (see src/epoch/reclaim-stats.ts). */
  reclamation?: ReclaimResult;
}

const factoryCache = new Map<string, Promise<ProviderFactory>>();

async function factoriesFor(plan: RunPlan): Promise<ProviderFactory[]> {
  return Promise.all(plan.maps.map((m) => {
    let f = factoryCache.get(m.provider);
    if (!f) {
      f = loadProviderFactory(m.provider);
      factoryCache.set(m.provider, f);
    }
    return f;
  }));
}

/** A lane of this task: its CPU object, and its gate in controlled mode (null free-running). */
interface TaskLane {
  cpu: Cpu;
  gate: LaneGate | null;
}

/** Builds the CPU object for a lane of this task (its provider instances included). */
async function cpuFor(task: Task, shm: Shm, lane: number): Promise<Cpu> {
  const profile = PROFILES[task.plan.profile];
  if (!profile) throw new Error(`unknown profile ${task.plan.profile}`);
  return new Cpu(shm, lane, task.plan, await factoriesFor(task.plan), profile);
}

function result(kind: string, cpu: Cpu, extra: Partial<TaskResult> = {}): TaskResult {
  return {
    kind, lane: cpu.lane.lane, ops: cpu.lane.counter(Counter.Ops), violations: cpu.lane.violations.kept,
    createResults: [], programLoad: EbpfResult.Success, aborted: false, peakGarbage: 0, leftoverGarbage: 0, ...extra,
  };
}

const laneOf = (task: Task): number => (task.kind === 'cpu' ? task.cpu : task.kind === 'manager' ? task.plan.cpus : 0);

function bodyOf(task: Task): (cpu: Cpu) => Partial<TaskResult> {
  switch (task.kind) {
    case 'setup': return (cpu) => setup(cpu);
    case 'cpu': return (cpu) => runCpu(cpu, task.cpu);
    case 'teardown': return (cpu) => teardown(cpu);
    case 'manager': return (cpu) => runManager(cpu);
  }
}

/**
 * Runs one task; `scheduler` is required for controlled plans (the worker
 * entry points supply it). Whatever the provider does to the thread (throw
 * outside a callback, call process.exit, damage the header) ends the task
 * with a provider.crashed violation on its lane instead of an error.
 */
export async function runTask(task: Task, scheduler: Scheduler | null = null): Promise<TaskResult> {
  installCrashHooks();
  const lane = laneOf(task);
  const shm = new Shm(task.sab, computeLayout(task.layout));
  taskBegins(task.run, lane, laneLabel(task), task.kind, shm);
  const repaired = repairHeader(shm); // a provider may have written over it since the last task looked
  const damage = repaired === null ? null : `${repaired} (found when ${laneLabel(task)}'s ${task.kind} task began)`;
  const attached = Shm.attach(task.sab, task.layout, lane);
  const gate = gateFor(task.plan, task.kind, attached, lane, scheduler);
  let cpu: Cpu;
  try {
    cpu = await cpuFor(task, attached, lane);
  } catch (err) {
    return crashed(task, attached, gate, damage, err);
  }
  return guard(task, { cpu, gate }, damage);
}

/** A task whose CPU object could not be built (createProvider failed): joins and leaves the schedule, records why. */
async function crashed(task: Task, shm: Shm, gate: LaneGate | null, damage: string | null, err: unknown): Promise<TaskResult> {
  let violations: ViolationRecord[];
  try {
    if (gate !== null) join(task.kind, gate);
    violations = await recordStartFailure(shm, task.kind, laneLabel(task), damage, err);
  } finally {
    gate?.leave();
  }
  return {
    kind: task.kind, lane: laneOf(task), ops: 0, violations, createResults: [], programLoad: EbpfResult.Success,
    aborted: false, peakGarbage: 0, leftoverGarbage: 0,
  };
}

/**
 * Runs a task body; an abort (watchdog) ends it with `aborted` set instead of
 * an error, any other error is the provider's crash. In controlled mode the
 * task joins the schedule first and leaves it at the end, handing the baton on.
 */
async function guard(task: Task, { cpu, gate }: TaskLane, damage: string | null): Promise<TaskResult> {
  const violations = cpu.lane.violations;
  let out: TaskResult;
  try {
    if (gate !== null) join(task.kind, gate);
    if (damage !== null) recordCrash(violations, cpu.lane.shm, damage);
    try {
      out = result(task.kind, cpu, bodyOf(task)(cpu));
    } catch (err) {
      if (err instanceof RunAborted) return result(task.kind, cpu, { aborted: true });
      recordCrash(violations, cpu.lane.shm, taskCrashText(task.kind, laneLabel(task), err));
      out = result(task.kind, cpu);
    }
    const after = repairHeader(cpu.lane.shm);
    if (after !== null) recordCrash(violations, cpu.lane.shm, `${after} (found when ${cpu.lane.label}'s ${task.kind} task ended)`);
    for (const err of await taskEnds()) recordCrash(violations, cpu.lane.shm, strayMessage(err, `while ${cpu.lane.label}'s ${task.kind} task ran`));
    return out;
  } finally {
    cpu.lane.idle();
    gate?.leave();
  }
}

const laneLabel = (task: Task): string => (task.kind === 'manager' ? 'the system lane (cpu -1)' : `CPU ${laneOf(task)}`);

/** Creates every map on CPU 0 (user mode: PASSIVE, one IOCTL epoch each), then prefills. */
function setup(cpu: Cpu): Partial<TaskResult> {
  const lane = cpu.lane;
  const createResults = cpu.plan.maps.map((mp, i) => {
    const m = cpu.maps[i] as MapRt;
    lane.heartbeat(OpCode.Create, i);
    lane.trace.emit(Ev.OpBegin, OpCode.Create, i, 0, 0, Mode.User, 0, 0, 0);
    const state = lane.epoch.allocateState();
    lane.epoch.enter(state);
    const r = cpu.lifecycle.create(m, mp, cpu.plan.faults.nameAllocFail.includes(i));
    lane.epoch.exit(state);
    lane.epoch.releaseState(state);
    const flags = r === EbpfResult.Success ? (m.info as { flags: number }).flags : 0;
    lane.trace.emit(Ev.OpEnd, OpCode.Create, i, 0, r, Mode.User, 0, 0, 0, m.registered, flags);
    return r;
  });
  const w = cpu.plan.workload;
  if (w && w.prefill > 0) {
    for (const i of w.maps) if (createResults[i] === EbpfResult.Success) prefill(cpu, cpu.maps[i] as MapRt, w.prefill, cpu.plan.seed);
  }
  return { createResults };
}

/** Maps an op list touches (for a program's references). */
function mapsOf(ops: OpPlan[], into = new Set<number>()): Set<number> {
  for (const op of ops) {
    if (op.op === 'batch') mapsOf(op.ops, into);
    else if (op.op !== 'stall' && op.op !== 'synchronize' && op.op !== 'deregister_provider' && op.op !== 'migrate' && op.map >= 0) into.add(op.map); // find_element on an array map names none (-1)
  }
  return into;
}

function runCpu(cpu: Cpu, cpuIndex: number): Partial<TaskResult> {
  const plan = cpu.plan;
  for (const m of cpu.maps) cpu.lifecycle.attach(m);
  const thread = plan.threads.find((t) => t.cpu === cpuIndex);
  const w = plan.workload;
  const irql = thread ? thread.irql : (w?.irql === 'mixed' ? (cpuIndex % 2 === 0 ? 'PASSIVE' : 'DISPATCH') : (w?.irql ?? 'PASSIVE'));
  const dispatch = irql === 'DISPATCH';
  const also = thread !== undefined && w !== null && w.afterThreads;
  const used = thread ? [...mapsOf(thread.ops, new Set(also ? w.maps : []))] : (w?.maps ?? []);
  const runsPrograms = dispatch || (thread?.ops.some((op) => op.op === 'batch') ?? false);
  const load = runsPrograms ? loadProgram(cpu, used, thread?.programType ?? PROGRAM_TYPE) : { held: [], result: EbpfResult.Success };
  if (load.result !== EbpfResult.Success) return { programLoad: load.result };
  cpu.lane.setIrql(dispatch ? Irql.Dispatch : Irql.Passive);
  if (thread) runThread(cpu, thread, dispatch);
  if (w && (!thread || also)) new WorkloadRunner(cpu, w, plan.seed).run(dispatch);
  cpu.lane.setIrql(Irql.Passive);
  for (const m of load.held) cpu.lifecycle.release(m);
  return {};
}

function runThread(cpu: Cpu, thread: ThreadPlan, dispatch: boolean): void {
  const times = cpu.lane.shm.controlled ? thread.controlledRepeat : thread.repeat;
  for (let r = 0; r < times; r++) {
    for (const op of thread.ops) {
      if (!cpu.running()) return;
      cpu.runOp(op, dispatch);
    }
  }
}

/**
 * Program load: PASSIVE, for each map the program uses, take a reference and
 * call preprocess_map_associate_program_type. On failure (a map that does not
 * exist, or a provider that refuses the program type) the references taken
 * so far are dropped and the program does not run.
 */
function loadProgram(cpu: Cpu, used: number[], programType: string): { held: MapRt[]; result: number } {
  const held: MapRt[] = [];
  for (const i of used) {
    const m = cpu.maps[i] as MapRt;
    const acquired = m.info !== null && cpu.lifecycle.acquire(m);
    const r = acquired ? associate(cpu, m, programType) : EbpfResult.InvalidObject;
    if (r === EbpfResult.Success) {
      held.push(m);
      continue;
    }
    if (acquired) cpu.lifecycle.release(m);
    for (const h of held) cpu.lifecycle.release(h);
    return { held: [], result: r };
  }
  return { held, result: EbpfResult.Success };
}

function associate(cpu: Cpu, m: MapRt, programType: string): number {
  const lane = cpu.lane;
  lane.heartbeat(OpCode.AssociateProgramType, m.index);
  lane.trace.emit(Ev.OpBegin, OpCode.AssociateProgramType, m.index, 0, 0, Mode.User, 0, 0, 0);
  const state = lane.epoch.allocateState();
  lane.epoch.enter(state);
  const r = cpu.custom.callbacks.associate(m, programType);
  lane.epoch.exit(state);
  lane.epoch.releaseState(state);
  lane.trace.emit(Ev.OpEnd, OpCode.AssociateProgramType, m.index, 0, r, Mode.User, 0, 0, 0);
  return r;
}

/** Closes every map handle still open (as a process exit would), on CPU 0. */
function teardown(cpu: Cpu): Partial<TaskResult> {
  for (const m of cpu.maps) {
    if (cpu.lifecycle.attach(m) && cpu.lifecycle.handleOpen(m)) cpu.deleteMap(m);
  }
  return {};
}

/** The epoch manager loop on the system lane; drains everything on Exit. */
function runManager(cpu: Cpu): Partial<TaskResult> {
  const shm = cpu.lane.shm;
  const lane = cpu.lane;
  for (const m of cpu.maps) cpu.lifecycle.attach(m);
  const manager = new EpochManager(shm, lane.arena, lane.trace, lane.violations,
    { stallEpochs: cpu.plan.stallEpochs, mutant: lane.mutant, dropTicks: new Set(cpu.plan.faults.dropTicks),
      delayTicks: new Map(cpu.plan.faults.delayTicks.map((d) => [d.tick, d.steps])),
      perCpu: (PROFILES[cpu.plan.profile] ?? PROFILES['documented']!).perCpuEpochs },
    (item) => cpu.lifecycle.runCleanup(item));
  for (;;) {
    const cmd = shm.load(Ctl.ManagerCommand);
    if (cmd === ManagerCommand.Exit || shm.runState() === RunState.Aborted) break;
    if (cmd === ManagerCommand.Drain) manager.reclaim.endSteady(); // the CPU phase is over: teardown's frees are not the workload's
    manager.tick(); // per-CPU epochs: one whole propose/commit computation
    shm.i32[Ctl.ManagerHeartbeat]++;
    // Controlled mode: the next tick is the scheduler's decision, not the clock's.
    if (shm.controlled) shm.gate.point(Step.Wait);
    else shm.waitWord(Ctl.ManagerCommand, cmd, cpu.plan.epochTickMs);
  }
  manager.stopHandOver();
  manager.reclaim.endSteady();
  drain(cpu, manager);
  shm.i32[counterWord(shm.layout, lane.lane, Counter.PeakGarbage)] = manager.peakGarbage;
  return { peakGarbage: manager.peakGarbage, leftoverGarbage: manager.garbage(), reclamation: manager.reclaim.result() };
}

/** Final drain: ticks until no lane holds garbage (cleanups retire more), bounded. */
function drain(cpu: Cpu, manager: EpochManager): void {
  for (let quiet = 0, i = 0; i < 100_000 && quiet < 3; i++) {
    if (cpu.lane.shm.runState() === RunState.Aborted) return;
    manager.tick();
    quiet = manager.garbage() === 0 ? quiet + 1 : 0;
  }
}

/**
 * Swarm testing (Groce et al., ISSTA 2012): instead of running the scenario
 * as written on every seed, each configuration switches parts of the
 * workload off and shrinks the rest, so that a few runs concentrate on one
 * narrow kind of race. A scenario's maps, providers, CPUs and IRQLs are kept;
 * what changes is what the CPUs do:
 *
 * - a generated workload: which operation kinds run (and their mix), a hot
 *   key set (often 1 to 8 keys), the controlled operation budget, the batch
 *   size, which of its maps it touches;
 * - explicit op lists: cut short (a prefix) and repeated fewer times; three
 *   times in four a generated workload runs after them (over the scenario's
 *   maps, with small keys, at each CPU's own IRQL), so that CPUs whose
 *   lists never meet do meet;
 * - where the scenario has none of its own: a stall inside an epoch, a late
 *   epoch tick, failing epoch allocations (which open the undo paths);
 * - the strategy and its parameters (random, random with runs, PCT with a
 *   depth and a step count), unless the user chose one.
 *
 * A configuration is drawn from its own seed and applied to the scenario
 * object, so the swarmed scenario is an ordinary scenario: the failure file
 * keeps it, replay re-runs it and the scenario shrinker reduces it.
 */
import { Prng } from '../contract/prng.js';
import type { RunSettings } from '../runtime/plan.js';

type Json = Record<string, unknown>;

export interface SwarmWorkload {
  findPct: number;
  updatePct: number;
  deletePct: number;
  keyRange: number;
  controlledOpsPerCpu: number;
  batchSize: number;
  /** Map names the workload touches (a subset of the scenario's). */
  maps: string[] | null;
  /** The scenario had no workload: this one is added (over its maps, with small keys, so it meets the op lists' keys). */
  added: boolean;
  /** CPUs with an op list also run the workload after it. */
  afterThreads: boolean;
}

export interface SwarmConfig {
  /** The seed this configuration was drawn from. */
  id: number;
  workload: SwarmWorkload | null;
  /** Per explicit thread (in the scenario's order): ops kept (a prefix) and controlled repeats. */
  threads: Array<{ ops: number; repeat: number }>;
  /** A CPU stalls inside an epoch (scheduling points), when the scenario has no stalls of its own. */
  stall: { cpu: number; atOp: number; steps: number } | null;
  /** Epoch allocations that fail (1-based, over all CPUs), when the scenario has no failures of its own. */
  allocFail: number[] | null;
  /** An epoch tick starts late, when the scenario has no late ticks of its own. */
  lateTick: { tick: number; steps: number } | null;
  /** The strategy drawn (null: the user's choice stands). */
  strategy: Pick<RunSettings, 'strategy' | 'pctDepth' | 'pctSteps' | 'switchEvery'> | null;
}

const OP_BUDGETS = [12, 20, 32, 48, 64, 96, 128, 200] as const;
const BATCH_SIZES = [1, 2, 4, 8, 16, 32] as const;
const RUN_LENGTHS = [4, 8, 16, 32, 64] as const;
/** Scheduling decisions per operation and CPU, roughly, as measured on the built-in scenarios (PCT's step count is drawn around budget x cpus x this). */
const POINTS_PER_OP = 30;

const pick = <T>(rng: Prng, xs: readonly T[]): T => xs[rng.below(xs.length)] as T;
const chance = (rng: Prng, p: number): boolean => rng.below(1000) < p * 1000;
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Json : null);
const intOr = (v: unknown, d: number): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : d);

/** Percentages for the enabled kinds (weights 1..8), summing to 100; at least one writing kind. */
function drawMix(rng: Prng): Pick<SwarmWorkload, 'findPct' | 'updatePct' | 'deletePct'> {
  const on = [chance(rng, 0.7), chance(rng, 0.7), chance(rng, 0.5)];
  if (!on[1] && !on[2]) on[1] = true;
  const w = on.map((x) => (x ? 1 + rng.below(8) : 0));
  const total = w.reduce((a, b) => a + b, 0);
  const findPct = Math.floor((100 * (w[0] as number)) / total);
  // The rounding remainder goes to a writing kind that is on.
  if (w[1] === 0) return { findPct, updatePct: 0, deletePct: 100 - findPct };
  const deletePct = Math.floor((100 * (w[2] as number)) / total);
  return { findPct, updatePct: 100 - findPct - deletePct, deletePct };
}

/** A workload for a scenario of op lists only: small keys (so that it meets the lists' keys), after each list. */
const ADDED: Json = { keyRange: 16, opsPerCpu: 256, controlledOpsPerCpu: 256 };

function drawWorkload(rng: Prng, w: Json, mapNames: string[], added: boolean, threads: boolean): SwarmWorkload {
  const keyRange = intOr(w['keyRange'], 1);
  // Races need CPUs on one key: half the configurations use one or two keys, most of the rest up to eight.
  const r = rng.below(10);
  const hot = r < 5 ? 1 + rng.below(2) : r < 8 ? 3 + rng.below(6) : 1 + rng.below(keyRange);
  const budget = Math.min(pick(rng, OP_BUDGETS), intOr(w['controlledOpsPerCpu'], 256), intOr(w['opsPerCpu'], 256));
  const listed = Array.isArray(w['maps']) ? (w['maps'] as unknown[]).filter((m): m is string => typeof m === 'string') : mapNames;
  // A third of the configurations keep every map, a third one map (a race needs one map, two CPUs and one key), a third some.
  let maps: string[] | null = null;
  const which = listed.length > 1 ? rng.below(3) : 0;
  if (which === 1) maps = [pick(rng, listed)];
  if (which === 2) {
    const kept = listed.filter(() => chance(rng, 0.5));
    maps = kept.length > 0 ? kept : [pick(rng, listed)];
  }
  return {
    ...drawMix(rng), keyRange: Math.min(hot, keyRange), controlledOpsPerCpu: budget, batchSize: pick(rng, BATCH_SIZES), maps,
    added, afterThreads: added || (threads && chance(rng, 0.5)),
  };
}

function drawStrategy(rng: Prng, cpus: number, budget: number): NonNullable<SwarmConfig['strategy']> {
  const r = rng.below(10);
  if (r < 3) return { strategy: 'random', switchEvery: 1, pctDepth: 3, pctSteps: 3000 };
  if (r < 5) return { strategy: 'random', switchEvery: pick(rng, RUN_LENGTHS), pctDepth: 3, pctSteps: 3000 };
  const estimate = budget * Math.max(cpus, 1) * POINTS_PER_OP;
  const steps = Math.max(50, Math.round(estimate * (0.5 + rng.below(151) / 100)));
  return { strategy: 'pct', pctDepth: 2 + rng.below(3), pctSteps: steps, switchEvery: 1 };
}

/** One to three distinct allocation numbers in 1..span, ascending. */
function drawFailures(rng: Prng, span: number): number[] {
  const picks = new Set<number>();
  const count = 1 + rng.below(3);
  while (picks.size < count) picks.add(1 + rng.below(Math.max(span, 1)));
  return [...picks].sort((a, b) => a - b);
}

/** The CPUs a scenario runs (the all-cpus sentinel counts as `cpus`). */
const cpuCount = (json: Json, cpus: number): number => (typeof json['cpus'] === 'number' ? json['cpus'] : cpus);

/**
 * Draws configuration `id` for a scenario object. `cpus` resolves the
 * all-cores sentinel; `pinStrategy` keeps the user's strategy.
 */
export function drawSwarm(json: Json, id: number, cpus: number, pinStrategy: boolean): SwarmConfig {
  const rng = new Prng(id, 0x5a4d);
  const n = cpuCount(json, cpus);
  const w = obj(json['workload']);
  const listed = Array.isArray(json['threads']) ? json['threads'] as unknown[] : [];
  // Three configurations in four of an op-lists-only scenario add a workload after the lists.
  const add = w === null && listed.length > 0 && chance(rng, 0.75);
  const mapNames = Object.keys(obj(json['maps']) ?? {});
  const workload = w !== null || add ? drawWorkload(rng, w ?? ADDED, mapNames, add, listed.length > 0) : null;
  const threads = listed.map((t) => {
    const ops = Array.isArray(obj(t)?.['ops']) ? (obj(t)?.['ops'] as unknown[]).length : 0;
    const repeat = intOr(obj(t)?.['controlledRepeat'], intOr(obj(t)?.['repeat'], 1));
    return { ops: chance(rng, 0.5) || ops <= 1 ? ops : 1 + rng.below(ops), repeat: 1 + rng.below(repeat) };
  });
  const faults = obj(json['faults']) ?? {};
  const budget = workload?.controlledOpsPerCpu ?? 32;
  const own = (k: string): boolean => Array.isArray(faults[k]) && (faults[k] as unknown[]).length > 0;
  const stall = !own('stall') && workload !== null && chance(rng, 0.25)
    ? { cpu: rng.below(n), atOp: 1 + rng.below(budget), steps: 10 + rng.below(190) } : null;
  const lateTick = !own('delayTicks') && chance(rng, 0.3) ? { tick: 1 + rng.below(6), steps: 5 + rng.below(60) } : null;
  const allocFail = !own('allocFailAt') && chance(rng, 0.3) ? drawFailures(rng, budget * n * 2) : null;
  return { id, workload, threads, stall, lateTick, allocFail, strategy: pinStrategy ? null : drawStrategy(rng, n, budget) };
}

/** The scenario object with configuration `c` applied (a copy; the input is not changed). */
export function applySwarm(json: Json, c: SwarmConfig): Json {
  const out = structuredClone(json);
  if (c.workload !== null) {
    const { maps, added, afterThreads, ...rest } = c.workload;
    const w = added ? { opsPerCpu: rest.controlledOpsPerCpu, irql: 'mixed' } : obj(out['workload']) ?? {};
    Object.assign(w, rest, afterThreads ? { afterThreads } : {});
    if (maps !== null) w['maps'] = maps;
    out['workload'] = w;
  }
  if (Array.isArray(out['threads'])) {
    (out['threads'] as unknown[]).forEach((t, i) => {
      const thread = obj(t);
      const cut = c.threads[i];
      if (thread === null || cut === undefined || !Array.isArray(thread['ops'])) return;
      thread['ops'] = (thread['ops'] as unknown[]).slice(0, cut.ops);
      thread['controlledRepeat'] = cut.repeat;
    });
  }
  if (c.stall !== null || c.lateTick !== null || c.allocFail !== null) {
    const faults = obj(out['faults']) ?? {};
    if (c.allocFail !== null) faults['allocFailAt'] = c.allocFail;
    if (c.stall !== null) faults['stall'] = [c.stall];
    if (c.lateTick !== null) faults['delayTicks'] = [c.lateTick];
    out['faults'] = faults;
  }
  return out;
}

/** Configuration 0: the scenario exactly as written, with the user's (or the default) strategy. */
export const AS_WRITTEN: SwarmConfig = { id: 0, workload: null, threads: [], stall: null, lateTick: null, allocFail: null, strategy: null };

/** A one-line account of a configuration, for reports. */
export function describeSwarm(c: SwarmConfig): string {
  if (c.id === 0) return '#0, the scenario as written';
  const parts: string[] = [`#${c.id}`];
  if (c.workload !== null) {
    const w = c.workload;
    parts.push(`find/update/delete ${w.findPct}/${w.updatePct}/${w.deletePct}`, `${w.keyRange} key${w.keyRange === 1 ? '' : 's'}`,
      `${w.controlledOpsPerCpu} ops/cpu`, `batch ${w.batchSize}`);
    if (w.maps !== null) parts.push(`maps ${w.maps.join(',')}`);
    if (w.added) parts.push('added after the op lists');
    else if (w.afterThreads) parts.push('also after the op lists');
  }
  if (c.threads.length > 0) parts.push(`ops ${c.threads.map((t) => `${t.ops}x${t.repeat}`).join(' ')}`);
  if (c.stall !== null) parts.push(`stall cpu ${c.stall.cpu} at op ${c.stall.atOp} for ${c.stall.steps}`);
  if (c.allocFail !== null) parts.push(`allocations ${c.allocFail.join(',')} fail`);
  if (c.lateTick !== null) parts.push(`tick ${c.lateTick.tick} late by ${c.lateTick.steps}`);
  const s = c.strategy;
  if (s !== null) parts.push(s.strategy === 'pct' ? `pct d=${s.pctDepth} k=${s.pctSteps}` : s.switchEvery > 1 ? `random runs of ${s.switchEvery}` : 'random');
  return parts.join(', ');
}

/**
 * The failure file `epochlab stress` writes when a run finds a violation:
 * everything needed to run it again exactly (the scenario itself, not just
 * its name; the seed, strategy, mutant; the recorded schedule), plus what it
 * found (rules, trace digest) so `epochlab replay` can compare.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BadInput } from '../contract/bad-input.js';
import { builtinScenario } from '../scenario/builtins.js';
import { compileScenario, parseJson } from '../scenario/scenario.js';
import { applySettings, type RunPlan } from '../runtime/plan.js';
import { PROFILE_NAMES } from '../runtime/profile.js';
import { STRATEGY_NAMES } from '../sched/strategy.js';
import { MUTANT_NAMES } from '../contract/mutants.js';
import type { SwarmConfig } from './swarm.js';

export interface ScenarioRef {
  name: string;
  /** A file path, or `builtin:NAME`. */
  source: string;
  /** Resolves relative provider paths. */
  dir: string;
  /** The scenario object itself. */
  json: Record<string, unknown>;
}

export interface FailureFile {
  version: 1;
  scenario: ScenarioRef;
  profile: RunPlan['profile'];
  mode: RunPlan['mode'];
  strategy: RunPlan['strategy'];
  pctDepth: number;
  pctSteps: number;
  /** Random strategy's mean run length (absent in older files: 1). */
  switchEvery?: number;
  mutant: string | null;
  seed: number;
  cpus: number;
  rules: Record<string, number>;
  digest: string;
  schedule: number[];
  /** When the schedule was shrunk (strategy is then 'sequential'): the failing run's own schedule. */
  originalSchedule?: number[];
  /**
   * The swarm configuration the failing run was found with (already applied to `scenario.json`, so replay
   * needs nothing else; shrinking may have reduced the scenario further). For reading only.
   */
  swarm?: SwarmConfig;
}

/** The scenario object behind a command-line SCENARIO argument (same lookup as loadScenario). */
export function resolveScenario(arg: string, name: string): ScenarioRef {
  const looksLikePath = arg.endsWith('.json') || arg.includes('/') || arg.includes('\\');
  const builtin = looksLikePath ? undefined : builtinScenario(arg);
  if (builtin) return { name, source: `builtin:${arg}`, dir: process.cwd(), json: builtin };
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (err) {
    throw new BadInput(arg, null, `cannot read scenario: ${(err as Error).message.split('\n')[0]}`);
  }
  const json = parseJson(text, arg);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadInput(arg, null, 'expected a JSON object');
  return { name, source: arg, dir: dirname(resolve(arg)), json: json as Record<string, unknown> };
}

/**
 * The record of a failing run. With `shrunk` (the run of a shrunk schedule,
 * forced with strategy 'sequential'), the file replays the shrunk run and
 * keeps the original schedule as `originalSchedule`.
 */
export function failureRecord(scenario: ScenarioRef, plan: RunPlan, found: { rules: Record<string, number>; digest: string; schedule: number[] },
  shrunk?: { rules: Record<string, number>; digest: string; schedule: number[] }): FailureFile {
  const record: FailureFile = {
    version: 1, scenario, profile: plan.profile, mode: plan.mode, strategy: shrunk ? 'sequential' : plan.strategy,
    pctDepth: plan.pctDepth, pctSteps: plan.pctSteps, switchEvery: plan.switchEvery, mutant: plan.mutant, seed: plan.seed, cpus: plan.cpus,
    rules: shrunk?.rules ?? found.rules, digest: shrunk?.digest ?? found.digest, schedule: shrunk?.schedule ?? found.schedule,
  };
  if (shrunk) record.originalSchedule = found.schedule;
  return record;
}

export function writeFailureFile(path: string, record: FailureFile): void {
  try {
    writeFileSync(path, JSON.stringify(record, null, 2) + '\n');
  } catch (err) {
    throw new BadInput('epochlab', '--out', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A file name from a scenario name: letters, digits, _ . - only. */
export function defaultFailurePath(scenarioName: string, seed: number): string {
  const safe = scenarioName.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'scenario';
  return `epochlab-failure-${safe}-${seed}.json`;
}

/** Reads and validates a failure file. Every problem is a BadInput naming the file and the field. */
export function readFailureFile(path: string): FailureFile {
  const bad = (field: string | null, problem: string): never => { throw new BadInput(path, field, problem); };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    bad(null, `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    return bad(null, `invalid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isObject(raw)) return bad(null, 'expected a JSON object (an epochlab failure file)');
  const f = raw;
  if (f['version'] !== 1) bad('version', `expected 1, got ${JSON.stringify(f['version'])}`);
  const s = f['scenario'];
  if (!isObject(s)) return bad('scenario', 'expected an object { name, source, dir, json }');
  for (const k of ['name', 'source', 'dir'] as const) if (typeof s[k] !== 'string') bad(`scenario.${k}`, 'expected a string');
  if (!isObject(s['json'])) bad('scenario.json', 'expected the scenario object');
  const oneOf = (k: string, allowed: readonly unknown[]): void => {
    if (!allowed.includes(f[k])) bad(k, `expected one of ${allowed.map((a) => String(a)).join(', ')}, got ${JSON.stringify(f[k])}`);
  };
  oneOf('profile', PROFILE_NAMES);
  oneOf('mode', ['free', 'controlled']);
  oneOf('strategy', STRATEGY_NAMES);
  oneOf('mutant', [null, ...MUTANT_NAMES]);
  for (const k of ['pctDepth', 'pctSteps', 'cpus'] as const) {
    if (!(Number.isSafeInteger(f[k]) && (f[k] as number) > 0)) bad(k, `expected a positive integer, got ${JSON.stringify(f[k])}`);
  }
  if (f['switchEvery'] !== undefined && !(Number.isSafeInteger(f['switchEvery']) && (f['switchEvery'] as number) > 0)) {
    bad('switchEvery', `expected a positive integer, got ${JSON.stringify(f['switchEvery'])}`);
  }
  if (!Number.isSafeInteger(f['seed'])) bad('seed', `expected an integer, got ${JSON.stringify(f['seed'])}`);
  const rules = f['rules'];
  if (!isObject(rules) || !Object.values(rules).every((n) => Number.isSafeInteger(n))) bad('rules', 'expected an object of rule id to count');
  if (typeof f['digest'] !== 'string') bad('digest', 'expected a string');
  const schedule = f['schedule'];
  if (!Array.isArray(schedule)) return bad('schedule', 'expected an array of lane numbers');
  const i = schedule.findIndex((d) => !(Number.isSafeInteger(d) && (d as number) >= 0));
  if (i >= 0) bad(`schedule[${i}]`, `expected a non-negative integer, got ${JSON.stringify(schedule[i])}`);
  const original = f['originalSchedule'];
  if (original !== undefined) {
    if (!Array.isArray(original)) return bad('originalSchedule', 'expected an array of lane numbers');
    const j = original.findIndex((d) => !(Number.isSafeInteger(d) && (d as number) >= 0));
    if (j >= 0) bad(`originalSchedule[${j}]`, `expected a non-negative integer, got ${JSON.stringify(original[j])}`);
  }
  return f as unknown as FailureFile;
}

/** A failure file as a RunPlan ready for runOnce: the scenario compiled, every setting applied, the schedule forced. */
export async function loadFailureFile(path: string): Promise<{ plan: RunPlan; file: FailureFile }> {
  const file = readFailureFile(path);
  let plan: RunPlan;
  try {
    plan = await compileScenario(file.scenario.json, file.scenario.source, file.scenario.dir, { seed: file.seed, cpus: file.cpus });
  } catch (err) {
    if (err instanceof BadInput) throw new BadInput(path, `scenario.json${err.field ? `.${err.field}` : ''}`, err.problem);
    throw err;
  }
  applySettings(plan, { ...file, switchEvery: file.switchEvery ?? 1 });
  plan.schedule = [...file.schedule];
  return { plan, file };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

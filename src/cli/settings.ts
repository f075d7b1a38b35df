/**
 * The Command objects of `run`, `stress`, `replay`, `export`, `timeline`, `mutants` and `lesson`, built from
 * their flags and, where a command reads one, the EPOCHLAB_* variable
 * standing in for a flag (src/cli/env.ts). Every value is checked here; a
 * mistake names the flag or the variable it came from.
 */
import type { Command } from './command.js';
import type { Sources } from './env.js';
import { PROFILE_NAMES } from '../runtime/profile.js';
import { STRATEGY_NAMES } from '../sched/strategy.js';
import { MUTANT_NAMES } from '../contract/mutants.js';
import { bad, durationMs, laneList, nonEmpty, nonNegativeInt, oneOf, positiveInt, ruleIds, shardOf } from './values.js';

type Of<K extends Command['kind']> = Extract<Command, { kind: K }>;

const choice = <T extends string>(allowed: readonly T[]) => (name: string, text: string): T => oneOf(name, text, allowed);

const MODES = ['free', 'controlled'] as const;

/** The settings run and stress share, with their command's defaults. */
function scheduling(src: Sources, pctSteps: number) {
  return {
    pctDepth: src.value('pct-depth', positiveInt, 3),
    pctSteps: src.value('pct-steps', positiveInt, pctSteps),
    switchEvery: src.value('switch-every', positiveInt, 1),
    mutant: src.value('mutant', choice(MUTANT_NAMES), null),
    profile: src.value('profile', choice(PROFILE_NAMES), 'documented'),
  };
}

export function runOf(scenario: string, src: Sources): Of<'run'> {
  const cmd: Of<'run'> = {
    kind: 'run', scenario, json: src.switch('json'), noTrace: src.switch('no-trace'), check: !src.switch('no-check'),
    mode: src.value('mode', choice(MODES), 'free'),
    strategy: src.value('strategy', choice(STRATEGY_NAMES), 'random'),
    checkDeterminism: src.switch('check-determinism'),
    ...scheduling(src, 20_000),
  };
  if (cmd.checkDeterminism && cmd.mode !== 'controlled') bad('--check-determinism', 'needs --mode controlled');
  const cpus = src.value('cpus', positiveInt, undefined);
  const seed = src.value('seed', nonNegativeInt, undefined);
  const trace = src.value('trace', nonEmpty, undefined);
  const perfetto = src.value('perfetto', nonEmpty, undefined);
  const html = src.value('html', nonEmpty, undefined);
  const duration = src.value('duration', durationMs, undefined);
  if (cpus !== undefined) cmd.cpus = cpus;
  if (seed !== undefined) cmd.seed = seed;
  if (trace !== undefined) cmd.trace = trace;
  if (perfetto !== undefined) cmd.perfetto = perfetto;
  if (perfetto !== undefined && cmd.checkDeterminism) bad('--perfetto', 'cannot be used with --check-determinism');
  if (html !== undefined) cmd.html = html;
  if (duration !== undefined) cmd.duration = duration;
  if (cmd.trace !== undefined && cmd.noTrace) bad('--trace', 'cannot be used with --no-trace');
  return cmd;
}

/**
 * --runs or --time. A flag of either kind wins over both variables
 * (EPOCHLAB_RUNS, EPOCHLAB_TIME); given both ways at once, it is bad input.
 */
function runLength(src: Sources): { runs: number | null; timeMs: number | null } {
  const byFlag = src.flag('runs') !== undefined || src.flag('time') !== undefined;
  const runs = byFlag ? src.flag('runs') : src.get('runs');
  const time = byFlag ? src.flag('time') : src.get('time');
  if (runs !== undefined && time !== undefined) bad(time.name, `cannot be used with ${runs.name}`);
  if (time === undefined) return { runs: runs === undefined ? 100 : positiveInt(runs.name, runs.text), timeMs: null };
  const timeMs = durationMs(time.name, time.text);
  if (timeMs <= 0) bad(time.name, 'must be more than 0');
  return { runs: null, timeMs };
}

export function stressOf(scenario: string, src: Sources): Of<'stress'> {
  const cmd: Of<'stress'> = {
    kind: 'stress', scenario,
    ...runLength(src),
    strategy: src.value('strategy', choice([...STRATEGY_NAMES, 'dfs'] as const), 'pct'),
    preemptionBound: src.value('preemption-bound', nonNegativeInt, 1),
    ...scheduling(src, 3000),
    seedStart: src.value('seed-start', nonNegativeInt, 1),
    ...src.value('shard', shardOf, { shard: 1, shards: 1 }),
    mode: src.value('mode', choice(MODES), 'controlled'),
    json: src.switch('json'),
    rules: src.value('rule', ruleIds, null),
    noShrink: src.switch('no-shrink'),
    noSwarm: src.switch('no-swarm'),
    pinned: ['strategy', 'pct-depth', 'pct-steps', 'switch-every'].some((f) => src.get(f) !== undefined),
  };
  const junit = src.value('junit', nonEmpty, undefined);
  const out = src.value('out', nonEmpty, undefined);
  const html = src.value('html', nonEmpty, undefined);
  if (junit !== undefined) cmd.junit = junit;
  if (out !== undefined) cmd.out = out;
  if (html !== undefined) cmd.html = html;
  return cmd;
}

export function replayOf(file: string, src: Sources): Of<'replay'> {
  const cmd: Of<'replay'> = { kind: 'replay', file, json: src.switch('json') };
  const trace = src.value('trace', nonEmpty, undefined);
  const perfetto = src.value('perfetto', nonEmpty, undefined);
  const html = src.value('html', nonEmpty, undefined);
  if (trace !== undefined) cmd.trace = trace;
  if (perfetto !== undefined) cmd.perfetto = perfetto;
  if (html !== undefined) cmd.html = html;
  return cmd;
}

export function exportOf(file: string, src: Sources): Of<'export'> {
  const perfetto = src.value('perfetto', nonEmpty, undefined);
  if (perfetto === undefined) bad('--perfetto', 'export needs --perfetto OUT.json (the file to write)');
  return { kind: 'export', file, perfetto: perfetto!, json: src.switch('json') };
}

export function timelineOf(file: string, src: Sources): Of<'timeline'> {
  const cmd: Of<'timeline'> = { kind: 'timeline', file, lanes: src.value('cpus', laneList, null), json: src.switch('json') };
  const from = src.value('from', nonNegativeInt, undefined);
  const to = src.value('to', nonNegativeInt, undefined);
  if (from !== undefined && to !== undefined && from > to) bad('--from', `must be at most --to (${from} > ${to})`);
  if (from !== undefined) cmd.from = from;
  if (to !== undefined) cmd.to = to;
  return cmd;
}

export function viewOf(file: string, src: Sources): Of<'view'> {
  const out = src.value('out', nonEmpty, undefined);
  return out !== undefined ? { kind: 'view', file, out, json: src.switch('json') } : { kind: 'view', file, json: src.switch('json') };
}

export function mutantsOf(src: Sources): Of<'mutants'> {
  const runs = src.value('runs', positiveInt, null);
  return { kind: 'mutants', json: src.switch('json'), runsGiven: runs !== null, runs: runs ?? 0, scenario: src.value('scenario', nonEmpty, null) };
}

/** `lesson list` or `lesson NAME`; the name itself is checked when the lesson is looked up. */
export function lessonOf(name: string, src: Sources): Of<'lesson'> {
  const cmd: Of<'lesson'> = { kind: 'lesson', name, json: src.switch('json'), answer: src.switch('answer') };
  if (name === 'list' && cmd.answer) bad('--answer', 'not valid with lesson list (it goes with lesson NAME)');
  const html = src.value('html', nonEmpty, undefined);
  if (html !== undefined && name === 'list') bad('--html', 'not valid with lesson list (it goes with lesson NAME)');
  if (html !== undefined) cmd.html = html;
  return cmd;
}

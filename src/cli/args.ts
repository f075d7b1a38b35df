/**
 * Command-line parsing for `epochlab` (node:util parseArgs). Errors are
 * BadInput with FILE = `epochlab`, e.g.
 * `epochlab: --cpus: expected a positive integer, got "x"`.
 */
import { parseArgs } from 'node:util';
import { BadInput } from '../scenario/bad-input.js';
import { PROFILE_NAMES, ProfileName } from '../runtime/profile.js';
import { STRATEGY_NAMES, StrategyName } from '../sched/strategy.js';
import { MUTANT_NAMES, MutantName } from '../contract/mutants.js';
import { RULES } from '../contract/rules.js';

export type Command =
  | {
    kind: 'run'; scenario: string; cpus?: number; seed?: number; trace?: string;
    json: boolean; noTrace: boolean; duration?: number /* ms */;
    profile: ProfileName; check: boolean;
    mode: 'free' | 'controlled'; strategy: StrategyName; checkDeterminism: boolean; mutant: MutantName | null;
    pctDepth: number; pctSteps: number; switchEvery: number;
  }
  | { kind: 'scenarios' }
  | { kind: 'rules'; json: boolean }
  | { kind: 'contract-diff'; json: boolean }
  | {
    kind: 'stress'; scenario: string; runs: number | null; timeMs: number | null;
    strategy: StrategyName | 'dfs'; pctDepth: number; pctSteps: number; switchEvery: number; seedStart: number; shard: number; shards: number;
    /** dfs: most preemptions per schedule. */
    preemptionBound: number;
    mode: 'free' | 'controlled'; mutant: MutantName | null; profile: ProfileName; junit?: string; out?: string; json: boolean;
    /** Stop only when one of these rules fires (null: any violation). */
    rules: string[] | null;
    noShrink: boolean;
  }
  | { kind: 'replay'; file: string; trace?: string; json: boolean }
  | { kind: 'mutants'; json: boolean; runs: number; runsGiven: boolean }
  | { kind: 'help' };

const OPTIONS = {
  cpus: { type: 'string' },
  seed: { type: 'string' },
  trace: { type: 'string' },
  json: { type: 'boolean' },
  'no-trace': { type: 'boolean' },
  duration: { type: 'string' },
  profile: { type: 'string' },
  'no-check': { type: 'boolean' },
  mode: { type: 'string' },
  strategy: { type: 'string' },
  'check-determinism': { type: 'boolean' },
  mutant: { type: 'string' },
  runs: { type: 'string' },
  time: { type: 'string' },
  'pct-depth': { type: 'string' },
  'pct-steps': { type: 'string' },
  'switch-every': { type: 'string' },
  'seed-start': { type: 'string' },
  shard: { type: 'string' },
  junit: { type: 'string' },
  out: { type: 'string' },
  rule: { type: 'string' },
  'preemption-bound': { type: 'string' },
  'no-shrink': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options each command accepts (for the "only valid with" message). */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  run: ['cpus', 'seed', 'trace', 'json', 'no-trace', 'duration', 'profile', 'no-check', 'mode', 'strategy', 'check-determinism', 'mutant',
    'pct-depth', 'pct-steps', 'switch-every'],
  rules: ['json'],
  'contract-diff': ['json'],
  stress: ['runs', 'time', 'strategy', 'pct-depth', 'pct-steps', 'switch-every', 'seed-start', 'shard', 'mode', 'mutant', 'profile', 'junit', 'out', 'json', 'rule', 'no-shrink', 'preemption-bound'],
  replay: ['trace', 'json'],
  mutants: ['json', 'runs'],
};

type Values = ReturnType<typeof parse>['values'];

const bad = (field: string | null, problem: string): never => { throw new BadInput('epochlab', field, problem); };

/** Parses process.argv.slice(2). */
export function parseCli(argv: string[]): Command {
  const { values, positionals } = parse(argv);
  if (values.help) return { kind: 'help' };
  const [command, ...rest] = positionals;
  switch (command) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'scenarios':
      rejectExtras(rest, values, []);
      return { kind: 'scenarios' };
    case 'rules':
      rejectExtras(rest, values, ['json']);
      return { kind: 'rules', json: values.json ?? false };
    case 'contract-diff':
      rejectExtras(rest, values, ['json']);
      return { kind: 'contract-diff', json: values.json ?? false };
    case 'run':
      rejectExtras(rest.slice(1), values, COMMAND_OPTIONS['run']!);
      return runCommand(rest[0] ?? 'default', values);
    case 'stress':
      if (rest[0] === undefined) bad(null, 'stress needs a SCENARIO (a built-in name or a .json file)');
      rejectExtras(rest.slice(1), values, COMMAND_OPTIONS['stress']!);
      return stressCommand(rest[0]!, values);
    case 'replay':
      if (rest[0] === undefined) bad(null, 'replay needs a FILE (an epochlab-failure-*.json file)');
      rejectExtras(rest.slice(1), values, COMMAND_OPTIONS['replay']!);
      return values.trace !== undefined
        ? { kind: 'replay', file: rest[0]!, trace: nonEmpty('--trace', values.trace), json: values.json ?? false }
        : { kind: 'replay', file: rest[0]!, json: values.json ?? false };
    case 'mutants':
      rejectExtras(rest, values, COMMAND_OPTIONS['mutants']!);
      return {
        kind: 'mutants', json: values.json ?? false, runsGiven: values.runs !== undefined,
        runs: values.runs === undefined ? 0 : positiveInt('--runs', values.runs),
      };
    default:
      return bad(null, `unknown command ${JSON.stringify(command)} (try: epochlab help)`);
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return bad(null, parseErrorText(err as Error & { code?: string }));
  }
}

function parseErrorText(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `${option}: unknown option (try: epochlab help)`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return `${option}: ${err.message.includes('does not take') ? 'takes no value' : 'expected a value'}`;
  }
  return err.message.split(/\.\s|\n/)[0] ?? err.message;
}

function rejectExtras(extra: string[], values: Values, allowed: readonly string[]): void {
  if (extra.length > 0) bad(null, `unexpected argument ${JSON.stringify(extra[0])}`);
  const stray = Object.keys(values).find((name) => !allowed.includes(name));
  if (stray === undefined) return;
  const commands = Object.keys(COMMAND_OPTIONS).filter((c) => COMMAND_OPTIONS[c]!.includes(stray));
  bad(`--${stray}`, `only valid with ${commands.map((c) => JSON.stringify(c)).join(', ')}`);
}

function stressCommand(scenario: string, values: Values): Command {
  if (values.runs !== undefined && values.time !== undefined) bad('--time', 'cannot be used with --runs');
  const cmd: Command = {
    kind: 'stress', scenario,
    runs: values.time !== undefined ? null : values.runs === undefined ? 100 : positiveInt('--runs', values.runs),
    timeMs: values.time === undefined ? null : durationMs('--time', values.time),
    strategy: oneOf('--strategy', values.strategy, [...STRATEGY_NAMES, 'dfs'] as const, 'pct'),
    preemptionBound: values['preemption-bound'] === undefined ? 1 : nonNegativeInt('--preemption-bound', values['preemption-bound']),
    pctDepth: values['pct-depth'] === undefined ? 3 : positiveInt('--pct-depth', values['pct-depth']),
    pctSteps: values['pct-steps'] === undefined ? 3000 : positiveInt('--pct-steps', values['pct-steps']),
    switchEvery: values['switch-every'] === undefined ? 1 : positiveInt('--switch-every', values['switch-every']),
    seedStart: values['seed-start'] === undefined ? 1 : nonNegativeInt('--seed-start', values['seed-start']),
    ...shardOf(values.shard),
    mode: oneOf('--mode', values.mode, ['free', 'controlled'] as const, 'controlled'),
    mutant: values.mutant === undefined ? null : oneOf('--mutant', values.mutant, MUTANT_NAMES, MUTANT_NAMES[0]),
    profile: profileName(values.profile),
    json: values.json ?? false,
    rules: values.rule === undefined ? null : ruleIds(values.rule),
    noShrink: values['no-shrink'] ?? false,
  };
  if (cmd.timeMs !== null && cmd.timeMs <= 0) bad('--time', 'must be more than 0');
  if (values.junit !== undefined) cmd.junit = nonEmpty('--junit', values.junit);
  if (values.out !== undefined) cmd.out = nonEmpty('--out', values.out);
  return cmd;
}

/** `--rule a,b`: rule ids from the catalog. */
function ruleIds(text: string): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = ids.find((id) => !RULES.some((r) => r.id === id));
  if (ids.length === 0 || unknown !== undefined) bad('--rule', `expected rule ids from "epochlab rules", got ${JSON.stringify(unknown ?? text)}`);
  return ids;
}

/** `--shard i/n`: 1 <= i <= n. */
function shardOf(text: string | undefined): { shard: number; shards: number } {
  if (text === undefined) return { shard: 1, shards: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = Number(m?.[1]);
  const shards = Number(m?.[2]);
  if (!m || !(shards >= 1 && shard >= 1 && shard <= shards)) bad('--shard', `expected i/n with 1 <= i <= n, got ${JSON.stringify(text)}`);
  return { shard, shards };
}

function runCommand(scenario: string, values: Values): Command {
  const cmd: Command = {
    kind: 'run', scenario, json: values.json ?? false, noTrace: values['no-trace'] ?? false,
    profile: profileName(values.profile), check: !(values['no-check'] ?? false),
    mode: oneOf('--mode', values.mode, ['free', 'controlled'] as const, 'free'),
    strategy: oneOf('--strategy', values.strategy, STRATEGY_NAMES, 'random'),
    checkDeterminism: values['check-determinism'] ?? false,
    mutant: values.mutant === undefined ? null : oneOf('--mutant', values.mutant, MUTANT_NAMES, MUTANT_NAMES[0]),
    pctDepth: values['pct-depth'] === undefined ? 3 : positiveInt('--pct-depth', values['pct-depth']),
    pctSteps: values['pct-steps'] === undefined ? 20_000 : positiveInt('--pct-steps', values['pct-steps']),
    switchEvery: values['switch-every'] === undefined ? 1 : positiveInt('--switch-every', values['switch-every']),
  };
  if (cmd.checkDeterminism && cmd.mode !== 'controlled') bad('--check-determinism', 'needs --mode controlled');
  if (values.cpus !== undefined) cmd.cpus = positiveInt('--cpus', values.cpus);
  if (values.seed !== undefined) cmd.seed = nonNegativeInt('--seed', values.seed);
  if (values.trace !== undefined) cmd.trace = nonEmpty('--trace', values.trace);
  if (values.duration !== undefined) cmd.duration = durationMs('--duration', values.duration);
  if (cmd.trace !== undefined && cmd.noTrace) bad('--trace', 'cannot be used with --no-trace');
  return cmd;
}

function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  const found = allowed.find((a) => a === text);
  return found ?? bad(flag, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
}

function profileName(text: string | undefined): ProfileName {
  if (text === undefined) return 'documented';
  const found = PROFILE_NAMES.find((p) => p === text);
  return found ?? bad('--profile', `expected one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(text)}`);
}

function positiveInt(flag: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : bad(flag, `expected a positive integer, got ${JSON.stringify(text)}`);
}

function nonNegativeInt(flag: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? n : bad(flag, `expected a non-negative integer, got ${JSON.stringify(text)}`);
}

function nonEmpty(flag: string, text: string): string {
  return text !== '' ? text : bad(flag, 'expected a file name');
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `10s`, `500ms`, `2m`, or a bare number of milliseconds. */
export function durationMs(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return bad(flag, `expected a duration like 10s, 500ms, 2m or N (ms), got ${JSON.stringify(text)}`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!);
}

/**
 * Command-line parsing for `epochlab` (node:util parseArgs). Each command
 * accepts the options src/cli/docs.ts lists for it; some settings also come
 * from environment variables (src/cli/env.ts). Errors are BadInput with
 * FILE = `epochlab`, e.g. `epochlab: --cpus: expected a positive integer, got "x"`.
 */
import { parseArgs } from 'node:util';
import { COMMAND_DOCS, docOf } from './docs.js';
import { Sources, type Env } from './env.js';
import { bad } from './values.js';
import { exportOf, lessonOf, mutantsOf, replayOf, runOf, stressOf, timelineOf, viewOf } from './settings.js';
import { benchOf } from './bench-settings.js';
import type { Command } from './command.js';

export type { Command } from './command.js';

const OPTIONS = {
  cpus: { type: 'string' },
  seed: { type: 'string' },
  trace: { type: 'string' },
  perfetto: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
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
  scenario: { type: 'string' },
  time: { type: 'string' },
  'pct-depth': { type: 'string' },
  'pct-steps': { type: 'string' },
  'switch-every': { type: 'string' },
  'seed-start': { type: 'string' },
  shard: { type: 'string' },
  junit: { type: 'string' },
  out: { type: 'string', short: 'o' },
  html: { type: 'string' },
  rule: { type: 'string' },
  'preemption-bound': { type: 'string' },
  'no-shrink': { type: 'boolean' },
  'no-swarm': { type: 'boolean' },
  answer: { type: 'boolean' },
  reps: { type: 'string' },
  only: { type: 'string' },
  capacity: { type: 'string' },
  csv: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** The options each command accepts (for the "only valid with" message). */
const COMMAND_OPTIONS: Record<string, readonly string[]> = Object.fromEntries(COMMAND_DOCS.map((d) => [d.name, d.options.map((o) => o.name)]));

type Values = ReturnType<typeof parse>['values'];

/** Parses process.argv.slice(2); `env` holds the EPOCHLAB_* settings (main passes process.env). */
export function parseCli(argv: string[], env: Env = {}): Command {
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.version) return { kind: 'version' };
  if (values.help) return helpOf(command, []);
  if (command === undefined || command === 'help') return helpOf(rest[0], rest.slice(1));
  const src = new Sources(command, values, env);
  switch (command) {
    case 'scenarios':
    case 'rules':
    case 'contract-diff':
      rejectExtras(command, rest, values);
      return { kind: command, json: src.switch('json') };
    case 'run':
      rejectExtras(command, rest.slice(1), values);
      return runOf(rest[0] ?? 'default', src);
    case 'stress':
      if (rest[0] === undefined) bad(null, 'stress needs a SCENARIO (a built-in name or a .json file)');
      rejectExtras(command, rest.slice(1), values);
      return stressOf(rest[0]!, src);
    case 'replay':
      if (rest[0] === undefined) bad(null, 'replay needs a FILE (an epochlab-failure-*.json file)');
      rejectExtras(command, rest.slice(1), values);
      return replayOf(rest[0]!, src);
    case 'export':
    case 'timeline':
      if (rest[0] === undefined) bad(null, `${command} needs a TRACE (a JSON Lines file written by run --trace)`);
      rejectExtras(command, rest.slice(1), values);
      return command === 'export' ? exportOf(rest[0]!, src) : timelineOf(rest[0]!, src);
    case 'view':
      if (rest[0] === undefined) bad(null, 'view needs a TRACE (a JSON Lines file from run --trace)');
      rejectExtras(command, rest.slice(1), values);
      return viewOf(rest[0]!, src);
    case 'bench':
      rejectExtras(command, rest, values);
      return benchOf(src);
    case 'mutants':
      rejectExtras(command, rest, values);
      return mutantsOf(src);
    case 'lesson':
      if (rest[0] === undefined) bad(null, 'lesson needs a NAME, or list for the lessons (epochlab lesson list)');
      rejectExtras(command, rest.slice(1), values);
      return lessonOf(rest[0]!, src);
    default:
      return unknownCommand(command);
  }
}

const unknownCommand = (command: string): never => bad(null, `unknown command ${JSON.stringify(command)} (try: epochlab help)`);

/** `epochlab help [COMMAND]`, `epochlab [COMMAND] --help`. */
function helpOf(command: string | undefined, extra: string[]): Command {
  if (extra.length > 0) bad(null, `unexpected argument ${JSON.stringify(extra[0])}`);
  if (command === undefined || command === 'help') return { kind: 'help' };
  return docOf(command) ? { kind: 'help', command } : unknownCommand(command);
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

function rejectExtras(command: string, extra: string[], values: Values): void {
  if (extra.length > 0) bad(null, `unexpected argument ${JSON.stringify(extra[0])}`);
  const allowed = COMMAND_OPTIONS[command] ?? [];
  const stray = Object.keys(values).find((name) => !allowed.includes(name));
  if (stray === undefined) return;
  const commands = Object.keys(COMMAND_OPTIONS).filter((c) => COMMAND_OPTIONS[c]!.includes(stray));
  bad(`--${stray}`, `only valid with ${commands.map((c) => JSON.stringify(c)).join(', ')}`);
}

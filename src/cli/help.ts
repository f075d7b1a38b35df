/**
 * The help texts: `epochlab --help` (the commands, the global options, the
 * environment, exit codes) and `epochlab COMMAND --help` (its usage, every
 * option with its meaning and default, the variables it reads, an example),
 * both built from src/cli/docs.ts and src/cli/env.ts.
 */
import { COMMAND_DOCS, type CommandDoc, type OptionDoc } from './docs.js';
import { ENV_VARS, variablesOf, type EnvVar } from './env.js';
import { VERSION } from '../api/version.js';

const LONG_RUNS = ['run', 'stress', 'mutants', 'contract-diff'];

const flagText = (o: OptionDoc): string => `--${o.name}${o.value ? ` ${o.value}` : ''}`;

/** Two columns: the left padded to the widest cell (within reason). */
function columns(rows: Array<[string, string]>): string[] {
  const width = Math.min(24, Math.max(...rows.map(([l]) => l.length)));
  return rows.map(([l, r]) => `  ${l.length > width ? `${l}\n  ${' '.repeat(width)}` : l.padEnd(width)}  ${r}`);
}

const optionRows = (options: OptionDoc[]): Array<[string, string]> =>
  options.map((o) => [flagText(o), o.default !== undefined ? `${o.meaning} (default: ${o.default})` : o.meaning]);

/** What a variable stands in for: `--seed (run), --seed-start (stress)`; for one command, just the flag. */
function standsFor(v: EnvVar, only?: string): string {
  if (only !== undefined) return `--${v.flags[only]}`;
  const byFlag = new Map<string, string[]>();
  for (const [command, flag] of Object.entries(v.flags)) byFlag.set(flag, [...(byFlag.get(flag) ?? []), command]);
  return [...byFlag].map(([flag, commands]) => `--${flag} (${commands.join(', ')})`).join(', ');
}

const ENV_NOTE = 'a flag wins over its variable; an empty variable counts as unset';

function environment(command?: string): string[] {
  const vars = command === undefined ? [...ENV_VARS] : variablesOf(command);
  if (vars.length === 0) return [];
  return ['', `environment (${ENV_NOTE}):`, ...columns(vars.map((v) => [`${v.name}=${v.value}`, `as ${standsFor(v, command)}`]))];
}

function progressNote(name: string): string[] {
  return LONG_RUNS.includes(name) ? ['', 'A live progress line goes to stderr when stderr is a terminal; none otherwise.'] : [];
}

/** `epochlab COMMAND --help`. */
export function commandHelp(doc: CommandDoc): string {
  return [
    `usage: epochlab ${doc.name}${doc.args ? ` ${doc.args}` : ''}${doc.options.length > 0 ? ' [options]' : ''}`,
    '',
    `${doc.summary[0]!.toUpperCase()}${doc.summary.slice(1)}.`,
    ...doc.about,
    ...(doc.options.length > 0 ? ['', 'options:', ...columns(optionRows(doc.options))] : []),
    ...environment(doc.name),
    ...progressNote(doc.name),
    '',
    'example:',
    `  ${doc.example}`,
  ].join('\n');
}

/** `epochlab --help`. */
export function overviewHelp(): string {
  return [
    `epochlab ${VERSION}: a multithreaded simulator of the eBPF for Windows custom map provider model`,
    '',
    'usage: epochlab COMMAND [ARGS] [options]',
    '',
    'commands:',
    ...columns(COMMAND_DOCS.map((d) => [`${d.name}${d.args ? ` ${d.args}` : ''}`, d.summary])),
    '',
    'options of every command:',
    ...columns([
      ['-h, --help', "the command's usage, options, defaults and environment variables"],
      ['-V, --version', 'print the version'],
      ['--json', 'one JSON document on stdout, nothing else there (every command but help)'],
    ]),
    ...environment(),
    '',
    `progress: ${LONG_RUNS.join(', ')} show a live progress line on stderr when it is a terminal.`,
    'exit codes: 0 clean, 1 a violation (or an aborted run, a mutant not detected), 2 bad input (one line on stderr).',
    '',
    "Run 'epochlab help COMMAND' or 'epochlab COMMAND --help' for a command's options.",
  ].join('\n');
}

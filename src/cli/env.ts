/**
 * CI settings from the environment: a variable stands in for a flag of some
 * commands (EPOCHLAB_SHARD for `stress --shard`), so a CI matrix can set
 * them once for every step. A flag wins over its variable; an empty variable
 * counts as unset; a bad value is a BadInput naming the variable:
 * `epochlab: EPOCHLAB_SHARD: expected i/n with 1 <= i <= n, got "x"`.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvVar {
  name: string;
  /** The flag (without dashes) it stands in for, by command. */
  flags: Readonly<Record<string, string>>;
  /** What a value looks like, for --help. */
  value: string;
}

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'EPOCHLAB_SEED', flags: { run: 'seed', stress: 'seed-start' }, value: 'N' },
  { name: 'EPOCHLAB_SHARD', flags: { stress: 'shard' }, value: 'i/n' },
  { name: 'EPOCHLAB_TIME', flags: { stress: 'time' }, value: '60s' },
  { name: 'EPOCHLAB_RUNS', flags: { stress: 'runs', mutants: 'runs' }, value: 'N' },
  { name: 'EPOCHLAB_PROFILE', flags: { run: 'profile', stress: 'profile' }, value: 'P' },
  { name: 'EPOCHLAB_STRATEGY', flags: { stress: 'strategy' }, value: 'S' },
  { name: 'EPOCHLAB_JUNIT', flags: { stress: 'junit' }, value: 'FILE' },
];

/** The variable that stands in for `flag` of `command`, if any. */
export const variableFor = (command: string, flag: string): EnvVar | undefined =>
  ENV_VARS.find((v) => v.flags[command] === flag);

/** The variables `command` reads. */
export const variablesOf = (command: string): EnvVar[] => ENV_VARS.filter((v) => v.flags[command] !== undefined);

/** A setting's text and the name it came under (`--seed` or `EPOCHLAB_SEED`), for error lines. */
export interface Given {
  name: string;
  text: string;
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** One command's settings: its flags first, then the variables standing in for them. */
export class Sources {
  constructor(private readonly command: string, private readonly values: Values, private readonly env: Env) {}

  /** The flag's text, if the flag was given. */
  flag(flag: string): Given | undefined {
    const text = this.values[flag];
    return typeof text === 'string' ? { name: `--${flag}`, text } : undefined;
  }

  /** The flag's text; else its variable's, when this command reads one and it is not empty. */
  get(flag: string): Given | undefined {
    const given = this.flag(flag);
    if (given !== undefined) return given;
    const v = variableFor(this.command, flag);
    const text = v === undefined ? undefined : this.env[v.name];
    return v !== undefined && text !== undefined && text !== '' ? { name: v.name, text } : undefined;
  }

  /** The setting checked by `check`, or `fallback` when neither the flag nor its variable is set. */
  value<T>(flag: string, check: (name: string, text: string) => T, fallback: T): T {
    const given = this.get(flag);
    return given === undefined ? fallback : check(given.name, given.text);
  }

  /** A boolean flag. */
  switch(flag: string): boolean {
    return this.values[flag] === true;
  }
}

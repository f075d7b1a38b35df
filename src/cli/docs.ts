/**
 * What each command takes, as data: its arguments, every option with one
 * line of meaning and its default, and one example. `epochlab COMMAND
 * --help` prints it (src/cli/help.ts), and the parser accepts exactly these
 * options per command (src/cli/args.ts), so the two cannot drift apart.
 */
import { PROFILE_NAMES } from '../runtime/profile.js';
import { MUTANT_NAMES } from '../contract/mutants.js';

export interface OptionDoc {
  /** The flag, without the dashes. */
  name: string;
  /** A placeholder for its value (N, FILE, 10s); none for a switch. */
  value?: string;
  meaning: string;
  /** The default as one would write it; none when the option is a switch that is off unless given. */
  default?: string;
}

export interface CommandDoc {
  name: string;
  /** The positional arguments, as in the usage line. */
  args: string;
  /** One line, for the overview. */
  summary: string;
  /** A few more lines, for the command's own help. */
  about: string[];
  options: OptionDoc[];
  example: string;
}

const PROFILES = PROFILE_NAMES.join('|');

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

const json = (what: string): OptionDoc => ({ name: 'json', meaning: `print ${what} as JSON instead of text` });
const profile: OptionDoc = { name: 'profile', value: 'P', meaning: `${PROFILES}: the documented contract, or the runtime as built`, default: 'documented' };
const mutant: OptionDoc = { name: 'mutant', value: 'NAME', meaning: 'switch one known bug into the runtime (names: epochlab help mutants)', default: 'none' };
const pctDepth: OptionDoc = { name: 'pct-depth', value: 'D', meaning: 'pct: the depth d (d-1 priority change points per run)', default: '3' };
const switchEvery: OptionDoc = { name: 'switch-every', value: 'N', meaning: 'random: keep the running lane for runs of about N steps', default: '1' };

const perfetto = (what: string): OptionDoc => ({
  name: 'perfetto', value: 'FILE', meaning: `write a Perfetto / Chrome trace of ${what} to FILE as it goes (open it in ui.perfetto.dev)`, default: 'none',
});

const RUN: CommandDoc = {
  name: 'run', args: '[SCENARIO]',
  summary: 'one run on real threads, the contract checker on: a summary, or the report as JSON',
  about: [
    'SCENARIO is a built-in name (epochlab scenarios) or a scenario .json file; default: default.',
    'Exit 0 when the run passed, 1 on a violation or a watchdog abort.',
  ],
  options: [
    { name: 'cpus', value: 'N', meaning: 'simulated CPUs', default: "the scenario's" },
    { name: 'seed', value: 'N', meaning: 'the seed of every random choice: workload streams, hash seeds, the schedule', default: "the scenario's" },
    { name: 'duration', value: '10s', meaning: 'how long a generated workload runs (free mode; a unit is required: 500ms, 10s, 2m)', default: "the scenario's" },
    { name: 'trace', value: 'FILE', meaning: 'write every event to FILE as JSON Lines', default: 'no trace file' },
    perfetto('the run'),
    { name: 'no-trace', meaning: 'no trace file (the default without --trace)' },
    { name: 'html', value: 'FILE', meaning: 'write the run\'s timeline page to FILE (one HTML file, no network; long runs are windowed)', default: 'no page' },
    { name: 'no-check', meaning: 'contract checker off; with no trace file no events are recorded (a throughput run)' },
    profile,
    { name: 'mode', value: 'M', meaning: 'free (the OS schedules the threads) or controlled (a seeded scheduler does)', default: 'free' },
    { name: 'strategy', value: 'S', meaning: 'controlled mode: random, round-robin or pct', default: 'random' },
    pctDepth,
    { name: 'pct-steps', value: 'K', meaning: 'pct: the step count k the change points fall in', default: '20000' },
    switchEvery,
    { name: 'check-determinism', meaning: 'controlled mode: run twice and compare the trace digests (exit 1 if they differ)' },
    mutant,
    json('the report'),
  ],
  example: 'epochlab run default --cpus 4 --seed 7 --duration 5s',
};

const STRESS: CommandDoc = {
  name: 'stress', args: 'SCENARIO',
  summary: 'runs over seeds until the first violation: shrunk, written to a failure file',
  about: [
    'One checked run per seed (a shard of a seed range) until one breaks a rule. That run is shrunk',
    '(controlled mode: the scenario, then the schedule) and written to a failure file for epochlab replay.',
    'In controlled mode each run is a swarm configuration of the scenario (its workload, op lists, faults and,',
    'unless given, the strategy vary; near misses steer the runs); a clean stress says what it explored and',
    'which bug classes could show at all. --no-swarm runs the scenario exactly as written.',
    'Exit 0 when every run was clean, 1 on a violation.',
  ],
  options: [
    { name: 'runs', value: 'N', meaning: 'runs to make (dfs: schedules to explore at most)', default: '100' },
    { name: 'time', value: '60s', meaning: 'run until this much time has passed instead (a unit is required)', default: 'none' },
    { name: 'strategy', value: 'S', meaning: 'random, round-robin, pct, or dfs (every schedule within a preemption bound)', default: 'pct' },
    pctDepth,
    { name: 'pct-steps', value: 'K', meaning: 'pct: the step count k the change points fall in', default: '3000' },
    switchEvery,
    { name: 'preemption-bound', value: 'B', meaning: 'dfs: most preemptions per schedule', default: '1' },
    { name: 'seed-start', value: 'S', meaning: 'the first seed (dfs: the only one)', default: '1' },
    { name: 'shard', value: 'i/n', meaning: 'run the i-th of n disjoint slices of the seeds (one per CI machine)', default: '1/1' },
    { name: 'mode', value: 'M', meaning: 'controlled or free', default: 'controlled' },
    mutant,
    profile,
    { name: 'rule', value: 'a,b', meaning: 'stop only when one of these rules fires', default: 'any violation' },
    { name: 'no-shrink', meaning: 'write the failing run as found, without shrinking it' },
    { name: 'no-swarm', meaning: 'run the scenario exactly as written (default: each run varies the workload and the strategy, steered by near misses)' },
    { name: 'junit', value: 'FILE', meaning: 'also write a JUnit XML report', default: 'none' },
    { name: 'out', value: 'FILE', meaning: 'the failure file', default: 'epochlab-failure-SCENARIO-SEED.json' },
    { name: 'html', value: 'FILE', meaning: 'on a violation, write the failing run\'s timeline page (its failure file replayed) to FILE', default: 'no page' },
    json('the summary'),
  ],
  example: 'epochlab stress smoke --strategy random --switch-every 20 --time 30s --junit stress.xml',
};

const BENCH: CommandDoc = {
  name: 'bench', args: '',
  summary: "benchmarks: conc-map-bench's mixes against three baselines, reclamation latency, the checker's cost",
  about: [
    'ReadHeavy, Exchange and RapidGrow at each CPU count, user-mode calls and helper batches, tracing off, next to a',
    'single-threaded JS Map, the one-load lock-free floor and the same-shape floor, interleaved (A B A B) in one run;',
    'retire-to-free latency and garbage, steady and with one CPU stalled; the default scenario checked and unchecked;',
    'epoch enter+exit against two bare stores. Medians over the repetitions, with min..max. Numbers are never asserted.',
    'CSV, as conc-map-bench writes it: total_ops and spent (ns) of the median repetition, throughput in ops/s, latency in',
    'ns per op per thread (spent x threads / total_ops); ratio: throughput over the same-shape floor at the same mix and',
    'threads (checker rows, named default/...: over the unchecked run).',
  ],
  options: [
    { name: 'cpus', value: '1,2', meaning: 'the CPU (and floor thread) counts of the mixes', default: '1..the core count' },
    { name: 'duration', value: '750ms', meaning: 'how long each measurement runs (a unit is required)', default: '750ms' },
    { name: 'reps', value: 'N', meaning: 'repetitions of every measurement', default: '3' },
    { name: 'only', value: 'a,b', meaning: 'what to run: readheavy, exchange, rapidgrow, mixes (all three), reclaim, checker, micro', default: 'everything' },
    { name: 'capacity', value: 'N', meaning: 'keys of the mixes\' map, a power of two', default: '65536' },
    { name: 'seed', value: 'N', meaning: 'the seed of the op streams', default: '1' },
    { name: 'csv', value: 'FILE', meaning: 'write name,total_ops,threads,spent,throughput,latency,ratio rows to FILE', default: 'none' },
    { name: 'html', value: 'FILE', meaning: 'write throughput and latency plots per mix to FILE (one HTML file, no network)', default: 'none' },
    json('the whole result'),
  ],
  example: 'epochlab bench --cpus 1,2 --duration 500ms --reps 1 --only readheavy --csv bench.csv',
};

const REPLAY: CommandDoc = {
  name: 'replay', args: 'FILE',
  summary: 're-run a failure file exactly; exit 1 if the violation reproduced',
  about: ['FILE is a failure file written by epochlab stress. Its schedule is forced onto the run;',
    'the replay reports whether the same rules fired with the same trace digest.'],
  options: [
    { name: 'trace', value: 'FILE', meaning: 'write every event of the replay to FILE as JSON Lines', default: 'no trace file' },
    perfetto('the replay'),
    { name: 'html', value: 'FILE', meaning: 'write the replayed run\'s timeline page to FILE', default: 'no page' },
    json('the replay report'),
  ],
  example: 'epochlab replay epochlab-failure-smoke-1.json --trace replay.jsonl',
};

const EXPORT: CommandDoc = {
  name: 'export', args: 'TRACE',
  summary: 'a trace file (run --trace) as a Perfetto / Chrome trace for ui.perfetto.dev or chrome://tracing',
  about: ['One track per CPU and one for the epoch manager: operations, epochs, bucket-lock holds and callbacks',
    'as nested slices, an arrow from each retire to its free, counters for the published and released epochs',
    'and the retired blocks not yet freed, violations as instants. Controlled mode shows one decision as 1 µs.'],
  options: [
    { name: 'perfetto', value: 'OUT.json', meaning: 'the Trace Event Format JSON file to write (required)' },
    json('what was written'),
  ],
  example: 'epochlab export trace.jsonl --perfetto trace.perfetto.json',
};

const TIMELINE: CommandDoc = {
  name: 'timeline', args: 'TRACE',
  summary: 'a trace file as a terminal timeline: a column per CPU and the epoch manager, a row per event',
  about: ['Each row is an event: its seq, its time, and what happened, written in its lane\'s column;',
    'violations the contract checker finds on the trace get a row of their own. Colour only when stdout',
    'is a terminal and NO_COLOR is unset.'],
  options: [
    { name: 'from', value: 'SEQ', meaning: 'the first seq shown', default: 'the first event' },
    { name: 'to', value: 'SEQ', meaning: 'the last seq shown; the file is not read past it', default: 'the last event' },
    { name: 'cpus', value: '0,1,m', meaning: 'the lanes shown: CPU numbers, and m for the epoch manager', default: 'every lane' },
    json('the rows'),
  ],
  example: 'epochlab timeline trace.jsonl --from 40 --to 80 --cpus 0,m',
};

const VIEW: CommandDoc = {
  name: 'view', args: 'TRACE',
  summary: 'the timeline page of a JSON Lines trace file: one HTML file that opens with no network',
  about: [
    'TRACE is a file written by run --trace or replay --trace. Its events go through the contract checker,',
    'and a long trace is windowed: the start, the events around the first violations and the end, with',
    'the page saying what it left out. Exit 0 when the page was written.',
  ],
  options: [
    { name: 'out', value: 'FILE', meaning: 'the page to write (also -o)', default: 'TRACE with .html for .jsonl' },
    json('what the page holds'),
  ],
  example: 'epochlab view smoke.jsonl -o smoke.html',
};

const MUTANTS: CommandDoc = {
  name: 'mutants', args: '',
  summary: 'plant each known bug, hunt it and shrink it: a table of what was detected',
  about: ['Each mutant is hunted with its own plan (src/hunt/mutant-hunts.ts) over seeds 1..N.',
    'Exit 0 when every mutant was detected, 1 otherwise. The mutants (for --mutant of run and stress):',
    ...wrap(MUTANT_NAMES.join(', '), 96).map((l) => `  ${l}`)],
  options: [
    { name: 'scenario', value: 'S', meaning: 'first hunt every mutant on this scenario (a name or a .json file) with plain stress settings, no hunt plan', default: 'none' },
    { name: 'runs', value: 'N', meaning: 'seeds to try per mutant', default: "3000 on --scenario; each hunt's own budget" },
    json('the results'),
  ],
  example: 'epochlab mutants --scenario default',
};

const CONTRACT_DIFF: CommandDoc = {
  name: 'contract-diff', args: '',
  summary: 'every built-in scenario under both profiles: where the runtime as built departs from its contract',
  about: ['A table of (rule, scenario) rows with the documented sentence, what the runtime did, and evidence.',
    'Exit 0 unless something crashed: the table is the output.'],
  options: [json('the rows and the runs')],
  example: 'epochlab contract-diff --json',
};

const LESSON: CommandDoc = {
  name: 'lesson', args: 'list | NAME',
  summary: 'narrated controlled runs for teaching epoch-based reclamation: the list, or one lesson',
  about: [
    'lesson list prints each lesson with its title. lesson NAME runs the lesson in controlled mode on its fixed',
    'schedule, as it is and broken (a mutant, or the runtime as built), and prints each step of the narration',
    'under the event it is pinned to, then the question. Exit 0 once the lesson has run: the broken run\'s',
    'violation is part of the lesson.',
  ],
  options: [
    { name: 'answer', meaning: 'also print the answer to the question, read off the run' },
    { name: 'html', value: 'FILE', meaning: 'also write the lesson\'s timeline page to FILE: narration, the break-it toggle, the question', default: 'no page' },
    json('the list, or the lesson document (narration, question, answer, both traces)'),
  ],
  example: 'epochlab lesson why-epochs --html why-epochs.html',
};

const SCENARIOS: CommandDoc = {
  name: 'scenarios', args: '', summary: 'list the built-in scenarios', about: [],
  options: [json('the scenarios, each with its scenario object')],
  example: 'epochlab scenarios --json',
};

const RULES_DOC: CommandDoc = {
  name: 'rules', args: '', summary: 'list the contract rules the checker enforces', about: [],
  options: [json('the rule catalog')],
  example: 'epochlab rules --json',
};

const HELP: CommandDoc = {
  name: 'help', args: '[COMMAND]', summary: "this overview, or one command's usage, options and environment", about: [],
  options: [], example: 'epochlab help stress',
};

export const COMMAND_DOCS: readonly CommandDoc[] = [RUN, SCENARIOS, RULES_DOC, CONTRACT_DIFF, STRESS, BENCH, REPLAY, EXPORT, TIMELINE, VIEW, MUTANTS, LESSON, HELP];

export const docOf = (command: string): CommandDoc | undefined => COMMAND_DOCS.find((d) => d.name === command);

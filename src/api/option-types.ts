/**
 * The options of run, stress, replay and mutants as plain interfaces: what a
 * script may pass. options.ts validates them with zod schemas and proves at
 * compile time that these interfaces and the schemas' input types are the
 * same, so the declarations a library user compiles against need no zod
 * (whose own declarations want the DOM or Node's `URL`).
 *
 * Every field is optional; the defaults are the command line's.
 */
import type { PartName } from '../bench/parts.js';
import type { ProfileName } from '../runtime/profile.js';
import type { StrategyName } from '../sched/strategy.js';
import type { MutantName } from '../contract/mutants.js';

/** How a run is scheduled and what it runs against: shared by run and stress. */
interface SettingsOptions {
  /** Simulated CPUs, overriding the scenario (1 to 64). */
  cpus?: number;
  /** 'documented' (the default) or 'ebpf-for-windows' (the runtime as built). */
  profile?: ProfileName;
  /** PCT's depth d (default 3). */
  pctDepth?: number;
  /** random: the running lane keeps going for runs of about this many steps (default 1). */
  switchEvery?: number;
  /** A known bug switched into the runtime (default null: none). */
  mutant?: MutantName | null;
}

/** A duration: milliseconds, or a string with a unit such as '2s', '500ms' or '1m'. */
export type DurationInput = number | string;

/** The values of RunOptions (run.ts adds the progress callback). */
export interface RunOptionValues extends SettingsOptions {
  /** The seed of every random choice, overriding the scenario. */
  seed?: number;
  /** How long a generated workload runs. */
  duration?: DurationInput;
  /** 'free' (the default: the OS schedules the threads) or 'controlled'. */
  mode?: 'free' | 'controlled';
  /** Controlled mode's strategy (default 'random'). */
  strategy?: StrategyName;
  /** PCT's step count k (default 20,000: one long run). */
  pctSteps?: number;
  /** The contract checker (default on); off, with no trace file, is a throughput run. */
  check?: boolean;
  /** Write every event to this JSON Lines file. */
  trace?: string;
  /** Write a Perfetto / Chrome trace (Trace Event Format JSON) of the run to this file, while it runs. */
  perfetto?: string;
  /** Write the run's timeline page (one self-contained HTML file) here. */
  html?: string;
}

/** The values of StressOptions (stress.ts adds the progress callback). */
export interface StressOptionValues extends SettingsOptions {
  /** How many runs (seeds); give `runs` or `time`, not both. */
  runs?: number;
  /** How long to keep running seeds. */
  time?: DurationInput;
  /** 'controlled' (the default) or 'free'. */
  mode?: 'free' | 'controlled';
  /** Default 'pct'; 'dfs' explores every schedule of one seed within `preemptionBound`. */
  strategy?: StrategyName | 'dfs';
  /** PCT's step count k (default 3,000: many short runs). */
  pctSteps?: number;
  /** dfs: the most preemptions a schedule may have (default 1). */
  preemptionBound?: number;
  /** The first seed (default 1). */
  seedStart?: number;
  /** This shard of `shards` (default 1 of 1): the shards cover disjoint seeds. */
  shard?: number;
  shards?: number;
  /** Stop only when one of these rules fires (default null: any violation). */
  rules?: string[] | null;
  /** Shrink the failing run (default true). */
  shrink?: boolean;
  /**
   * Swarm testing (default true, controlled mode, not dfs): each run varies the workload (operation kinds, a hot key set,
   * budgets, batch sizes, stalls, late ticks) and, unless strategy, pctDepth, pctSteps or switchEvery is given,
   * the strategy; near misses steer the runs. false runs the scenario exactly as written.
   */
  swarm?: boolean;
  /** The failure file (default epochlab-failure-SCENARIO-SEED.json). */
  out?: string;
  /** Also write a JUnit XML report here. */
  junit?: string;
  /** On a violation, write the timeline page of the failing run (its failure file replayed) here. */
  html?: string;
}

export interface ReplayOptions {
  /** Write the replayed run's events to this JSON Lines file. */
  trace?: string;
  /** Write a Perfetto / Chrome trace (Trace Event Format JSON) of the replay to this file. */
  perfetto?: string;
  /** Write the replayed run's timeline page (one self-contained HTML file) here. */
  html?: string;
}

/** The values of MutantsOptions (mutants.ts adds the progress callback). */
export interface MutantsOptionValues {
  /** Seeds per mutant, overriding each hunt plan's budget. */
  runs?: number;
}

export interface ViewOptions {
  /** The page to write (default: the trace file's name with .html for .jsonl). */
  out?: string;
}

/** The values of BenchOptions (bench.ts adds the progress callback). */
export interface BenchOptionValues {
  /** The CPU (and floor thread) counts of the mixes (default: 1..the core count). */
  cpus?: number[];
  /** How long each measurement runs: milliseconds, or a string with its unit (default 750 ms; at least 50 ms). */
  duration?: number | string;
  /** Repetitions of every measurement (default 3). */
  reps?: number;
  /** What to run (default: everything). */
  only?: PartName[];
  /** Keys of the mixes' map, a power of two from 1024 to 1048576 (default 65536). */
  capacity?: number;
  /** The seed of the op streams (default 1). */
  seed?: number;
  /** Also write the CSV (conc-map-bench's columns and a ratio) here. */
  csv?: string;
  /** Also write the plots (one self-contained HTML file) here. */
  html?: string;
}


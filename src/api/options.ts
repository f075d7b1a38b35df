/**
 * The options of the programmatic API (run, stress, ...), as zod schemas
 * (option-types.ts has the same shapes as plain interfaces, for users).
 * A script's mistake is a BadInput naming the option, like a scenario
 * file's: `run options: cpus: expected an integer >= 1, got 0`. The command
 * line builds the same objects from its flags.
 */
import { z } from 'zod';
import { BadInput } from '../contract/bad-input.js';
import { describeIssue, type Holds, type Same } from '../scenario/schema.js';
import { PROFILE_NAMES } from '../runtime/profile.js';
import { STRATEGY_NAMES } from '../sched/strategy.js';
import { MUTANT_NAMES } from '../contract/mutants.js';
import { RULES } from '../contract/rules.js';
import { parseDuration } from './duration.js';
import type { BenchOptionValues, MutantsOptionValues, ReplayOptions, RunOptionValues, StressOptionValues, ViewOptions } from './option-types.js';
import { PART_NAMES } from '../bench/parts.js';

export { parseDuration } from './duration.js';

/** A duration: milliseconds as a number, or a string with its unit. */
const duration = z.union([z.number().min(0).max(86_400_000), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return Math.round(v);
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration with a unit, like 2s, 500ms or 1m, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

const positive = z.int().min(1);
const nonNegative = z.int().min(0);
const ruleId = z.string().refine((id) => RULES.some((r) => r.id === id), { message: 'expected a rule id from "epochlab rules"' });

/** How a run is scheduled and what it runs against: shared by run and stress. */
const settings = {
  cpus: positive.optional(),
  profile: z.enum(PROFILE_NAMES).default('documented'),
  pctDepth: positive.default(3),
  switchEvery: positive.default(1),
  mutant: z.enum(MUTANT_NAMES).nullable().default(null),
};

export const runOptionsSchema = z.strictObject({
  ...settings,
  seed: nonNegative.optional(),
  duration: duration.optional(),
  mode: z.enum(['free', 'controlled']).default('free'),
  strategy: z.enum(STRATEGY_NAMES).default('random'),
  /** PCT's step count k: one long run (stress uses many short ones, k = 3000). */
  pctSteps: positive.default(20_000),
  /** The contract checker (default on); off, with no trace file, is a throughput run. */
  check: z.boolean().default(true),
  /** Write every event to this JSON Lines file. */
  trace: z.string().min(1).optional(),
  /** Write a Perfetto / Chrome trace of the run to this file. */
  perfetto: z.string().min(1).optional(),
  /** Write the run's timeline page (one self-contained HTML file) here. */
  html: z.string().min(1).optional(),
});

export const stressOptionsSchema = z.strictObject({
  ...settings,
  runs: positive.optional(),
  time: duration.optional(),
  mode: z.enum(['free', 'controlled']).default('controlled'),
  strategy: z.enum([...STRATEGY_NAMES, 'dfs']).default('pct'),
  pctSteps: positive.default(3000),
  preemptionBound: nonNegative.default(1),
  seedStart: nonNegative.default(1),
  shard: positive.default(1),
  shards: positive.default(1),
  /** Stop only when one of these rules fires (default: any violation). */
  rules: z.array(ruleId).min(1).nullable().default(null),
  shrink: z.boolean().default(true),
  /** Swarm configurations with near-miss feedback (controlled mode, not dfs); false runs the scenario as written. */
  swarm: z.boolean().default(true),
  /** The failure file (default epochlab-failure-SCENARIO-SEED.json). */
  out: z.string().min(1).optional(),
  /** Also write a JUnit XML report here. */
  junit: z.string().min(1).optional(),
  /** On a violation, write the timeline page of the failing run (its failure file replayed) here. */
  html: z.string().min(1).optional(),
}).refine((o) => o.runs === undefined || o.time === undefined, { message: 'runs and time cannot both be given', path: ['time'] })
  .refine((o) => o.shard <= o.shards, { message: 'shard must be at most shards', path: ['shard'] });

export const replayOptionsSchema = z.strictObject({
  trace: z.string().min(1).optional(), perfetto: z.string().min(1).optional(), html: z.string().min(1).optional(),
});
export const mutantsOptionsSchema = z.strictObject({ runs: positive.optional() });
export const viewOptionsSchema = z.strictObject({ out: z.string().min(1).optional() });
export const benchOptionsSchema = z.strictObject({
  cpus: z.array(z.int().min(1).max(64)).min(1).optional(),
  duration: duration.refine((ms) => ms >= 50, { message: 'expected at least 50ms' }).default(750),
  reps: positive.default(3),
  only: z.array(z.enum(PART_NAMES)).min(1).optional(),
  capacity: z.int().min(1024).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, { message: 'expected a power of two' }).default(65_536),
  seed: nonNegative.default(1),
  csv: z.string().min(1).optional(),
  html: z.string().min(1).optional(),
});

/** Validates `input` against `schema`; a problem is one BadInput naming `what` and the option. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input ?? {}, { reportInput: true });
  if (r.success) return r.data;
  const { field, problem } = describeIssue(r.error.issues[0]!);
  throw new BadInput(what, field, problem);
}

/** A compile error unless the interfaces of option-types.ts are exactly the schemas' input types. */
export type OptionTypesAgree =
  | Holds<Same<RunOptionValues, z.input<typeof runOptionsSchema>>>
  | Holds<Same<StressOptionValues, z.input<typeof stressOptionsSchema>>>
  | Holds<Same<ReplayOptions, z.input<typeof replayOptionsSchema>>>
  | Holds<Same<MutantsOptionValues, z.input<typeof mutantsOptionsSchema>>>
  | Holds<Same<ViewOptions, z.input<typeof viewOptionsSchema>>>
  | Holds<Same<BenchOptionValues, z.input<typeof benchOptionsSchema>>>;

/** What the command line asked for: the result of parseCli (src/cli/args.ts). */
import type { ProfileName } from '../runtime/profile.js';
import type { StrategyName } from '../sched/strategy.js';
import type { MutantName } from '../contract/mutants.js';

export type Command =
  | {
    kind: 'run'; scenario: string; cpus?: number; seed?: number; trace?: string; perfetto?: string; html?: string;
    json: boolean; noTrace: boolean; duration?: number /* ms */;
    profile: ProfileName; check: boolean;
    mode: 'free' | 'controlled'; strategy: StrategyName; checkDeterminism: boolean; mutant: MutantName | null;
    pctDepth: number; pctSteps: number; switchEvery: number;
  }
  | { kind: 'scenarios'; json: boolean }
  | { kind: 'rules'; json: boolean }
  | { kind: 'contract-diff'; json: boolean }
  | {
    kind: 'stress'; scenario: string; runs: number | null; timeMs: number | null;
    strategy: StrategyName | 'dfs'; pctDepth: number; pctSteps: number; switchEvery: number; seedStart: number; shard: number; shards: number;
    /** dfs: most preemptions per schedule. */
    preemptionBound: number;
    mode: 'free' | 'controlled'; mutant: MutantName | null; profile: ProfileName; junit?: string; out?: string; html?: string; json: boolean;
    /** Stop only when one of these rules fires (null: any violation). */
    rules: string[] | null;
    noShrink: boolean;
    noSwarm: boolean;
    /** Whether --strategy, --pct-depth, --pct-steps or --switch-every was given (flag or variable): swarm keeps them. */
    pinned: boolean;
  }
  | {
    kind: 'bench'; cpus: number[]; durationMs: number; reps: number; log2Capacity: number; seed: number;
    mixes: Array<'ReadHeavy' | 'Exchange' | 'RapidGrow'>; sections: Array<'mixes' | 'reclaim' | 'checker' | 'micro'>;
    csv?: string; html?: string; json: boolean;
  }
  | { kind: 'replay'; file: string; trace?: string; perfetto?: string; html?: string; json: boolean }
  | { kind: 'export'; file: string; perfetto: string; json: boolean }
  /** `lanes`: CPU numbers, -1 for the epoch manager (`m`); null for every lane. */
  | { kind: 'timeline'; file: string; from?: number; to?: number; lanes: number[] | null; json: boolean }
  | { kind: 'view'; file: string; out?: string; json: boolean }
  | { kind: 'mutants'; json: boolean; runs: number; runsGiven: boolean; scenario: string | null }
  /** `lesson list`, or one lesson (`name`), with its answer when asked. */
  | { kind: 'lesson'; name: string; json: boolean; answer: boolean; html?: string }
  /** The overview, or one command's help. */
  | { kind: 'help'; command?: string }
  | { kind: 'version' };

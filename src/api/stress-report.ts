/** What `stress` returns (and `epochlab stress --json` prints). */
import type { ReportedViolation } from '../runtime/report.js';
import type { ViolationReport } from '../check/violation-report.js';
import type { PageReport } from './page.js';
import type { SwarmSummary } from '../hunt/swarm-stress.js';

export type { SwarmSummary } from '../hunt/swarm-stress.js';

/** What a failing run left: its rules, the report shown, the shrink, the failure file and the replay command. */
export interface StressViolation {
  seed: number;
  /** Rules the failing run broke, with counts. */
  rules: Record<string, number>;
  digest: string;
  scheduleLength: number;
  /** The violation report shown (the first of a targeted rule), or null when only end-of-run checks fired. */
  report: ViolationReport | null;
  /** The runtime's own records of the failing run (leaks, watchdog, and what it detected as it ran). */
  violations: ReportedViolation[];
  shrunk: {
    rule: string;
    scenario: { before: { cpus: number; ops: number }; after: { cpus: number; ops: number }; runs: number };
    calmer: { seed: number; switchEvery: number; preemptionsBefore: number; preemptionsAfter: number } | null;
    schedule: { before: { decisions: number; preemptions: number }; after: { decisions: number; preemptions: number }; runs: number };
    /** Whether the schedule itself was shrunk (else only the scenario). */
    scheduleShrunk: boolean;
    digest: string;
  } | false;
  failureFile: string;
  /** What the failure file holds: the schedule length and what replaying it gives. */
  fileScheduleLength: number;
  fileRules: Record<string, number>;
  fileDigest: string;
  replay: string;
  /** Swarm: the configuration of the failing run, in one line (null without swarm). */
  config: string | null;
}

export interface StressReport {
  scenario: string;
  runs: number;
  seeds: number[];
  shard: string;
  strategy: string;
  pctDepth: number;
  pctSteps: number;
  switchEvery: number;
  mode: string;
  profile: string;
  mutant: string | null;
  decisions: number;
  seconds: number;
  runsPerSec: number;
  stepsPerSec: number;
  /** dfs only: the preemption bound, and whether every schedule within it was run. */
  dfs?: { preemptionBound: number; explored: number; exhausted: boolean };
  violation: StressViolation | null;
  /**
   * Swarm (the default in controlled mode, not with dfs): configurations and distinct runs explored, near misses,
   * and for each bug class whether its window ever opened. null with `swarm: false`, free mode or dfs.
   */
  swarm: SwarmSummary | null;
  /** With `html`: the timeline page of the failing run, replayed from its failure file; null when nothing failed (or no `html`). */
  page: PageReport | null;
}

/**
 * The swarm lines of a stress summary: what was explored, how close the
 * runs came (near misses), and for each bug class whether its window
 * opened at all (src/hunt/confidence.ts).
 */
import type { SwarmSummary } from '../hunt/swarm-stress.js';
import { fmt } from './format.js';

const NEAR_MISS_TEXT: Record<string, string> = {
  retiredRead: 'reads of retired blocks',
  freeAfterRead: 'frees within one epoch of a read',
  lockHandoff: 'bucket locks handed between CPUs',
  keyOverlap: 'overlapping operations on one key (one writing)',
};

export function swarmLines(s: SwarmSummary, clean: boolean): string[] {
  const lines = [`swarm: ${fmt(s.configs)} configurations, ${fmt(s.schedules)} distinct runs`];
  const near = Object.entries(s.nearMisses).map(([k, n]) => `${fmt(n)} ${NEAR_MISS_TEXT[k] ?? k}`);
  lines.push(`near misses: ${near.join(', ')}`);
  if (s.best.length > 0) lines.push(`closest configuration: ${s.best[0]!.config} (${s.best[0]!.nearMissesPerRun.toFixed(1)} near misses per run over ${s.best[0]!.runs} runs)`);
  if (!clean) return lines;
  for (const c of s.reach) lines.push(`  ${c.reachable ? 'reachable  ' : 'unreachable'} ${c.name} (${c.mutants.join(', ')}): ${c.detail}`);
  return lines;
}

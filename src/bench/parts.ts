/**
 * The parts of `epochlab bench` a user can pick (`--only`, the API's
 * `only`): each mix by name, `mixes` for all three, and the other sections.
 */
import { SECTIONS, type Section } from './bench.js';
import type { Mix } from './mixes.js';

const MIX_PARTS = { readheavy: 'ReadHeavy', exchange: 'Exchange', rapidgrow: 'RapidGrow' } as const satisfies Record<string, Mix['name']>;

export const PART_NAMES = ['readheavy', 'exchange', 'rapidgrow', ...SECTIONS] as const;
export type PartName = (typeof PART_NAMES)[number];

export const isPartName = (s: string): s is PartName => (PART_NAMES as readonly string[]).includes(s);

/** What to run for the parts named: the mixes, and the sections (`mixes` is on when any mix is). */
export function selectParts(parts: readonly PartName[]): { mixes: Mix['name'][]; sections: Section[] } {
  const named = parts.filter((s): s is keyof typeof MIX_PARTS => s in MIX_PARTS).map((s) => MIX_PARTS[s]);
  const mixes = parts.includes('mixes') ? Object.values(MIX_PARTS) : named;
  const sections = SECTIONS.filter((s) => parts.includes(s) || (s === 'mixes' && mixes.length > 0));
  return { mixes: [...mixes], sections: [...sections] };
}

/** Everything. */
export const ALL_PARTS: readonly PartName[] = PART_NAMES;

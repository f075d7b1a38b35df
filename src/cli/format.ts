/** Small text helpers shared by the commands' printed output. */

/** `age.window x72, memory.use-after-free x1` (rules that fired, with counts). */
export const ruleList = (rules: Record<string, number>): string =>
  Object.entries(rules).filter(([, n]) => n > 0).map(([r, n]) => `${r} x${n}`).join(', ');

/** `1, 3, 5, 7, 9 ... 199` (every seed when there are few). */
export function formatSeeds(seeds: number[]): string {
  if (seeds.length <= 6) return seeds.join(', ');
  return `${seeds.slice(0, 5).join(', ')} ... ${seeds[seeds.length - 1]}`;
}

/** 1,234,567 */
export const fmt = (n: number): string => n.toLocaleString('en-US');

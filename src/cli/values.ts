/**
 * The value checks of the command line. Each takes the name the text came
 * under (a flag such as `--cpus`, or an environment variable such as
 * `EPOCHLAB_SEED`), so a mistake is one BadInput naming it:
 * `epochlab: --cpus: expected a positive integer, got "x"`.
 */
import { BadInput } from '../contract/bad-input.js';
import { parseDuration } from '../api/options.js';
import { RULES } from '../contract/rules.js';

export const bad = (field: string | null, problem: string): never => { throw new BadInput('epochlab', field, problem); };

const quote = (text: string): string => JSON.stringify(text);

export function positiveInt(name: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : bad(name, `expected a positive integer, got ${quote(text)}`);
}

export function nonNegativeInt(name: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? n : bad(name, `expected a non-negative integer, got ${quote(text)}`);
}

export function nonEmpty(name: string, text: string): string {
  return text !== '' ? text : bad(name, 'expected a file name');
}

/** `10s`, `500ms`, `2m`: a bare number is refused (seconds or milliseconds?). */
export function durationMs(name: string, text: string): number {
  const ms = parseDuration(text);
  return ms ?? bad(name, `expected a duration with a unit, like 2s, 500ms or 1m, got ${quote(text)}`);
}

export function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === text);
  return found ?? bad(name, `expected one of ${allowed.join(', ')}, got ${quote(text)}`);
}

/** `i/n` with 1 <= i <= n. */
export function shardOf(name: string, text: string): { shard: number; shards: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = Number(m?.[1]);
  const shards = Number(m?.[2]);
  if (!m || !(shards >= 1 && shard >= 1 && shard <= shards)) bad(name, `expected i/n with 1 <= i <= n, got ${quote(text)}`);
  return { shard, shards };
}

/** `a,b`: rule ids from the catalog. */
export function ruleIds(name: string, text: string): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = ids.find((id) => !RULES.some((r) => r.id === id));
  if (ids.length === 0 || unknown !== undefined) bad(name, `expected rule ids from "epochlab rules", got ${quote(unknown ?? text)}`);
  return ids;
}

/** `0,1,m`: CPU numbers and `m` (the epoch manager, returned as -1). */
export function laneList(name: string, text: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const wrong = items.find((s) => s !== 'm' && !/^\d+$/.test(s));
  if (items.length === 0 || wrong !== undefined) bad(name, `expected CPU numbers and m (the epoch manager), like 0,1,m, got ${quote(wrong ?? text)}`);
  return items.map((s) => (s === 'm' ? -1 : Number(s)));
}

/** The Command of `epochlab bench`, from its flags; every value is checked here (one line naming the flag). */
import { availableParallelism } from 'node:os';
import type { Command } from './command.js';
import type { Sources } from './env.js';
import { bad, durationMs, nonEmpty, nonNegativeInt, positiveInt } from './values.js';
import { ALL_PARTS, PART_NAMES, isPartName, selectParts, type PartName } from '../bench/parts.js';

type Bench = Extract<Command, { kind: 'bench' }>;

const MAX_CPUS = 64;

function cpuList(name: string, text: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  const wrong = items.find((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_CPUS);
  if (wrong !== undefined) bad(name, `expected CPU counts from 1 to ${MAX_CPUS} separated by commas, like 1,2,4, got ${JSON.stringify(wrong)}`);
  return [...new Set(items.map(Number))].sort((a, b) => a - b);
}

function onlyOf(name: string, text: string): Pick<Bench, 'mixes' | 'sections'> {
  const items = text.split(',').map((s) => s.trim().toLowerCase());
  const wrong = items.find((s) => !isPartName(s));
  if (wrong !== undefined) bad(name, `expected some of ${PART_NAMES.join(', ')}, got ${JSON.stringify(wrong)}`);
  return selectParts(items as PartName[]);
}

function capacityOf(name: string, text: string): number {
  const n = positiveInt(name, text);
  if ((n & (n - 1)) !== 0 || n < 1024 || n > 2 ** 20) bad(name, `expected a power of two from 1024 to 1048576, got ${JSON.stringify(text)}`);
  return Math.log2(n);
}

export function benchOf(src: Sources): Bench {
  const all = Array.from({ length: Math.min(MAX_CPUS, availableParallelism()) }, (_, i) => i + 1);
  const cmd: Bench = {
    kind: 'bench', cpus: src.value('cpus', cpuList, all), durationMs: src.value('duration', durationMs, 750),
    reps: src.value('reps', positiveInt, 3), log2Capacity: src.value('capacity', capacityOf, 16), seed: src.value('seed', nonNegativeInt, 1),
    ...src.value('only', onlyOf, selectParts(ALL_PARTS)),
    json: src.switch('json'),
  };
  if (cmd.durationMs < 50) bad('--duration', `must be at least 50ms, got ${cmd.durationMs}ms`);
  const csv = src.value('csv', nonEmpty, undefined);
  const html = src.value('html', nonEmpty, undefined);
  if (csv !== undefined) cmd.csv = csv;
  if (html !== undefined) cmd.html = html;
  return cmd;
}

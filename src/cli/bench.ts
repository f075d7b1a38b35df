/**
 * `epochlab bench`: src/bench/ does the measuring; this prints the table
 * (or the JSON) and writes the CSV and the HTML page. Progress goes to
 * stderr on a terminal.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from './command.js';
import { runBench } from '../bench/bench.js';
import { toCsv, toTable } from '../bench/output.js';
import { toHtml } from '../bench/plot.js';
import { ProgressLine } from './progress.js';

export async function benchCommand(cmd: Extract<Command, { kind: 'bench' }>): Promise<number> {
  const progress = new ProgressLine();
  const result = await runBench({
    cpus: cmd.cpus, durationMs: cmd.durationMs, reps: cmd.reps, mixes: cmd.mixes, sections: cmd.sections,
    log2Capacity: cmd.log2Capacity, seed: cmd.seed, ...(progress.live ? { onStep: (t: string) => progress.update(`bench ${t}`, false) } : {}),
  });
  progress.done();
  if (cmd.csv !== undefined) writeFileSync(cmd.csv, toCsv(result));
  if (cmd.html !== undefined) writeFileSync(cmd.html, toHtml(result));
  const written = [...(cmd.csv ? [`csv: ${cmd.csv}`] : []), ...(cmd.html ? [`html: ${cmd.html}`] : [])];
  console.log(cmd.json ? JSON.stringify(result, null, 2) : [toTable(result), ...written].join('\n'));
  return 0;
}

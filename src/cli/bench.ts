/**
 * `epochlab bench`: src/bench/ measures, the API's measureAndWrite renders
 * and writes the CSV and the HTML page; this prints the table (or the
 * JSON). Progress goes to stderr on a terminal.
 */
import type { Command } from './command.js';
import { measureAndWrite } from '../api/bench.js';
import { ProgressLine } from './progress.js';

export async function benchCommand(cmd: Extract<Command, { kind: 'bench' }>): Promise<number> {
  const progress = new ProgressLine();
  const report = await measureAndWrite({
    cpus: cmd.cpus, durationMs: cmd.durationMs, reps: cmd.reps, mixes: cmd.mixes, sections: cmd.sections,
    log2Capacity: cmd.log2Capacity, seed: cmd.seed, ...(progress.live ? { onStep: (t: string) => progress.update(`bench ${t}`, false) } : {}),
  }, cmd);
  progress.done();
  const written = [...(cmd.csv ? [`csv: ${cmd.csv}`] : []), ...(cmd.html ? [`html: ${cmd.html}`] : [])];
  console.log(cmd.json ? JSON.stringify(report.result, null, 2) : [report.table, ...written].join('\n'));
  return 0;
}

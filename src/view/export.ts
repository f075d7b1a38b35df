/**
 * `epochlab export TRACE.jsonl --perfetto OUT.json`: a JSON Lines trace read
 * back and written as a Trace Event Format file (perfetto.ts), streamed
 * both ways. The contract checker reads the same events, so the rules it
 * checks on the trace show up as violations too, not only the runtime's own.
 * A bad trace file is bad input, and leaves no half-written export behind.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { BadInput } from '../contract/bad-input.js';
import { ContractChecker } from '../check/checker.js';
import { createRules } from '../check/rules/index.js';
import { readTraceFile } from './trace-file.js';
import { PerfettoSink, type PerfettoRun, type PerfettoSummary } from './perfetto.js';

/** Opens the export for writing; a path that cannot be written is bad input naming `flag`. */
export function openPerfetto(path: string, run: PerfettoRun | null, flag = '--perfetto'): PerfettoSink {
  try {
    return new PerfettoSink(path, run);
  } catch (err) {
    throw new BadInput('epochlab', flag, `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const FRAMING = new Set(['run_begin', 'run_end']);

export async function exportPerfetto(traceFile: string, out: string): Promise<PerfettoSummary> {
  if (resolve(out) === resolve(traceFile)) throw new BadInput('epochlab', '--perfetto', `${out} is the trace file itself: name another file`);
  const sink = openPerfetto(out, null);
  const checker = new ContractChecker(createRules(), { rerun: `epochlab export ${traceFile}`, maxReports: 1, onViolation: (v) => sink.violation(v) });
  try {
    await readTraceFile(traceFile, (e) => {
      sink.write(e);
      if (!FRAMING.has(e.event)) checker.write(e);
    });
  } catch (err) {
    sink.finish();
    rmSync(out, { force: true });
    throw err;
  }
  checker.close();
  return sink.finish();
}

/**
 * A trace file as a page sees it: every event streamed through the contract
 * checker (the same rules as the run that wrote it) and the window
 * collector, so a file of any length gives a bounded document and the
 * checker's reports on all of it. run_begin and run_end frame the run; they
 * are shown but not checked.
 */
import { basename } from 'node:path';
import { BadInput } from '../contract/bad-input.js';
import { ContractChecker } from '../check/checker.js';
import { createRules } from '../check/rules/index.js';
import type { TraceEvent } from '../trace/decode.js';
import { WindowCollector, type CollectOptions } from './collect.js';
import { runInfoOf, traceDocument } from './build.js';
import type { TraceDocument } from './document.js';
import { readTraceFile } from './trace-file.js';

const FRAME = new Set(['run_begin', 'run_end']);

/** The command that runs what run_begin describes again, with a trace file. */
function rerunOf(begin: TraceEvent | undefined, path: string): string {
  if (begin === undefined) return `epochlab view ${path}`;
  const source = String(begin['source'] ?? begin['scenario'] ?? '');
  const parts = ['epochlab run', source.startsWith('builtin:') ? source.slice('builtin:'.length) : source, `--seed ${String(begin['seed'])}`, `--cpus ${String(begin['cpus'])}`];
  if (begin['profile'] !== undefined && begin['profile'] !== 'documented') parts.push(`--profile ${String(begin['profile'])}`);
  if (begin['mode'] === 'controlled') parts.push('--mode controlled', `--strategy ${String(begin['strategy'] ?? 'random')}`);
  if (typeof begin['mutant'] === 'string') parts.push(`--mutant ${begin['mutant']}`);
  parts.push('--trace trace.jsonl');
  return parts.join(' ');
}

export async function traceFromFile(path: string, collect: CollectOptions = {}): Promise<TraceDocument> {
  const collector = new WindowCollector(collect);
  let begin: TraceEvent | undefined;
  let checker: ContractChecker | null = null;
  let cpus = 0;
  await readTraceFile(path, (e) => {
    if (e.event === 'run_begin' && begin === undefined) begin = e;
    checker ??= new ContractChecker(createRules(), { rerun: rerunOf(begin, path), onReport: (rule, seq) => collector.onReport(rule, seq) });
    cpus = Math.max(cpus, e.cpu + 1);
    collector.write(e);
    if (!FRAME.has(e.event)) checker.write(e);
  });
  if (checker === null) throw new BadInput(path, null, 'no trace events in the file');
  const done: ContractChecker = checker;
  done.close();
  return traceDocument(runInfoOf(begin, cpus, basename(path)), collector.result(), done.summary().reports);
}

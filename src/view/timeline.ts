/**
 * `epochlab timeline TRACE.jsonl`: the trace as a terminal timeline
 * (timeline-text.ts), streamed. The file is read twice, up to `--to`: first
 * to check it (a bad line is bad input before anything is printed) and to
 * learn its lanes, then to print. The contract checker reads the events
 * from the start, so the rules it checks on the trace show as VIOLATION
 * rows too, right after the event that broke them.
 */
import { BadInput } from '../contract/bad-input.js';
import type { TraceEvent } from '../trace/decode.js';
import { ContractChecker } from '../check/checker.js';
import { createRules } from '../check/rules/index.js';
import type { ViolationSite } from '../check/context.js';
import { readTraceFile } from './trace-file.js';
import { TimelineLayout, eventText, type LaneColumn } from './timeline-text.js';

export interface TimelineOptions {
  /** Rows from this seq and up to this seq (inclusive). */
  from?: number;
  to?: number;
  /** The lanes to show: CPU numbers, -1 for the epoch manager; null for all. */
  lanes?: number[] | null;
  colour?: boolean;
  /** Rows as one JSON document instead of text. */
  json?: boolean;
  /** Where the output goes, in chunks. */
  write: (chunk: string) => void;
}

interface Survey {
  begin: TraceEvent | null;
  end: TraceEvent | null;
  cpus: Set<number>;
}

const MANAGER = -1;
const laneName = (cpu: number): string => (cpu === MANAGER ? 'epoch manager' : `CPU ${cpu}`);

/** The first pass: every line checked, run_begin and run_end kept, the lanes seen. */
async function survey(file: string, to: number): Promise<Survey> {
  const s: Survey = { begin: null, end: null, cpus: new Set() };
  await readTraceFile(file, (e) => {
    if (e.seq > to) return false;
    if (e.event === 'run_begin') s.begin = e;
    else if (e.event === 'run_end') s.end = e;
    else s.cpus.add(e.cpu);
    return true;
  });
  const cpus = s.begin?.['cpus'];
  if (typeof cpus === 'number') for (let c = 0; c < cpus; c++) s.cpus.add(c);
  s.cpus.add(MANAGER);
  return s;
}

const byLane = (a: number, b: number): number => (a === MANAGER ? 1 : b === MANAGER ? -1 : a - b);

function chooseLanes(s: Survey, wanted: number[] | null | undefined): LaneColumn[] {
  const have = [...s.cpus].sort(byLane);
  if (wanted === null || wanted === undefined) return have.map((cpu) => ({ cpu, name: laneName(cpu) }));
  const missing = wanted.find((c) => !s.cpus.has(c));
  if (missing !== undefined) {
    const list = have.filter((c) => c !== MANAGER).map(laneName).join(', ');
    throw new BadInput('epochlab', '--cpus', `CPU ${missing} is not in the trace (it has ${list || 'no CPU'}, and m for the epoch manager)`);
  }
  return [...new Set(wanted)].sort(byLane).map((cpu) => ({ cpu, name: laneName(cpu) }));
}

/** The line above the columns: what ran, and what `t` counts. */
function runLine(file: string, s: Survey): string {
  const b = s.begin;
  if (b === null) return `${file} (no run_begin line): t is the trace's, shown / 1000`;
  const mode = b['mode'] === 'controlled' ? `controlled (${String(b['strategy'] ?? 'random')})` : String(b['mode'] ?? 'free');
  const mutant = b['mutant'] ? `, mutant ${String(b['mutant'])}` : '';
  const clock = b['mode'] === 'controlled' ? 't counts scheduling decisions' : 't in µs since the run began';
  return `${String(b['scenario'])} (${String(b['source'])}): ${String(b['cpus'])} CPU(s), seed ${String(b['seed'])}, profile ${String(b['profile'])}, ${mode}${mutant}; ${clock}`;
}

/** Buffers output lines into chunks of about 64 KB. */
class Lines {
  private buf = '';
  constructor(private readonly write: (chunk: string) => void) {}
  add(line: string): void {
    this.buf += line + '\n';
    if (this.buf.length >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf !== '') this.write(this.buf);
    this.buf = '';
  }
}

export interface TimelineResult {
  /** Rows printed (events, and violations the checker found). */
  rows: number;
  lanes: string[];
}

/** The second pass: rows for the events in range, and for what the checker finds on the way. */
class Printer {
  rows = 0;
  private readonly found: ViolationSite[] = [];
  readonly checker: ContractChecker;

  constructor(private readonly layout: TimelineLayout, private readonly out: Lines, private readonly json: boolean,
    private readonly from: number, private readonly to: number, file: string) {
    this.checker = new ContractChecker(createRules(), { rerun: `epochlab timeline ${file}`, maxReports: 1, onViolation: (v) => this.found.push(v) });
  }

  row(seq: number, t: number, cpu: number, text: string): void {
    if (seq < this.from || seq > this.to || !this.layout.shows(cpu)) return;
    this.out.add(this.json ? `${this.rows === 0 ? '' : ','}${JSON.stringify({ seq, t, lane: laneName(cpu), text })}` : this.layout.row(seq, t, cpu, text));
    this.rows++;
  }

  /** An event's row, then the rows of the violations it let the checker find (the runtime's own have their row already). */
  event(e: TraceEvent, text: string): void {
    this.row(e.seq, e.t, e.cpu, text);
    this.checker.write(e);
    this.flushFound();
  }

  flushFound(): void {
    for (const v of this.found.splice(0)) if (v.at.event !== 'violation') this.row(v.at.seq, v.at.t, v.at.cpu, `VIOLATION ${v.rule}`);
  }
}

export async function timeline(file: string, options: TimelineOptions): Promise<TimelineResult> {
  const from = options.from ?? 0;
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  const s = await survey(file, to);
  const lanes = chooseLanes(s, options.lanes);
  const layout = new TimelineLayout(lanes, s.begin?.['mode'] === 'controlled', options.colour === true);
  const out = new Lines(options.write);
  const json = options.json === true;
  const p = new Printer(layout, out, json, from, to, file);
  if (json) out.add(`{"run":${JSON.stringify(s.begin)},"lanes":${JSON.stringify(lanes.map((l) => l.name))},"rows":[`);
  else [runLine(file, s), ...layout.header()].forEach((l) => out.add(l));
  let ended = false;
  await readTraceFile(file, (e) => {
    if (e.seq > to) return false;
    const text = eventText(e);
    if (text !== null) p.event(e, text);
    else ended ||= e.event === 'run_end';
    return true;
  });
  if (ended) p.checker.close();
  p.flushFound();
  const verdict = ended ? String(s.end?.['verdict']) : null;
  if (json) out.add(`],"shown":${p.rows},"verdict":${JSON.stringify(verdict)}}`);
  else out.add(`${p.rows} row(s) shown${verdict !== null ? `; run verdict: ${verdict}` : ''}`);
  out.flush();
  return { rows: p.rows, lanes: lanes.map((l) => l.name) };
}

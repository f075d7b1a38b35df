/**
 * The terminal timeline's text, in the manner of perfbook's reader/updater
 * figures: one column per lane (a CPU, the epoch manager), one row per
 * event, each event written in its own lane's column. A row is the event's
 * seq, its time, and a few words: `update m k=01000000`, `epoch_enter 3`,
 * `retire eVal @5`, `free eVal @5`, `advance 6 (released 5)`,
 * `VIOLATION memory.use-after-free`. A text may run on into the columns to
 * its right, which are empty on its row. Colour (ANSI) only when asked for.
 */
import type { TraceEvent } from '../trace/decode.js';
import { CALLBACK_EVENTS } from '../check/context.js';
import { shortFlags } from './slice-names.js';

/** Characters per lane column. */
export const COLUMN = 30;

const bare = (result: unknown): string => String(result).replace(/^EBPF_/, '');

function opText(e: TraceEvent): string {
  const parts = [String(e['op'])];
  if (e['map'] !== undefined) parts.push(String(e['map']));
  if (e['key'] !== undefined) parts.push(`k=${String(e['key'])}`);
  if (e['option'] !== undefined && e['option'] !== 'ANY') parts.push(String(e['option']));
  if (e['count'] !== undefined) parts.push(`x${String(e['count'])}`);
  return parts.join(' ');
}

/** `update -> SUCCESS`; a next_key also shows the key it answered and whether it restarted from the first key. */
function opEndText(e: TraceEvent): string {
  const next = e['op'] === 'next_key' && e['key'] !== undefined ? ` k=${String(e['key'])}` : '';
  return `${String(e['op'])}${next}${e['restarted'] === true ? ' (restarted)' : ''} -> ${bare(e['result'])}`;
}

function callbackText(e: TraceEvent): string {
  const flags = shortFlags(e['flags']);
  const result = e['result'];
  return `${e.event}${flags !== '0' ? ` ${flags}` : ''}${result !== undefined && result !== 'EBPF_SUCCESS' ? ` -> ${bare(result)}` : ''}`;
}

function readText(e: TraceEvent): string {
  const age = Number(e['age'] ?? 0);
  return `read ${String(e['state'])}${age > 0 ? ` age ${age}` : ''}`;
}

const TEXTS: Record<string, (e: TraceEvent) => string> = {
  op_begin: opText,
  op_end: opEndText,
  epoch_enter: (e) => `epoch_enter ${String(e['epoch'])}`,
  epoch_exit: (e) => `epoch_exit ${String(e['epoch'])}`,
  epoch_advance: (e) => `advance ${String(e['epoch'])} (released ${String(e['released'])})`,
  bucket_lock: (e) => `bucket_lock ${String(e['map'])}#${String(e['bucket'])}`,
  bucket_unlock: (e) => `bucket_unlock ${String(e['map'])}#${String(e['bucket'])}${e['core'] !== 'none' ? ` ${String(e['core'])}` : ''}`,
  retire: (e) => `retire ${String(e['tag'])} @${String(e['epoch'])}`,
  free: (e) => `free ${String(e['tag'])} ${e['stamp'] === 0 ? '(immediate)' : `@${String(e['stamp'])}`}`,
  read: readText,
  stall_warning: (e) => `stall warning: CPU ${String(e['stalledCpu'])} holds back epoch ${String(e['epoch'])}`,
  violation: (e) => `VIOLATION ${String(e['rule'])}`,
};

/** The few words an event is shown as; null for run_begin and run_end (the header and the footer). */
export function eventText(e: TraceEvent): string | null {
  if (e.event === 'run_begin' || e.event === 'run_end') return null;
  if (CALLBACK_EVENTS.has(e.event)) return callbackText(e);
  return TEXTS[e.event]?.(e) ?? e.event;
}

/** A lane shown: its cpu (-1: the epoch manager) and its column header. */
export interface LaneColumn {
  cpu: number;
  name: string;
}

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', red: '\u001b[1;31m', dim: '\u001b[2m', blue: '\u001b[34m' } as const;
/** CPUs in cyan, yellow, green, magenta (and round again); the epoch manager in blue; violations in bold red. */
const LANE_COLOURS = ['\u001b[36m', '\u001b[33m', '\u001b[32m', '\u001b[35m'];

/** Lays out rows for the lanes shown; `controlled` picks the time column's unit. */
export class TimelineLayout {
  private readonly columnOf = new Map<number, number>();
  private readonly seqWidth = 6;
  private readonly timeWidth: number;

  constructor(readonly lanes: readonly LaneColumn[], private readonly controlled: boolean, private readonly colour: boolean) {
    lanes.forEach((l, i) => this.columnOf.set(l.cpu, i));
    this.timeWidth = controlled ? 6 : 12;
  }

  shows(cpu: number): boolean {
    return this.columnOf.has(cpu);
  }

  /** `t` as shown: decisions, or microseconds with one decimal. */
  time(t: number): string {
    return this.controlled ? String(t) : (t / 1000).toFixed(1);
  }

  private paint(code: string, text: string): string {
    return this.colour ? `${code}${text}${ANSI.reset}` : text;
  }

  private prefix(seq: string, t: string): string {
    return `${seq.padStart(this.seqWidth)} ${t.padStart(this.timeWidth)}  `;
  }

  /** The column names, and a rule under them as wide as the lanes shown. */
  header(): string[] {
    const names = this.lanes.map((l, i) => (i < this.lanes.length - 1 ? l.name.padEnd(COLUMN) : l.name)).join('');
    const head = this.prefix('seq', this.controlled ? 't' : 't (µs)') + names;
    const rule = '-'.repeat(this.seqWidth + this.timeWidth + 3 + COLUMN * (this.lanes.length - 1) + Math.max(COLUMN, this.lanes.at(-1)?.name.length ?? 0));
    return [this.paint(ANSI.bold, head), this.paint(ANSI.dim, rule)];
  }

  /** One event's row: its text in its lane's column. */
  row(seq: number, t: number, cpu: number, text: string): string {
    const column = this.columnOf.get(cpu) ?? 0;
    const code = text.startsWith('VIOLATION') ? ANSI.red : (cpu < 0 ? ANSI.blue : LANE_COLOURS[cpu % LANE_COLOURS.length]!);
    return this.prefix(String(seq), this.time(t)) + ' '.repeat(column * COLUMN) + this.paint(code, text);
  }
}

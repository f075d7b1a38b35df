/**
 * A violation report a person can act on: the rule and its sentence, where it
 * happened (CPU, IRQL, operation, map, key), the events of the involved CPUs
 * leading up to it, and the command that re-runs it.
 */
import type { TraceEvent } from '../trace/decode.js';
import { RULES } from '../contract/rules.js';
import type { CheckContext, ViolationSite } from './context.js';
import type { History } from './history.js';

export const EXCERPT_EVENTS = 12;

export interface ViolationReport {
  rule: string;
  sentence: string;
  source: string;
  message: string;
  seq: number;
  cpu: number;
  irql: string;
  op: string | null;
  mode: string | null;
  map: string | null;
  key: string | null;
  /** The involved CPUs' events up to the violation, merged in seq order. */
  excerpt: TraceEvent[];
  rerun: string;
}

export function buildViolationReport(v: ViolationSite, cx: CheckContext, history: History, rerun: string): ViolationReport {
  const info = RULES.find((r) => r.id === v.rule);
  const cpu = cx.cpu(v.at.cpu);
  const op = cpu.op;
  const excerpt = v.cpus.flatMap((c) => history.recent(c, EXCERPT_EVENTS, v.at.seq)).sort((a, b) => a.seq - b.seq);
  return {
    rule: v.rule,
    sentence: info?.sentence ?? '',
    source: info?.source ?? '',
    message: v.message,
    seq: v.at.seq,
    cpu: v.at.cpu,
    irql: v.at.irql,
    op: op?.op ?? null,
    mode: op?.mode ?? null,
    map: (v.at['map'] as string | undefined) ?? op?.map ?? null,
    key: (v.at['key'] as string | undefined) ?? op?.key ?? null,
    excerpt,
    rerun,
  };
}

/** One event as a short line: `#seq cpu IRQL event k=v ...`. */
/** The fields every excerpt line shows in its head, or leaves out (time: the order is seq's). */
const HEAD_FIELDS = new Set(['seq', 't', 'dur', 'cpu', 'irql', 'event']);

export function formatEvent(e: TraceEvent): string {
  const rest = Object.entries(e)
    .filter(([k]) => !HEAD_FIELDS.has(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? (v.length ? v.map((f) => String(f).replace('EBPF_MAP_OPERATION_', '')).join('|') : '0') : String(v)}`)
    .join(' ');
  return `#${e.seq} cpu ${e.cpu} ${e.irql} ${e.event}${rest ? ' ' + rest : ''}`;
}

export function formatViolationReport(r: ViolationReport): string {
  const where = [
    `cpu ${r.cpu}`, r.irql,
    r.op ? `op ${r.op}${r.mode ? ` (${r.mode})` : ''}` : null,
    r.map ? `map ${r.map}` : null,
    r.key ? `key ${r.key}` : null,
    `event #${r.seq}`,
  ].filter((x) => x !== null).join(', ');
  return [
    `VIOLATION ${r.rule}: ${r.sentence}`,
    `  what:   ${r.message}`,
    `  where:  ${where}`,
    `  source: ${r.source}`,
    '  events leading up to it:',
    ...r.excerpt.map((e) => `    ${e.seq === r.seq ? '>' : ' '} ${formatEvent(e)}`),
    `  re-run: ${r.rerun}`,
  ].join('\n');
}

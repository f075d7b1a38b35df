/**
 * The contract checker: a trace sink that consumes the merged event stream
 * while the run goes, keeps what open operations need plus the last events
 * of each CPU, and turns rule breaches into violation reports. Violations the
 * runtime itself detected (`violation` events) are reported the same way.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { TraceSink } from '../trace/jsonl.js';
import { CheckContext, CheckRule, MAX_OP_EVENTS, ViolationSite } from './context.js';
import { ViolationReport, buildViolationReport } from './violation-report.js';
import { History } from './history.js';

/** Recent retire/free events remembered, to name the releasing CPU in memory reports. */
const RELEASES_KEPT = 65_536;

export interface CheckSummary {
  events: number;
  violationCount: number;
  byRule: Record<string, number>;
  reports: ViolationReport[];
  /** Rule-specific facts, such as the age histogram. */
  facts: Record<string, unknown>;
}

export interface CheckerOptions {
  /** Events kept per CPU for report excerpts. */
  historyPerCpu?: number;
  /** How to re-run this scenario (printed in every report). */
  rerun: string;
  /** Reports kept in full (the count goes on). */
  maxReports?: number;
  /** Told of every violation as it is found (a view that draws them where they happened). */
  onViolation?: (v: ViolationSite) => void;
  /** Told of every violation reported in full, as it is found: its rule and the seq of the event it fired at. */
  onReport?: (rule: string, seq: number) => void;
}

export class ContractChecker implements TraceSink {
  readonly cx: CheckContext;
  readonly reports: ViolationReport[] = [];
  violationCount = 0;
  readonly byRule = new Map<string, number>();
  events = 0;
  private last: TraceEvent | null = null;
  private readonly history: History;
  private readonly maxReports: number;
  private readonly releasedBy = new Map<number, number>();
  /** For each event name, the rules that look at it (in the rules' order). */
  private readonly byEvent = new Map<string, CheckRule[]>();

  constructor(private readonly rules: readonly CheckRule[], private readonly options: CheckerOptions) {
    for (const rule of rules) {
      for (const name of new Set(rule.events)) this.byEvent.set(name, [...(this.byEvent.get(name) ?? []), rule]);
    }
    this.history = new History(options.historyPerCpu ?? 300);
    this.maxReports = options.maxReports ?? 50;
    this.cx = new CheckContext((v) => this.report(v));
  }

  write(e: TraceEvent): void {
    this.events++;
    this.last = e;
    this.history.push(e);
    this.track(e);
    if (e.event === 'free' || e.event === 'retire') this.noteRelease(e);
    if (e.event === 'violation') this.cx.violate(String(e['rule']), e, String(e['message'] ?? ''), this.releasersOf(e));
    const judges = this.byEvent.get(e.event);
    if (judges !== undefined) for (const rule of judges) rule.onEvent(e, this.cx);
    if (e.event === 'op_end') this.endOp(e);
  }

  close(): void {
    if (this.last === null) return;
    for (const rule of this.rules) rule.onEnd?.(this.cx, this.last);
  }

  /** What the checker found, for the run report. */
  summary(): CheckSummary {
    const facts: Record<string, unknown> = {};
    for (const rule of this.rules) Object.assign(facts, rule.summary?.() ?? {});
    return {
      events: this.events, violationCount: this.violationCount,
      byRule: Object.fromEntries(this.byRule), reports: this.reports, facts,
    };
  }

  /** Remembers which CPU last retired or freed each recent block (bounded). */
  private noteRelease(e: TraceEvent): void {
    const block = e['block'] as number;
    this.releasedBy.delete(block);
    this.releasedBy.set(block, e.cpu);
    if (this.releasedBy.size > RELEASES_KEPT) this.releasedBy.delete(this.releasedBy.keys().next().value as number);
  }

  /** For a memory violation naming a block: the CPUs that retired or freed it, for the excerpt. */
  private releasersOf(e: TraceEvent): number[] {
    const block = e['block'];
    const cpu = typeof block === 'number' ? this.releasedBy.get(block) : undefined;
    return cpu === undefined ? [] : [cpu];
  }

  private report(v: ViolationSite): void {
    this.violationCount++;
    this.options.onViolation?.(v);
    this.byRule.set(v.rule, (this.byRule.get(v.rule) ?? 0) + 1);
    // The first maxReports, and the first of every rule (bounded by the catalog).
    if (this.reports.length < this.maxReports || this.byRule.get(v.rule) === 1) {
      this.reports.push(buildViolationReport(v, this.cx, this.history, this.options.rerun));
      this.options.onReport?.(v.rule, v.at.seq);
    }
  }

  /** Generic per-CPU state every rule relies on (op in flight, locks, epochs, IRQL). */
  private track(e: TraceEvent): void {
    const cpu = this.cx.cpu(e.cpu);
    cpu.irql = e.irql;
    switch (e.event) {
      case 'op_begin': {
        const op = {
          op: String(e['op']), mode: String(e['mode'] ?? 'user'), map: e['map'] as string | undefined,
          key: e['key'] as string | undefined, option: e['option'] as string | undefined, begin: e, events: [] as TraceEvent[],
        };
        if (cpu.op !== null && cpu.op.op === 'batch') cpu.outer = cpu.op;
        cpu.op = op;
        break;
      }
      case 'bucket_lock': cpu.bucketLocks++; break;
      case 'bucket_unlock': cpu.bucketLocks--; break;
      case 'epoch_enter': cpu.epochDepth = Number(e['depth']); break;
      case 'epoch_exit': cpu.epochDepth = Number(e['depth']); break;
      case 'epoch_advance':
        this.cx.published = Number(e['epoch']);
        this.cx.released = Number(e['released']);
        break;
      default: break;
    }
    if (cpu.op !== null && cpu.op.events.length < MAX_OP_EVENTS) cpu.op.events.push(e);
  }

  private endOp(e: TraceEvent): void {
    const cpu = this.cx.cpu(e.cpu);
    cpu.op = cpu.outer !== null && e['op'] !== 'batch' ? cpu.outer : null;
    if (e['op'] === 'batch') cpu.outer = null;
  }
}

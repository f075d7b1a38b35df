/**
 * The contract checker: a trace sink that consumes the merged event stream
 * while the run goes, keeps what open operations need plus the last events
 * of each CPU, and turns rule breaches into violation reports. Violations the
 * runtime itself detected (`violation` events) are reported the same way.
 *
 * Two ways in, one verdict: `write` takes TraceEvent objects (a trace file,
 * a test), `writeRecord` takes records in place while a run goes; then rules
 * read an EventView with the same fields, and a full event is built only for
 * what is kept (a report's event and excerpt). Each event goes only to the
 * rules that name its kind and, for op events, its operation (dispatch.ts).
 */
import type { TraceEvent } from '../trace/decode.js';
import type { TraceSink } from '../trace/jsonl.js';
import { EventView, KIND_COUNT, RecordSink, TraceRecord } from '../trace/event-view.js';
import { Ev } from '../trace/events.js';
import { JudgeTable } from './dispatch.js';
import { CheckContext, CheckRule, ViolationSite } from './context.js';
import { ViolationReport, buildViolationReport } from './violation-report.js';
import { History } from './history.js';

/** Recent retire/free events remembered, to name the releasing CPU in memory reports. */
const RELEASES_KEPT = 65_536;
/** Operations that hold inner operations: a program batch's helper calls, a batch IOCTL's per-key updates or deletes. */
const CONTAINER_OPS: ReadonlySet<string> = new Set(['batch', 'update_batch', 'delete_batch']);

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

export class ContractChecker implements TraceSink, RecordSink {
  readonly cx: CheckContext;
  readonly reports: ViolationReport[] = [];
  violationCount = 0;
  readonly byRule = new Map<string, number>();
  events = 0;
  /** The last event written as an object; for records, the CPU of the last one (its view is in the history). */
  private last: TraceEvent | null = null;
  private lastCpu: number | null = null;
  /** The record being judged, and the view rules read of it. */
  private record: TraceRecord | null = null;
  private view: TraceEvent | null = null;
  /**
   * A view the history let go: nothing refers to it any more (rules keep
   * fields, or asEvent copies, never a view: see CheckRule.onEvent), so the
   * next record fills it instead of a new one.
   */
  private spare: EventView | null = null;
  private readonly history: History;
  private readonly maxReports: number;
  /** The last RELEASES_KEPT retires and frees: block and CPU, in a ring. */
  private readonly releasedBlock = new Float64Array(RELEASES_KEPT);
  private readonly releasedCpu = new Int32Array(RELEASES_KEPT);
  private releases = 0;
  /** For each event, the rules that look at it (in the rules' order). */
  private readonly judges: JudgeTable;

  constructor(private readonly rules: readonly CheckRule[], private readonly options: CheckerOptions) {
    this.judges = new JudgeTable(rules);
    this.history = new History(options.historyPerCpu ?? 300);
    this.maxReports = options.maxReports ?? 50;
    this.cx = new CheckContext((v) => this.report(v), (e) => (e === this.view && this.record !== null ? this.record.event() : e));
  }

  write(e: TraceEvent): void {
    this.last = e;
    this.lastCpu = null;
    this.history.push(e);
    this.judge(e, this.judges.forEvent(e.event, e['op']));
  }

  /** A record in place (Monitor): valid only during this call. */
  writeRecord(r: TraceRecord): void {
    const kind = r.kind();
    if (kind === Ev.Violation || kind < 0 || kind >= KIND_COUNT) {
      this.write(r.event()); // rare: built in full (a violation's message is in a text ring that moves on)
      return;
    }
    const view = r.view(this.spare);
    this.spare = null;
    const v = view as unknown as TraceEvent;
    this.last = null;
    this.lastCpu = v.cpu;
    const out = this.history.push(v);
    if (out instanceof EventView) this.spare = out;
    this.record = r;
    this.view = v;
    this.judge(v, this.judges.forKind(kind, r.code()));
    this.record = null;
    this.view = null;
  }

  close(): void {
    const last = this.last ?? (this.lastCpu !== null ? this.history.latest(this.lastCpu) : null);
    if (last === null) return;
    for (const rule of this.rules) rule.onEnd?.(this.cx, last);
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

  private judge(e: TraceEvent, judges: CheckRule[] | undefined): void {
    this.events++;
    this.track(e);
    const name = e.event;
    if (name === 'free' || name === 'retire') this.noteRelease(e);
    if (name === 'violation') this.cx.violate(String(e['rule']), e, String(e['message'] ?? ''), this.releasersOf(e));
    if (judges !== undefined) for (let i = 0; i < judges.length; i++) judges[i]!.onEvent(e, this.cx);
    if (name === 'op_end') this.endOp(e);
  }

  /** Remembers which CPU retired or freed each recent block (a ring of the last RELEASES_KEPT). */
  private noteRelease(e: TraceEvent): void {
    const slot = this.releases % RELEASES_KEPT;
    this.releasedBlock[slot] = Number(e['block']);
    this.releasedCpu[slot] = e.cpu;
    this.releases++;
  }

  /** For a memory violation naming a block: the CPU that last retired or freed it, for the excerpt. */
  private releasersOf(e: TraceEvent): number[] {
    const block = e['block'];
    if (typeof block !== 'number') return [];
    const kept = Math.min(this.releases, RELEASES_KEPT);
    for (let i = 1; i <= kept; i++) {
      const slot = (this.releases - i) % RELEASES_KEPT;
      if (this.releasedBlock[slot] === block) return [this.releasedCpu[slot] as number];
    }
    return [];
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
          key: e['key'] as string | undefined, option: e['option'] as string | undefined, beginSeq: e.seq,
        };
        if (cpu.op !== null && CONTAINER_OPS.has(cpu.op.op)) cpu.outer = cpu.op;
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
  }

  private endOp(e: TraceEvent): void {
    const cpu = this.cx.cpu(e.cpu);
    const container = CONTAINER_OPS.has(String(e['op']));
    cpu.op = cpu.outer !== null && !container ? cpu.outer : null;
    if (container) cpu.outer = null;
  }
}

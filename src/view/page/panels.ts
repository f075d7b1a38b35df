/**
 * The panels under the timeline: the current event (its fields, a
 * callback's flags, the rules that judge events of its kind and any rule
 * that fired at it), the retire queues after it, and the checker's reports
 * (the active one in full, with its excerpt).
 */
import { el, fill, button } from './dom.js';
import { eventLine, fieldsOf, fmt, laneName, valueText } from './format.js';
import type { Model } from './model.js';
import type { Queues } from './queues.js';
import type { RetiredBlock, RuleGuide, TraceEvent, ViolationReport } from './types.js';

export interface PanelActions {
  /** Moves the current event to this index. */
  go(index: number): void;
  /** Shows this report in full and highlights its excerpt. */
  activate(report: ViolationReport): void;
}

/** Queue entries listed per lane before "and N more". */
const LISTED = 40;

export class Panels {
  readonly details = el('section.panel.details', { 'aria-label': 'current event' });
  readonly queues = el('section.panel.queues', { 'aria-label': 'retire queues' });
  readonly reports = el('section.panel.reports', { 'aria-label': 'violations' });

  constructor(private readonly guide: RuleGuide, private readonly actions: PanelActions) {}

  showEvent(model: Model, index: number): void {
    const e = model.events[index];
    if (e === undefined) {
      fill(this.details, el('h2', {}, 'Current event'), el('p.muted', {}, 'Before the first event. Step forward (→) to begin.'));
      return;
    }
    const unit = model.trace.timeUnit === 'ns' ? 'ns' : 'decisions';
    const dur = typeof e['dur'] === 'number' ? `, began at ${fmt(e.t - Number(e['dur']))}` : '';
    fill(this.details,
      el('h2', {}, `#${fmt(e.seq)} ${e.event}`),
      el('p.where', {}, `${laneName(e.cpu)} at ${e.irql}, t = ${fmt(e.t)} ${unit}${dur}`),
      this.fieldTable(e),
      this.judges(e),
      this.fired(model.reportsAt.get(index) ?? []));
  }

  private fieldTable(e: TraceEvent): HTMLElement {
    const rows = fieldsOf(e).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, k === 'flags' ? flagChips(v) : valueText(v))));
    return el('table.fields', {}, ...rows);
  }

  /** The rules that look at events of this kind (the checker hands each rule only the events it names). */
  private judges(e: TraceEvent): HTMLElement {
    const ids = e.event === 'violation' ? [String(e['rule'])] : this.guide.byEvent[e.event] ?? [];
    const head = e.event === 'violation' ? 'Detected by the runtime' : `Rules that judge ${e.event} events`;
    if (e.event === 'run_begin' || e.event === 'run_end') {
      return el('div.judges', {}, el('h3', {}, 'Not checked'), el('p.muted', {}, `${e.event} frames the trace file: it says what ran (or how it ended); the checker does not read it.`));
    }
    if (ids.length === 0) {
      return el('div.judges', {}, el('h3', {}, head), el('p.muted', {}, `No rule looks at ${e.event} events; the checker only follows them (epochs, IRQL, the operation in flight).`));
    }
    const items = ids.map((id) => el('code.rule', { 'data-rule': id, title: this.guide.rules[id]?.sentence ?? '' }, id));
    const one = ids.length === 1 ? el('p', {}, this.guide.rules[ids[0]!]?.sentence ?? '') : el('p.muted', {}, 'Point at a rule for its sentence.');
    return el('div.judges', {}, el('h3', {}, head), el('p.rules', {}, ...items), one);
  }

  private fired(reports: ViolationReport[]): HTMLElement | null {
    if (reports.length === 0) return null;
    const items = reports.map((r) => el('li', {}, el('code', {}, r.rule), ` ${r.message} `, button('report', 'show this report', () => this.actions.activate(r))));
    return el('div.fired', {}, el('h3', {}, 'Fired here'), el('ul', {}, ...items));
  }

  showQueues(model: Model, queues: Queues, index: number): void {
    const state = queues.at(index);
    const byLane = queues.byLane(index);
    const e = model.events[index];
    const lanes = model.lanes.map((lane) => this.queueOf(lane.cpu, byLane.get(lane.cpu) ?? [], state.published, e));
    const freed = e?.event === 'free' ? el('p.freed', {}, `#${fmt(e.seq)} freed block ${String(e['block'])} (stamp ${String(e['stamp'])}, released ${String(e['released'])})`) : null;
    fill(this.queues,
      el('h2', {}, 'Retire queues'),
      el('p.epochs', {}, el('span.published', {}, `published ${fmt(state.published)}`), ' ', el('span.released', {}, `released ${fmt(state.released)}`)),
      freed, ...lanes);
  }

  private queueOf(cpu: number, blocks: RetiredBlock[], published: number, current: TraceEvent | undefined): HTMLElement {
    const items = blocks.slice(0, LISTED).map((b) => {
      const isNew = current?.event === 'retire' && current.seq === b.seq;
      return el(isNew ? 'li.new' : 'li', { 'data-block': String(b.block) },
        el('code', {}, String(b.block)), ` ${b.tag} stamp ${fmt(b.stamp)} age ${fmt(published - b.stamp)}`,
        el('span.muted', {}, ` (retired #${fmt(b.seq)})`));
    });
    const more = blocks.length > LISTED ? el('li.muted', {}, `and ${fmt(blocks.length - LISTED)} more`) : null;
    return el('div.queue', { 'data-cpu': String(cpu) },
      el('h3', {}, `${laneName(cpu)}: ${blocks.length} block${blocks.length === 1 ? '' : 's'}`),
      blocks.length > 0 ? el('ol', {}, ...items, more) : el('p.muted', {}, 'empty'));
  }

  showReports(model: Model, active: ViolationReport | null): void {
    if (model.reports.length === 0) {
      fill(this.reports, el('h2', {}, 'Violations'), el('p.muted', {}, 'The contract checker found no violation in this trace.'));
      return;
    }
    const list = model.reports.map((r) => {
      const inView = model.indexOfSeq.has(r.seq);
      const item = el(r === active ? 'li.active' : 'li', {},
        button(`${r.rule} #${fmt(r.seq)}`, inView ? 'go to this violation' : 'outside the events shown', () => this.actions.activate(r)));
      return item;
    });
    fill(this.reports, el('h2', {}, `Violations (${model.reports.length})`), el('ul.report-list', {}, ...list), active ? this.report(model, active) : null);
  }

  private report(model: Model, r: ViolationReport): HTMLElement {
    const where = [`${laneName(r.cpu)}`, r.irql, r.op ? `op ${r.op}${r.mode ? ` (${r.mode})` : ''}` : null,
      r.map ? `map ${r.map}` : null, r.key ? `key ${r.key}` : null, `event #${fmt(r.seq)}`].filter((x) => x !== null).join(', ');
    const lines = r.excerpt.map((e) => {
      const i = model.indexOfSeq.get(e.seq);
      const line = el(e.seq === r.seq ? 'li.here' : 'li', {}, `${e.seq === r.seq ? '> ' : ''}${eventLine(e)}`);
      if (i !== undefined) line.addEventListener('click', () => this.actions.go(i));
      return line;
    });
    const outside = model.indexOfSeq.has(r.seq) ? null : el('p.muted', {}, 'This violation is outside the events shown.');
    return el('div.report', {},
      el('h3', {}, `VIOLATION ${r.rule}`), el('p', {}, r.sentence),
      el('dl', {}, el('dt', {}, 'what'), el('dd.message', {}, r.message), el('dt', {}, 'where'), el('dd', {}, where),
        el('dt', {}, 'source'), el('dd', {}, r.source), el('dt', {}, 're-run'), el('dd', {}, el('code', {}, r.rerun))),
      outside, el('h3', {}, 'Events leading up to it'), el('ol.excerpt', {}, ...lines));
  }
}

function flagChips(v: unknown): HTMLElement {
  const flags = Array.isArray(v) ? v.map(String) : [];
  if (flags.length === 0) return el('span.muted', {}, '0 (no flag)');
  return el('span', {}, ...flags.map((f) => el('span.chip', { title: f }, f.replace('EBPF_MAP_OPERATION_', ''))));
}

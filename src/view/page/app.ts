/**
 * The timeline page: one trace at a time (a lesson's "break it" swaps in the
 * broken one), a current event that every panel follows, the part of the
 * axis in view, the active report. `state()` tells a test what is shown.
 */
import { Axis, Viewport, type AxisKind } from './axis.js';
import { bindCanvas, bindKeys, toolbar, type Controlled } from './controls.js';
import { draw } from './draw.js';
import { laneTop } from './scene.js';
import { el, fill } from './dom.js';
import { fmt, laneName } from './format.js';
import { heading, keysHelp, legend, runLine, windowNote } from './chrome.js';
import { LessonPanel } from './lesson.js';
import { buildModel, type Model } from './model.js';
import { Panels } from './panels.js';
import { pickEvent } from './pick.js';
import { Queues } from './queues.js';
import { LAYOUT } from './colors.js';
import type { RuleGuide, TraceDocument, ViewDocument, ViolationReport } from './types.js';

export class App implements Controlled {
  model!: Model;
  axis!: Axis;
  queues!: Queues;
  readonly view = new Viewport();
  current = 0;
  active: ViolationReport | null = null;
  axisKind: AxisKind = 'order';
  playing = false;
  speed = 10;
  private highlight = new Set<number>();
  private readonly canvas = el('canvas', { 'aria-label': 'timeline' });
  private readonly status = el('span.status', { 'aria-live': 'polite' });
  private readonly runInfo = el('p.run');
  private readonly note = el('div.note-slot');
  private readonly panels: Panels;
  readonly lesson: LessonPanel | null;
  private frame = 0;
  private lastTick = 0;

  constructor(private readonly doc: ViewDocument, guide: RuleGuide, mount: HTMLElement) {
    this.panels = new Panels(guide, { go: (i) => this.go(i), activate: (r) => this.activate(r) });
    this.lesson = doc.lesson ? new LessonPanel(doc.lesson, { breakIt: (b) => this.load(b ? doc.lesson!.broken!.trace : doc.trace), goSeq: (s) => this.goSeq(s) }) : null;
    const stage = el('div.stage', {}, this.canvas);
    fill(mount, heading(doc), this.runInfo, this.note, this.lesson?.root, toolbar(this, this.status), stage, legend(), keysHelp(),
      el('div.panels', {}, this.panels.details, this.panels.queues, this.panels.reports));
    bindKeys(this);
    bindCanvas(this, this.canvas);
    new ResizeObserver(() => this.resize()).observe(stage);
    this.load(doc.trace);
  }

  /** Shows `trace` from its first event (a lesson's narration starts before it). */
  load(trace: TraceDocument): void {
    this.model = buildModel(trace);
    this.axis = new Axis(this.axisKind, this.model);
    this.queues = new Queues(this.model);
    this.current = this.lesson ? -1 : 0;
    this.active = null;
    this.highlight = new Set();
    this.runInfo.textContent = runLine(trace);
    fill(this.note, windowNote(trace));
    this.resize();
    this.view.fit(this.axis);
    this.panels.showReports(this.model, null);
    this.update();
  }

  private resize(): void {
    const width = Math.max(320, this.canvas.parentElement?.clientWidth ?? 800);
    const height = laneTop(this.model.lanes.length) + 4;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.view.left = LAYOUT.labelWidth;
    this.view.width = width - LAYOUT.labelWidth - 8;
    this.redraw();
  }

  private redraw(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const ctx = this.canvas.getContext('2d');
      if (ctx === null) return;
      const ratio = this.canvas.width / Math.max(1, parseFloat(this.canvas.style.width));
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      draw(ctx, { model: this.model, axis: this.axis, view: this.view, current: this.current, highlight: this.highlight,
        width: this.canvas.width / ratio, height: this.canvas.height / ratio });
    });
  }

  /** Everything that follows the current event. */
  private update(): void {
    const e = this.model.events[this.current];
    const n = this.model.events.length;
    this.status.textContent = e ? `event ${fmt(this.current + 1)} of ${fmt(n)}: #${fmt(e.seq)} ${laneName(e.cpu)} ${e.event}` : `before event 1 of ${fmt(n)}`;
    this.panels.showEvent(this.model, this.current);
    this.panels.showQueues(this.model, this.queues, this.current);
    this.lesson?.show(e ? e.seq : null);
    this.redraw();
  }

  go(index: number): void {
    const min = this.lesson ? -1 : 0;
    this.current = Math.max(min, Math.min(this.model.events.length - 1, index));
    if (this.current >= 0) this.view.reveal(this.axis.pos[this.current]!);
    this.update();
  }

  goSeq(seq: number): void {
    const events = this.model.events;
    const i = events.findIndex((e) => e.seq >= seq);
    this.go(i < 0 ? events.length - 1 : i);
  }

  step(delta: number): void {
    this.go(this.current + delta);
  }

  goEdge(end: boolean): void {
    this.go(end ? this.model.events.length - 1 : 0);
  }

  /** Shows a report in full, highlights its excerpt across the lanes and goes to where it fired. */
  activate(r: ViolationReport): void {
    this.active = r;
    this.highlight = new Set(r.excerpt.map((e) => this.model.indexOfSeq.get(e.seq)).filter((i): i is number => i !== undefined));
    this.panels.showReports(this.model, r);
    const at = this.model.indexOfSeq.get(r.seq);
    if (at !== undefined) {
      this.frameExcerpt([...this.highlight, at]);
      this.go(at);
    } else {
      this.redraw();
    }
  }

  /** Zooms so the excerpt's events fill most of the view. */
  private frameExcerpt(indices: number[]): void {
    const xs = indices.map((i) => this.axis.pos[i]!);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const pad = Math.max((hi - lo) * 0.15, this.axisKind === 'order' ? 4 : 1);
    this.view.start = lo - pad;
    this.view.end = hi + pad;
  }

  nextViolation(delta: 1 | -1): void {
    const seq = this.model.events[this.current]?.seq ?? Number.NEGATIVE_INFINITY;
    const inView = this.model.reports.filter((r) => this.model.indexOfSeq.has(r.seq)).sort((a, b) => a.seq - b.seq);
    const next = delta > 0 ? inView.find((r) => r.seq > seq || (r.seq === seq && this.active !== r))
      : [...inView].reverse().find((r) => r.seq < seq);
    if (next) this.activate(next);
  }

  togglePlay(): void {
    this.playing = !this.playing;
    const b = document.querySelector('[data-action="play"]');
    if (b) b.textContent = this.playing ? '❚❚ pause' : '▶ play';
    if (!this.playing) return;
    this.lastTick = performance.now();
    const tick = (now: number): void => {
      if (!this.playing) return;
      const due = Math.floor(((now - this.lastTick) * this.speed) / 1000);
      if (due > 0) {
        this.lastTick += (due * 1000) / this.speed;
        this.step(due);
        if (this.current >= this.model.events.length - 1) this.togglePlay();
      }
      if (this.playing) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  setSpeed(eventsPerSecond: number): void {
    this.speed = eventsPerSecond;
  }

  zoom(factor: number, aroundPx?: number): void {
    const around = aroundPx !== undefined ? this.view.at(aroundPx)
      : this.current >= 0 ? this.axis.pos[this.current]! : (this.view.start + this.view.end) / 2;
    this.view.zoom(factor, around, this.axis);
    this.redraw();
  }

  fit(): void {
    this.view.fit(this.axis);
    this.redraw();
  }

  panPx(dx: number): void {
    this.view.pan(dx * this.view.scale);
    this.redraw();
  }

  panBy(fraction: number): void {
    this.view.pan((this.view.end - this.view.start) * fraction);
    this.redraw();
  }

  toggleAxis(): void {
    const keep = this.current >= 0 ? this.current : 0;
    this.axisKind = this.axisKind === 'order' ? 'time' : 'order';
    this.axis = new Axis(this.axisKind, this.model);
    const b = document.querySelector('[data-action="axis"]');
    if (b) b.textContent = `axis: ${this.axisKind}`;
    this.view.fit(this.axis);
    this.go(keep);
  }

  pick(x: number, y: number): void {
    const i = pickEvent(this.model, this.axis, this.view, x, y);
    if (i !== null) this.go(i);
  }

  /** What the page shows, for tests (window.epochlab.state()). */
  state(): Record<string, unknown> {
    const e = this.model.events[this.current];
    const queues = Object.fromEntries([...this.queues.byLane(this.current)].map(([cpu, blocks]) => [laneName(cpu), blocks.map((b) => b.block)]));
    const st = this.queues.at(this.current);
    return {
      trace: this.model.trace === this.doc.trace ? 'main' : 'broken', index: this.current, events: this.model.events.length,
      seq: e?.seq ?? null, event: e?.event ?? null, lanes: this.model.lanes.map((l) => laneName(l.cpu)), queues,
      published: st.published, released: st.released, view: { start: this.view.start, end: this.view.end }, axis: this.axisKind,
      active: this.active ? { rule: this.active.rule, seq: this.active.seq } : null, highlighted: this.highlight.size,
      playing: this.playing, narration: this.lesson?.step?.text ?? null, answerShown: this.lesson?.answerShown ?? false,
      window: this.model.trace.window?.note ?? null,
    };
  }
}

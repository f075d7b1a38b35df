/**
 * The frame around the lanes: the ruler (event numbers, the violations'
 * markers), the epoch graph (the published epoch as a step line, the
 * released epoch dashed under it, scaled to what is in view) and the lane
 * labels.
 */
import { COLOR, LAYOUT } from './colors.js';
import { lastAtOrBefore } from './model.js';
import { fmt, laneName } from './format.js';
import { laneTop, triangle, type Scene } from './scene.js';

/** The lowest released and highest published epoch among steps first..last. */
function range(steps: Scene['model']['steps'], first: number, last: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = first; k <= last; k++) {
    lo = Math.min(lo, steps[k]!.released);
    hi = Math.max(hi, steps[k]!.published);
  }
  return [lo, hi];
}

/** The published epoch as a step line, the released epoch under it, scaled to what is in view. */
export function drawEpochGraph(ctx: CanvasRenderingContext2D, s: Scene, i0: number, i1: number): void {
  const steps = s.model.steps;
  if (steps.length === 0) return;
  const first = Math.max(0, lastAtOrBefore(steps, i0, (st) => st.i));
  const last = Math.max(first, lastAtOrBefore(steps, i1, (st) => st.i));
  const [lo, hi] = range(steps, first, last);
  const top = LAYOUT.rulerHeight + 8;
  const h = LAYOUT.epochHeight - 20;
  const y = (v: number): number => top + h - ((v - lo) / Math.max(1, hi - lo)) * h;
  ctx.save();
  ctx.beginPath();
  ctx.rect(s.view.left, LAYOUT.rulerHeight, s.view.width, LAYOUT.epochHeight);
  ctx.clip();
  for (const [key, color] of [['released', COLOR.released], ['published', COLOR.published]] as const) {
    ctx.strokeStyle = color;
    ctx.lineWidth = key === 'published' ? 2 : 1.5;
    ctx.setLineDash(key === 'released' ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(s.view.left, y(steps[first]![key]));
    for (let k = first + 1; k <= last; k++) {
      const x = s.view.px(s.axis.pos[steps[k]!.i]!);
      ctx.lineTo(x, y(steps[k - 1]![key]));
      ctx.lineTo(x, y(steps[k]![key]));
    }
    ctx.lineTo(s.view.left + s.view.width, y(steps[last]![key]));
    ctx.stroke();
  }
  ctx.restore();
  ctx.fillStyle = COLOR.muted;
  ctx.textAlign = 'right';
  ctx.fillText(fmt(hi), s.view.left - 6, top);
  ctx.fillText(fmt(lo), s.view.left - 6, top + h);
  ctx.textAlign = 'left';
}

/** Tick labels at most this close (in pixels) are left out. */
const LABEL_GAP = 8;

export function drawRuler(ctx: CanvasRenderingContext2D, s: Scene): void {
  ctx.fillStyle = '#fafafa';
  ctx.fillRect(0, 0, s.width, LAYOUT.rulerHeight);
  ctx.fillStyle = COLOR.muted;
  const ticks = s.axis.kind === 'order' ? orderTicks(s) : timeTicks(s);
  let free = Number.NEGATIVE_INFINITY;
  for (const [x, text] of ticks) {
    if (x < s.view.left || x > s.view.left + s.view.width) continue;
    ctx.fillRect(x, LAYOUT.rulerHeight - 5, 1, 5);
    if (x < free) continue;
    ctx.fillText(text, x + 2, 9);
    free = x + 2 + ctx.measureText(text).width + LABEL_GAP;
  }
  for (const r of s.model.reports) {
    const i = s.model.indexOfSeq.get(r.seq);
    if (i === undefined) continue;
    triangle(ctx, s.view.px(s.axis.pos[i]!), LAYOUT.rulerHeight - 9, 8, true, COLOR.violation);
  }
}

/** Event numbers, every so many events. */
function orderTicks(s: Scene): Array<[number, string]> {
  const i0 = s.axis.indexAt(s.view.start);
  const i1 = s.axis.indexAt(s.view.end);
  const stride = Math.max(1, niceStride((i1 - i0 + 1) / Math.max(1, s.view.width / 90)));
  const out: Array<[number, string]> = [];
  for (let i = Math.ceil(i0 / stride) * stride; i <= i1; i += stride) {
    const e = s.model.events[i];
    if (e !== undefined) out.push([s.view.px(s.axis.pos[i]!), `#${fmt(e.seq)}`]);
  }
  return out;
}

/** Times (the trace's t), every so much time; across a gap, the time the next event carries. */
function timeTicks(s: Scene): Array<[number, string]> {
  const stride = niceStride((s.view.end - s.view.start) / Math.max(1, s.view.width / 110));
  const out: Array<[number, string]> = [];
  const events = s.model.events;
  for (let x = Math.ceil(s.view.start / stride) * stride; x <= s.view.end; x += stride) {
    const i = s.axis.indexAt(x);
    const e = events[i];
    if (e === undefined) continue;
    out.push([s.view.px(x), timeText(e.t + (x - s.axis.pos[i]!), s.model.trace.timeUnit)]);
  }
  return out;
}

function timeText(t: number, unit: 'ns' | 'decision'): string {
  if (unit === 'decision') return `d ${fmt(Math.round(t))}`;
  if (t >= 1e9) return `${(t / 1e9).toFixed(3)} s`;
  if (t >= 1e6) return `${(t / 1e6).toFixed(2)} ms`;
  if (t >= 1e3) return `${(t / 1e3).toFixed(1)} µs`;
  return `${Math.round(t)} ns`;
}

const niceStride = (raw: number): number => {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw) ?? 10 * p;
};

export function drawLabels(ctx: CanvasRenderingContext2D, s: Scene): void {
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, LAYOUT.rulerHeight, LAYOUT.labelWidth - 4, s.height);
  ctx.fillStyle = COLOR.text;
  ctx.fillText('epochs', 8, LAYOUT.rulerHeight + 16);
  ctx.fillStyle = COLOR.published;
  ctx.fillText('published', 8, LAYOUT.rulerHeight + 32);
  ctx.fillStyle = COLOR.released;
  ctx.fillText('released', 8, LAYOUT.rulerHeight + 46);
  s.model.lanes.forEach((lane, k) => {
    ctx.fillStyle = COLOR.text;
    ctx.fillText(laneName(lane.cpu), 8, laneTop(k) + LAYOUT.laneHeight / 2);
  });
}

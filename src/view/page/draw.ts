/**
 * Paints the timeline on a canvas: the ruler, the epoch graph (published as
 * a step line, released under it), one lane per CPU and the manager's, the
 * gaps where the window left events out, the current event's cursor and the
 * highlighted events of the report in view. Only what is in view is drawn,
 * and spans or marks narrower than a pixel are drawn once per pixel column,
 * so a window of 150,000 events repaints in a few milliseconds.
 */
import type { Viewport } from './axis.js';
import { COLOR, LAYOUT, resultColor } from './colors.js';
import { MARK_KINDS, Mark, Row, lastAtOrBefore, type Lane, type Span } from './model.js';
import { drawEpochGraph, drawLabels, drawRuler } from './frame.js';
import { laneTop, triangle, type Scene } from './scene.js';

export type { Scene } from './scene.js';

export function draw(ctx: CanvasRenderingContext2D, s: Scene): void {
  ctx.clearRect(0, 0, s.width, s.height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const [i0, i1] = [s.axis.indexAt(s.view.start), s.axis.indexAt(s.view.end)];
  s.model.lanes.forEach((lane, k) => drawLane(ctx, s, lane, laneTop(k), i0, i1));
  drawGaps(ctx, s);
  drawViolations(ctx, s);
  drawCursor(ctx, s);
  drawLabels(ctx, s);
  drawEpochGraph(ctx, s, i0, i1);
  drawRuler(ctx, s);
}

const ROW_BOX: Record<number, readonly [number, number]> = {
  [Row.Irql]: LAYOUT.irql, [Row.Epoch]: LAYOUT.epoch, [Row.Op]: LAYOUT.op, [Row.Inner]: LAYOUT.inner, [Row.Lock]: LAYOUT.callback,
};

function spanColor(sp: Span): string {
  if (sp.row === Row.Irql) return sp.kind === 'DISPATCH' ? COLOR.DISPATCH : COLOR.PASSIVE;
  if (sp.row === Row.Epoch) return COLOR.epoch;
  if (sp.row === Row.Lock) return COLOR.lock;
  return resultColor(sp.kind);
}

/** Prefix maxima of each row's span ends, so the first span reaching into view is a binary search away. */
const reach = new WeakMap<Span[], Int32Array>();
function reachOf(row: Span[]): Int32Array {
  let r = reach.get(row);
  if (r === undefined) {
    r = new Int32Array(row.length);
    let m = -1;
    row.forEach((sp, k) => { m = Math.max(m, sp.e); r![k] = m; });
    reach.set(row, r);
  }
  return r;
}

function firstReaching(row: Span[], i0: number): number {
  const r = reachOf(row);
  let lo = 0;
  let hi = row.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r[mid]! < i0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function drawRow(ctx: CanvasRenderingContext2D, s: Scene, row: Span[], top: number, i0: number, i1: number): void {
  let lastPx = Number.NEGATIVE_INFINITY;
  for (let k = firstReaching(row, i0); k < row.length && row[k]!.b <= i1; k++) {
    const sp = row[k]!;
    if (sp.e < i0) continue;
    const [y, h] = ROW_BOX[sp.row]!;
    const inset = sp.row === Row.Epoch ? Math.min(sp.depth, 2) * 2 : 0;
    const x0 = s.view.px(s.axis.pos[sp.b]!);
    const natural = s.view.px(s.axis.pos[sp.e]!);
    // Spans under a pixel wide: one per pixel column.
    if (natural - x0 < 1 && Math.floor(x0) === lastPx) continue;
    lastPx = Math.floor(x0);
    const x1 = Math.max(natural, x0 + 2);
    ctx.globalAlpha = sp.cut ? 0.55 : 1;
    if (sp.row === Row.Lock) {
      ctx.strokeStyle = COLOR.lock;
      ctx.strokeRect(x0 + 0.5, top + y + 0.5, x1 - x0 - 1, h - 1);
    } else {
      ctx.fillStyle = spanColor(sp);
      ctx.fillRect(x0, top + y + inset, x1 - x0, h - 2 * inset);
      if (sp.row !== Row.Irql && x1 - x0 > 36) label(ctx, sp.label, x0, x1, top + y + h / 2, s.view);
    }
    ctx.globalAlpha = 1;
  }
}

function label(ctx: CanvasRenderingContext2D, text: string, x0: number, x1: number, y: number, view: Viewport): void {
  const left = Math.max(x0, view.left) + 3;
  const room = Math.min(x1, view.left + view.width) - left - 3;
  if (room < 20) return;
  ctx.fillStyle = COLOR.text;
  const w = ctx.measureText(text).width;
  if (w <= room) ctx.fillText(text, left, y);
}

function drawLane(ctx: CanvasRenderingContext2D, s: Scene, lane: Lane, top: number, i0: number, i1: number): void {
  ctx.fillStyle = COLOR.grid;
  ctx.fillRect(0, top + LAYOUT.laneHeight - 1, s.width, 1);
  ctx.save();
  ctx.beginPath();
  ctx.rect(s.view.left, top, s.view.width, LAYOUT.laneHeight);
  ctx.clip();
  for (const row of lane.rows) drawRow(ctx, s, row, top, i0, i1);
  drawMarks(ctx, s, lane, top, i0, i1);
  ctx.restore();
}

/** What each event looks like in the marks row (and callbacks in theirs). */
function drawMarks(ctx: CanvasRenderingContext2D, s: Scene, lane: Lane, top: number, i0: number, i1: number): void {
  const { kind, dur } = s.model;
  const start = Math.max(0, lastAtOrBefore(lane.events, i0 - 1, (i) => i));
  // Per kind (Mark.*, and one past them for callbacks), the last pixel column drawn.
  const lastPx = new Float64Array(MARK_KINDS + 1).fill(Number.NEGATIVE_INFINITY);
  const lit = s.highlight.size > 0;
  const [my, mh] = LAYOUT.marks;
  for (let k = start; k < lane.events.length && lane.events[k]! <= i1 + 1; k++) {
    const i = lane.events[k]!;
    const x = s.view.px(s.axis.pos[i]!);
    const px = Math.floor(x);
    if (dur[i]! >= 0 && px !== lastPx[MARK_KINDS]) {
      lastPx[MARK_KINDS] = px;
      drawCallback(ctx, s, i, dur[i]!, x, top);
    }
    const m = kind[i]!;
    const here = lit && s.highlight.has(i);
    if (px === lastPx[m] && !here) continue;
    lastPx[m] = px;
    if (here) {
      ctx.fillStyle = COLOR.highlight;
      ctx.fillRect(x - 5, top + my - 2, 10, mh + 4);
    }
    mark(ctx, m, x, top + my, mh);
  }
}

function drawCallback(ctx: CanvasRenderingContext2D, s: Scene, i: number, dur: number, x: number, top: number): void {
  const back = s.axis.durScale > 0 ? s.axis.pos[i]! - dur * s.axis.durScale : s.axis.pos[i]! - 0.7;
  const x0 = Math.min(s.view.px(Math.max(back, i > 0 ? s.axis.pos[i - 1]! : back)), x - 2);
  const [y, h] = LAYOUT.callback;
  ctx.fillStyle = COLOR.callback;
  ctx.fillRect(x0, top + y, Math.max(2, x - x0), h);
}

function mark(ctx: CanvasRenderingContext2D, kind: number, x: number, y: number, h: number): void {
  switch (kind) {
    case Mark.Retire: return triangle(ctx, x, y, h, true, COLOR.retire);
    case Mark.Free: return triangle(ctx, x, y, h, false, COLOR.free);
    case Mark.Violation:
      ctx.fillStyle = COLOR.violation;
      ctx.fillRect(x - 3, y - 1, 6, h + 2);
      return;
    case Mark.Advance:
      ctx.fillStyle = COLOR.advance;
      ctx.fillRect(x - 1, y - 2, 2, h + 2);
      return;
    case Mark.Read:
      ctx.fillStyle = COLOR.read;
      ctx.beginPath();
      ctx.arc(x, y + h / 2, 2.2, 0, Math.PI * 2);
      ctx.fill();
      return;
    default:
      ctx.fillStyle = COLOR.muted;
      ctx.fillRect(x - 0.5, y + h / 2 - 2, 1, 4);
  }
}

function drawGaps(ctx: CanvasRenderingContext2D, s: Scene): void {
  for (const g of s.model.gaps) {
    const x0 = s.view.px(s.axis.pos[g - 1]!);
    const x1 = s.view.px(s.axis.pos[g]!);
    if (x1 < s.view.left || x0 > s.view.left + s.view.width) continue;
    const w = Math.max(4, x1 - x0 - 4);
    ctx.fillStyle = COLOR.gap;
    ctx.fillRect(x0 + 2, LAYOUT.rulerHeight, w, s.height - LAYOUT.rulerHeight);
    ctx.strokeStyle = COLOR.muted;
    ctx.setLineDash([3, 3]);
    ctx.strokeRect(x0 + 2.5, LAYOUT.rulerHeight + 0.5, w - 1, s.height - LAYOUT.rulerHeight - 1);
    ctx.setLineDash([]);
  }
}

/** Where the checker's rules fired: a red frame on the event, in its lane. */
function drawViolations(ctx: CanvasRenderingContext2D, s: Scene): void {
  ctx.strokeStyle = COLOR.violation;
  ctx.lineWidth = 2;
  for (const i of s.model.reportsAt.keys()) {
    const x = s.view.px(s.axis.pos[i]!);
    if (x < s.view.left - 8 || x > s.view.left + s.view.width + 8) continue;
    const top = laneTop(s.model.laneOf.get(s.model.events[i]!.cpu) ?? 0);
    ctx.strokeRect(x - 8, top + 3, 16, LAYOUT.laneHeight - 8);
  }
  ctx.lineWidth = 1;
}

function drawCursor(ctx: CanvasRenderingContext2D, s: Scene): void {
  if (s.current < 0) return;
  const x = Math.round(s.view.px(s.axis.pos[s.current]!)) + 0.5;
  if (x < s.view.left || x > s.view.left + s.view.width) return;
  ctx.strokeStyle = COLOR.cursor;
  ctx.beginPath();
  ctx.moveTo(x, LAYOUT.rulerHeight);
  ctx.lineTo(x, s.height);
  ctx.stroke();
  const lane = s.model.laneOf.get(s.model.events[s.current]!.cpu) ?? 0;
  ctx.strokeRect(x - 6, laneTop(lane) + 1.5, 12, LAYOUT.laneHeight - 4);
}


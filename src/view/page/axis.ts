/**
 * Where each event sits on the horizontal axis, and the part of the axis in
 * view. Two axes: 'order' puts one event per slot (what happened after
 * what), 'time' uses each event's `t` (nanoseconds free-running, decisions
 * in controlled mode), kept monotone. Where the window left events out, both
 * leave a gap.
 */
import type { Model } from './model.js';

export type AxisKind = 'order' | 'time';

/** Slots a gap takes on the order axis. */
const GAP_SLOTS = 6;

export class Axis {
  readonly pos: Float64Array;
  /** How far a callback's `dur` reaches back, in axis units per unit of `t` (0 on the order axis). */
  readonly durScale: number;

  constructor(readonly kind: AxisKind, model: Model) {
    const n = model.events.length;
    this.pos = new Float64Array(n);
    const gaps = new Set(model.gaps);
    if (kind === 'order') {
      let shift = 0;
      for (let i = 0; i < n; i++) {
        if (gaps.has(i)) shift += GAP_SLOTS;
        this.pos[i] = i + shift;
      }
      this.durScale = 0;
      return;
    }
    const events = model.events;
    const span = n > 1 ? Math.max(1, events[n - 1]!.t - events[0]!.t) : 1;
    const gapWidth = span / 40;
    // Within a segment an event sits at its t from the segment's first (never before the event ahead of it: t can run
    // a few hundred ns backwards between CPUs); each gap adds gapWidth.
    let base = 0;
    let t0 = n > 0 ? events[0]!.t : 0;
    for (let i = 0; i < n; i++) {
      if (i > 0 && gaps.has(i)) {
        base = this.pos[i - 1]! + gapWidth;
        t0 = events[i]!.t;
      }
      this.pos[i] = Math.max(i > 0 ? this.pos[i - 1]! : 0, base + events[i]!.t - t0);
    }
    this.durScale = 1;
  }

  get first(): number {
    return this.pos.length > 0 ? this.pos[0]! : 0;
  }

  get last(): number {
    return this.pos.length > 0 ? this.pos[this.pos.length - 1]! : 1;
  }

  /** The last event index at or before axis position x (0 when none). */
  indexAt(x: number): number {
    let lo = 0;
    let hi = this.pos.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.pos[mid]! <= x) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Where a span of events b..e begins and ends; a lone event gets most of a slot (order) or a sliver (time). */
  extent(b: number, e: number): [number, number] {
    const x0 = this.pos[b]!;
    const x1 = this.pos[e]!;
    return [x0, Math.max(x1, x0)];
  }
}

/** The part of the axis on screen, and the pixels it maps to. */
export class Viewport {
  start = 0;
  end = 1;
  left = 0;
  width = 1;

  px(x: number): number {
    return this.left + ((x - this.start) / (this.end - this.start)) * this.width;
  }

  at(px: number): number {
    return this.start + ((px - this.left) / this.width) * (this.end - this.start);
  }

  /** Axis units per pixel. */
  get scale(): number {
    return (this.end - this.start) / this.width;
  }

  fit(axis: Axis): void {
    const pad = Math.max((axis.last - axis.first) * 0.01, axis.kind === 'order' ? 1 : 1e-9);
    this.start = axis.first - pad;
    this.end = axis.last + pad;
  }

  /** Zooms by `factor` (< 1 closer) around axis position `around`. */
  zoom(factor: number, around: number, axis: Axis): void {
    const minSpan = axis.kind === 'order' ? 8 : Math.max((axis.last - axis.first) / 1e6, 1e-6);
    const span = Math.max(minSpan, (this.end - this.start) * factor);
    const k = (around - this.start) / (this.end - this.start);
    this.start = around - k * span;
    this.end = this.start + span;
  }

  pan(dx: number): void {
    this.start += dx;
    this.end += dx;
  }

  /** Pans, when axis position x is out of view, so that it is in view with a margin. */
  reveal(x: number): void {
    const span = this.end - this.start;
    const margin = span * 0.1;
    if (x < this.start) this.pan(x - margin - this.start);
    else if (x > this.end) this.pan(x + margin - this.end);
  }
}

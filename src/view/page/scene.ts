/** What one repaint of the timeline needs, and the geometry the drawing and the hit tests share. */
import type { Axis, Viewport } from './axis.js';
import { LAYOUT } from './colors.js';
import type { Model } from './model.js';

export interface Scene {
  model: Model;
  axis: Axis;
  view: Viewport;
  /** Index of the current event (-1 before the first). */
  current: number;
  /** Event indices to highlight (the active report's excerpt). */
  highlight: ReadonlySet<number>;
  width: number;
  height: number;
}

export const laneTop = (k: number): number => LAYOUT.rulerHeight + LAYOUT.epochHeight + k * LAYOUT.laneHeight;

export function triangle(ctx: CanvasRenderingContext2D, x: number, y: number, h: number, down: boolean, color: string): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  if (down) {
    ctx.moveTo(x - 4, y);
    ctx.lineTo(x + 4, y);
    ctx.lineTo(x, y + h);
  } else {
    ctx.moveTo(x - 4, y + h);
    ctx.lineTo(x + 4, y + h);
    ctx.lineTo(x, y);
  }
  ctx.closePath();
  ctx.fill();
}


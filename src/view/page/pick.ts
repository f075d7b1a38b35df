/** Which event a click on the canvas means: the nearest event of the lane under the pointer, within a few pixels. */
import type { Axis, Viewport } from './axis.js';
import { LAYOUT } from './colors.js';
import { laneTop } from './scene.js';
import { lastAtOrBefore, type Model } from './model.js';

const REACH_PX = 8;

function nearest(indices: readonly number[], axis: Axis, view: Viewport, x: number): number | null {
  if (indices.length === 0) return null;
  const at = view.at(x);
  const k = lastAtOrBefore(indices, at, (i) => axis.pos[i]!);
  let best: number | null = null;
  let bestPx = REACH_PX + 1;
  for (const j of [k, k + 1]) {
    const i = indices[j];
    if (i === undefined) continue;
    const d = Math.abs(view.px(axis.pos[i]!) - x);
    if (d < bestPx) {
      best = i;
      bestPx = d;
    }
  }
  return bestPx <= REACH_PX ? best : null;
}

export function pickEvent(model: Model, axis: Axis, view: Viewport, x: number, y: number): number | null {
  if (x < view.left) return null;
  const firstLane = laneTop(0);
  if (y >= LAYOUT.rulerHeight && y < firstLane) return nearest(model.steps.map((s) => s.i), axis, view, x);
  const k = Math.floor((y - firstLane) / LAYOUT.laneHeight);
  const lane = model.lanes[k];
  return lane === undefined ? null : nearest(lane.events, axis, view, x);
}

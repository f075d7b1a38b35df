/**
 * How a person drives the timeline: the toolbar's buttons, the keys
 * (← → step, Shift for ten, Home End, Space play/pause, + - 0 zoom, a d
 * pan, n p next and previous violation, t the axis), the mouse on the canvas (wheel
 * zooms around the pointer, Shift+wheel or a drag pans, a click picks the
 * nearest event).
 */
import { button, el } from './dom.js';

/** What the controls act on (the App). */
export interface Controlled {
  step(delta: number): void;
  goEdge(end: boolean): void;
  togglePlay(): void;
  setSpeed(eventsPerSecond: number): void;
  zoom(factor: number, aroundPx?: number): void;
  fit(): void;
  panPx(dx: number): void;
  /** Pans by this fraction of the view's width. */
  panBy(fraction: number): void;
  nextViolation(delta: 1 | -1): void;
  toggleAxis(): void;
  pick(x: number, y: number): void;
}

export const SPEEDS = [1, 4, 10, 40, 100, 400, 2000];

export function toolbar(app: Controlled, status: HTMLElement): HTMLElement {
  const speed = el('select', { title: 'play speed (events per second)', 'data-action': 'speed' },
    ...SPEEDS.map((s) => el('option', { value: String(s), ...(s === 10 ? { selected: '' } : {}) }, `${s} ev/s`)));
  speed.addEventListener('change', () => app.setSpeed(Number(speed.value)));
  return el('div.toolbar', { role: 'toolbar' },
    button('|◀', 'first event (Home)', () => app.goEdge(false), 'first'),
    button('◀ back', 'step back one event (←)', () => app.step(-1), 'back'),
    button('▶ play', 'play or pause (Space)', () => app.togglePlay(), 'play'),
    button('forward ▶', 'step forward one event (→)', () => app.step(1), 'forward'),
    button('▶|', 'last event (End)', () => app.goEdge(true), 'last'),
    speed,
    el('span.sep', {}),
    button('+', 'zoom in (+)', () => app.zoom(0.5), 'zoom-in'),
    button('−', 'zoom out (-)', () => app.zoom(2), 'zoom-out'),
    button('fit', 'show every event (0)', () => app.fit(), 'fit'),
    button('◁', 'pan left (a)', () => app.panBy(-0.25), 'pan-left'),
    button('▷', 'pan right (d)', () => app.panBy(0.25), 'pan-right'),
    button('axis: order', 'switch between event order and time (t)', () => app.toggleAxis(), 'axis'),
    el('span.sep', {}),
    button('◀ violation', 'previous violation (p)', () => app.nextViolation(-1), 'prev-violation'),
    button('next violation ▶', 'next violation (n)', () => app.nextViolation(1), 'next-violation'),
    status);
}

const KEYS: Record<string, (app: Controlled, shift: boolean) => void> = {
  ArrowRight: (a, shift) => a.step(shift ? 10 : 1),
  ArrowLeft: (a, shift) => a.step(shift ? -10 : -1),
  Home: (a) => a.goEdge(false),
  End: (a) => a.goEdge(true),
  ' ': (a) => a.togglePlay(),
  '+': (a) => a.zoom(0.5),
  '=': (a) => a.zoom(0.5),
  '-': (a) => a.zoom(2),
  '0': (a) => a.fit(),
  n: (a) => a.nextViolation(1),
  p: (a) => a.nextViolation(-1),
  t: (a) => a.toggleAxis(),
  a: (a) => a.panBy(-0.25),
  d: (a) => a.panBy(0.25),
};

export function bindKeys(app: Controlled): void {
  document.addEventListener('keydown', (ev) => {
    const target = ev.target as HTMLElement | null;
    if (target && (target.tagName === 'SELECT' || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    // Space on a focused button presses that button.
    if (target?.tagName === 'BUTTON' && ev.key === ' ') return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const act = KEYS[ev.key];
    if (act === undefined) return;
    ev.preventDefault();
    act(app, ev.shiftKey);
  });
}

export function bindCanvas(app: Controlled, canvas: HTMLCanvasElement): void {
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const rect = canvas.getBoundingClientRect();
    if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) app.panPx(ev.shiftKey ? ev.deltaY : ev.deltaX);
    else app.zoom(Math.exp(ev.deltaY * 0.002), ev.clientX - rect.left);
  }, { passive: false });
  let drag: { x: number; moved: boolean } | null = null;
  canvas.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, moved: false }; });
  window.addEventListener('mousemove', (ev) => {
    if (drag === null) return;
    const dx = ev.clientX - drag.x;
    if (Math.abs(dx) < 3 && !drag.moved) return;
    drag.moved = true;
    app.panPx(-dx);
    drag.x = ev.clientX;
  });
  window.addEventListener('mouseup', (ev) => {
    if (drag !== null && !drag.moved && ev.target === canvas) {
      const rect = canvas.getBoundingClientRect();
      app.pick(ev.clientX - rect.left, ev.clientY - rect.top);
    }
    drag = null;
  });
}

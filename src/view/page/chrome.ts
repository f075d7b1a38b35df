/** The parts of the page around the timeline: the heading with the run, the window's note, the legend. */
import { el } from './dom.js';
import { COLOR, resultColor } from './colors.js';
import { fmt } from './format.js';
import type { TraceDocument, ViewDocument } from './types.js';

export function heading(doc: ViewDocument): HTMLElement {
  return el('header', {}, el('h1', {}, doc.title), el('p.generator', {}, doc.generator));
}

/** `smoke, seed 1, 2 CPUs, profile documented, controlled (random), no mutant: 170 events`. */
export function runLine(trace: TraceDocument): string {
  const r = trace.run;
  const mode = r.mode === 'controlled' ? `controlled${r.strategy ? ` (${r.strategy})` : ''}` : 'free-running';
  const count = trace.window ? `${fmt(trace.events.length)} of ${fmt(trace.window.total)} events` : `${fmt(trace.events.length)} events`;
  return `${r.scenario}, seed ${r.seed}, ${r.cpus} CPU${r.cpus === 1 ? '' : 's'}, profile ${r.profile}, ${mode}, ` +
    `${r.mutant ? `mutant ${r.mutant}` : 'no mutant'}: ${count}, ${trace.reports.length} violation report${trace.reports.length === 1 ? '' : 's'}`;
}

/** What part of a long trace is shown, and what was left out. */
export function windowNote(trace: TraceDocument): HTMLElement | null {
  const w = trace.window;
  if (w === null) return null;
  const dropped = Object.entries(w.dropped ?? {}).slice(0, 8).map(([name, n]) => `${fmt(n)} ${name}`).join(', ');
  return el('div.window', { role: 'note' }, el('strong', {}, 'Part of a long trace. '), w.note,
    dropped ? el('span.muted', {}, ` Left out: ${dropped}.`) : null,
    el('span.muted', {}, ' Dashed bands mark where events were left out; the retire queues and epochs after a band start from the state the run was in there.'));
}

const swatch = (color: string, text: string, shape = 'box'): HTMLElement =>
  el('span.key', {}, el(`span.sw.${shape}`, { style: `background:${color}` }), text);

export function legend(): HTMLElement {
  return el('div.legend', {},
    swatch(COLOR.PASSIVE, 'PASSIVE'), swatch(COLOR.DISPATCH, 'DISPATCH'), swatch(COLOR.epoch, 'epoch (enter..exit)'),
    swatch(resultColor('EBPF_SUCCESS'), 'op: SUCCESS'), swatch(resultColor('EBPF_OBJECT_NOT_FOUND'), 'op: NOT_FOUND'),
    swatch(resultColor('EBPF_OPERATION_NOT_SUPPORTED'), 'op: NOT_SUPPORTED'), swatch(resultColor('EBPF_NO_MEMORY'), 'op: other error'),
    swatch(COLOR.open, 'op: open'), swatch(COLOR.callback, 'callback'), swatch('transparent', 'bucket lock', 'outline'),
    swatch(COLOR.retire, 'retire', 'down'), swatch(COLOR.free, 'free', 'up'), swatch(COLOR.read, 'read', 'dot'),
    swatch(COLOR.advance, 'epoch advance', 'bar'), swatch(COLOR.violation, 'violation'), swatch(COLOR.highlight, 'report excerpt'));
}

export function keysHelp(): HTMLElement {
  return el('p.keys', {}, 'Keys: ← → step (Shift: 10), Home End, Space play/pause, + − 0 zoom, a d pan, n p next/previous violation, t axis. ' +
    'Mouse: wheel zooms, Shift+wheel or drag pans, click picks an event.');
}

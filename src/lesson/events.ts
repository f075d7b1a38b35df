/**
 * Small readers of trace events for lesson predicates and narration: typed
 * field access (fail loudly on a missing field), an event-shape test, and
 * the words a narration uses for a lane.
 */
import type { TraceEvent } from '../trace/decode.js';

/** A numeric field; an error if the event has none (a predicate on the wrong event). */
export function num(e: TraceEvent, field: string): number {
  const v = e[field];
  if (typeof v !== 'number') throw new Error(`event #${e.seq} (${e.event}) has no numeric field ${field}`);
  return v;
}

export function str(e: TraceEvent, field: string): string {
  const v = e[field];
  if (typeof v !== 'string') throw new Error(`event #${e.seq} (${e.event}) has no text field ${field}`);
  return v;
}

/** True when `e` is an `event` whose fields include every one of `fields` (cpu included). */
export function is(e: TraceEvent, event: string, fields: Readonly<Record<string, unknown>> = {}): boolean {
  if (e.event !== event) return false;
  for (const [k, v] of Object.entries(fields)) if (e[k] !== v) return false;
  return true;
}

/** "CPU 1", or "the epoch manager" for the system lane. */
export const who = (cpu: number): string => (cpu < 0 ? 'the epoch manager' : `CPU ${cpu}`);

/** "#42": how a narration names an event. */
export const at = (e: TraceEvent): string => `#${e.seq}`;

/** Every event after `from` (a seq) and up to `to` that `pred` accepts. */
export function between(events: readonly TraceEvent[], from: number, to: number, pred: (e: TraceEvent) => boolean): TraceEvent[] {
  return events.filter((e) => e.seq > from && e.seq <= to && pred(e));
}

/** Retired blocks not yet freed just after event `seq`: the garbage waiting for its epoch. */
export function garbageAt(events: readonly TraceEvent[], seq: number): number {
  let n = 0;
  for (const e of events) {
    if (e.seq > seq) break;
    if (e.event === 'retire') n++;
    else if (e.event === 'free' && num(e, 'stamp') > 0) n--;
  }
  return n;
}

/** The last event before `seq` that `pred` accepts, or undefined. */
export function lastBefore(events: readonly TraceEvent[], seq: number, pred: (e: TraceEvent) => boolean): TraceEvent | undefined {
  let found: TraceEvent | undefined;
  for (const e of events) {
    if (e.seq >= seq) break;
    if (pred(e)) found = e;
  }
  return found;
}

/** The CPUs inside an epoch just after event `seq`, each with the epoch its outermost enter read. */
export function inEpochAt(events: readonly TraceEvent[], seq: number): Map<number, number> {
  const active = new Map<number, number>();
  for (const e of events) {
    if (e.seq > seq) break;
    if (e.event === 'epoch_enter' && num(e, 'depth') === 1) active.set(e.cpu, num(e, 'epoch'));
    else if (e.event === 'epoch_exit' && num(e, 'depth') === 0) active.delete(e.cpu);
  }
  return active;
}

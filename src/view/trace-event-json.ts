/**
 * A Trace Event Format file (the JSON that ui.perfetto.dev, chrome://tracing
 * and speedscope open), written as it goes: `{"displayTimeUnit":...,
 * "traceEvents":[` first, one event per line in batches of synchronous
 * writes, and `],"otherData":{...}}` at the end, so a long run's export
 * never sits in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_CHARS = 1 << 16;

export class TraceEventJson {
  private readonly fd: number;
  private pending: string;
  private first = true;
  /** Events written so far. */
  count = 0;

  constructor(readonly path: string, displayTimeUnit: 'ns' | 'ms') {
    this.fd = openSync(path, 'w');
    this.pending = `{"displayTimeUnit":${JSON.stringify(displayTimeUnit)},"traceEvents":[\n`;
  }

  /** One event object; its keys are written in the order given. */
  add(event: Record<string, unknown>): void {
    this.addJson(JSON.stringify(event));
  }

  /** One event already written as JSON (the hot paths build their text directly). */
  addJson(json: string): void {
    this.pending += (this.first ? '' : ',\n') + json;
    this.first = false;
    this.count++;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }

  /** Ends the array and the object; `otherData` is what chrome://tracing shows as the trace's metadata. */
  close(otherData: Record<string, unknown>): void {
    this.pending += `\n],"otherData":${JSON.stringify(otherData)}}\n`;
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Integer ticks (thousandths of a microsecond) as microseconds in JSON:
 * the same text JSON.stringify(ticks / 1000) gives, made without a float.
 */
export function micros(ticks: number): string {
  const whole = Math.floor(ticks / 1000);
  const frac = ticks - whole * 1000;
  if (frac === 0) return String(whole);
  if (frac % 100 === 0) return `${whole}.${frac / 100}`;
  if (frac % 10 === 0) return `${whole}.${String(frac / 10).padStart(2, '0')}`;
  return `${whole}.${String(frac).padStart(3, '0')}`;
}

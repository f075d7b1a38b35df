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
    this.pending += (this.first ? '' : ',\n') + JSON.stringify(event);
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

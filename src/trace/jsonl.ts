/**
 * A JSON Lines trace file: one event object per line, written in batches
 * with synchronous writes so memory stays bounded however long the run.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceEvent } from './decode.js';

export interface TraceSink {
  write(event: TraceEvent): void;
  close(): void;
  /**
   * Where a checked run's contract checker found a violation it reports in
   * full: its rule and the seq of the event it fired at (for a sink that
   * keeps what is around violations). Told right after that event was
   * written to every sink.
   */
  onReport?(rule: string, seq: number): void;
}

const FLUSH_BYTES = 1 << 16;

export class JsonlSink implements TraceSink {
  private readonly fd: number;
  private pending = '';

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(event: TraceEvent): void {
    this.pending += JSON.stringify(event) + '\n';
    if (this.pending.length >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Keeps every event in memory (tests and small runs). */
export class MemorySink implements TraceSink {
  readonly events: TraceEvent[] = [];

  write(event: TraceEvent): void {
    this.events.push(event);
  }

  close(): void {
    // nothing to release
  }
}

/**
 * A trace sink that keeps only a SHA-256 digest of the event stream: two
 * runs with the same digest produced the same events, fields and order.
 */
import { createHash, Hash } from 'node:crypto';
import type { TraceEvent } from './decode.js';
import type { TraceSink } from './jsonl.js';

export class DigestSink implements TraceSink {
  private readonly hash: Hash = createHash('sha256');
  events = 0;
  private result: string | null = null;

  write(event: TraceEvent): void {
    this.hash.update(JSON.stringify(event));
    this.hash.update('\n');
    this.events++;
  }

  close(): void {
    if (this.result === null) this.result = this.hash.digest('hex');
  }

  /** The digest (closes the sink). */
  digest(): string {
    this.close();
    return this.result as string;
  }
}

/**
 * A trace sink that keeps only a SHA-256 digest of the event stream: two
 * runs with the same digest produced the same events, fields and order.
 */
import { createHash, Hash } from 'node:crypto';
import type { TraceEvent } from './decode.js';
import type { TraceSink } from './jsonl.js';

/** Text hashed in one update once this long (the digest is that of the whole text, however it is cut). */
const UPDATE_CHARS = 1 << 16;

export class DigestSink implements TraceSink {
  private readonly hash: Hash = createHash('sha256');
  events = 0;
  private result: string | null = null;
  private pending = '';

  write(event: TraceEvent): void {
    this.pending += JSON.stringify(event) + '\n';
    if (this.pending.length >= UPDATE_CHARS) this.flush();
    this.events++;
  }

  close(): void {
    if (this.result !== null) return;
    this.flush();
    this.result = this.hash.digest('hex');
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.pending);
    this.pending = '';
  }

  /** The digest (closes the sink). */
  digest(): string {
    this.close();
    return this.result as string;
  }
}

/**
 * The last events of each CPU, for violation excerpts. A fixed ring per CPU:
 * memory stays bounded however long the run.
 */
import type { TraceEvent } from '../trace/decode.js';

export class History {
  private readonly rings = new Map<number, { items: TraceEvent[]; next: number }>();

  constructor(private readonly perCpu: number) {}

  push(e: TraceEvent): void {
    let ring = this.rings.get(e.cpu);
    if (!ring) {
      ring = { items: [], next: 0 };
      this.rings.set(e.cpu, ring);
    }
    if (ring.items.length < this.perCpu) ring.items.push(e);
    else ring.items[ring.next] = e;
    ring.next = (ring.next + 1) % this.perCpu;
  }

  /** Up to `n` most recent events of `cpu` with seq <= `upTo`, oldest first. */
  recent(cpu: number, n: number, upTo: number): TraceEvent[] {
    const ring = this.rings.get(cpu);
    if (!ring) return [];
    const ordered = ring.items.length < this.perCpu
      ? ring.items
      : [...ring.items.slice(ring.next), ...ring.items.slice(0, ring.next)];
    return ordered.filter((e) => e.seq <= upTo).slice(-n);
  }
}

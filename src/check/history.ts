/**
 * The last events of each CPU, for violation excerpts. A fixed ring per CPU:
 * memory stays bounded however long the run. While a run goes the ring
 * holds the EventViews rules read; an excerpt turns them into TraceEvents.
 */
import type { TraceEvent } from '../trace/decode.js';
import { asEvent } from '../trace/event-view.js';

interface Ring { items: TraceEvent[]; next: number }

export class History {
  /** Indexed by cpu + 1 (cpu -1 is the system lane); other cpu numbers (a trace file's) in `others`. */
  private readonly rings: Array<Ring | undefined> = [];
  private readonly others = new Map<number, Ring>();

  constructor(private readonly perCpu: number) {}

  /** Keeps `e`; returns the event it pushed out of the ring, if any. */
  push(e: TraceEvent): TraceEvent | undefined {
    const ring = this.ring(e.cpu);
    let out: TraceEvent | undefined;
    if (ring.items.length < this.perCpu) ring.items.push(e);
    else {
      out = ring.items[ring.next];
      ring.items[ring.next] = e;
    }
    ring.next = ring.next + 1 === this.perCpu ? 0 : ring.next + 1;
    return out;
  }

  /** Up to `n` most recent events of `cpu` with seq <= `upTo`, oldest first. */
  recent(cpu: number, n: number, upTo: number): TraceEvent[] {
    const ring = this.find(cpu);
    if (!ring) return [];
    const ordered = ring.items.length < this.perCpu
      ? ring.items
      : [...ring.items.slice(ring.next), ...ring.items.slice(0, ring.next)];
    return ordered.filter((e) => e.seq <= upTo).slice(-n).map(asEvent);
  }

  /** The newest event of `cpu`, or null. */
  latest(cpu: number): TraceEvent | null {
    const ring = this.find(cpu);
    if (!ring || ring.items.length === 0) return null;
    return asEvent(ring.items[(ring.next + ring.items.length - 1) % ring.items.length] as TraceEvent);
  }

  private find(cpu: number): Ring | undefined {
    return cpu >= -1 && Number.isInteger(cpu) ? this.rings[cpu + 1] : this.others.get(cpu);
  }

  private ring(cpu: number): Ring {
    let ring = this.find(cpu);
    if (ring === undefined) {
      ring = { items: [], next: 0 };
      if (cpu >= -1 && Number.isInteger(cpu)) this.rings[cpu + 1] = ring;
      else this.others.set(cpu, ring);
    }
    return ring;
  }
}

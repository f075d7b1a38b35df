/**
 * A bounded trace sink for the timeline page: a long run (58 M events in a
 * 60 s default run) becomes a window of at most `limit` events that a
 * browser steps through at ease. It keeps, in this order of priority:
 *
 * - the events around the first `violations` violations the checker reports
 *   outside the events already kept (`before` events leading up to each,
 *   `after` following it), which it learns through TraceSink.onReport;
 * - the last `before` events of the run (map deletes, the final frees);
 * - the first events, in what the budget leaves.
 *
 * Every kept run of consecutive events is a segment that starts with the
 * state the left-out events before it left behind: the published and
 * released epochs and the retire queues. The sink counts what it drops, by
 * event name. Memory stays bounded: the kept events, a ring of the last
 * `before` events, and the blocks waiting on the retire queues.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { TraceSink } from '../trace/jsonl.js';
import type { RetiredBlock, TraceWindow, WindowSegment } from './document.js';

export interface CollectOptions {
  /** Most events kept in all (default 150,000). */
  limit?: number;
  /** Events kept before each violation, and at the end of the run (default 2,000). */
  before?: number;
  /** Events kept after each violation (default 500). */
  after?: number;
  /** Violations that get a window of their own (default 8). */
  violations?: number;
}

/** The epochs and retire queues as the events so far left them. */
class RetireState {
  published = 1;
  released = 0;
  readonly retired = new Map<number, RetiredBlock>();

  apply(e: TraceEvent): void {
    switch (e.event) {
      case 'retire': {
        const block = Number(e['block']);
        this.retired.delete(block);
        this.retired.set(block, { cpu: e.cpu, block, stamp: Number(e['epoch']), tag: String(e['tag'] ?? ''), seq: e.seq });
        break;
      }
      case 'free': this.retired.delete(Number(e['block'])); break;
      case 'epoch_advance':
        this.published = Number(e['epoch']);
        this.released = Number(e['released']);
        break;
      default: break;
    }
  }

  snapshot(from: number): WindowSegment {
    return { from, to: from, published: this.published, released: this.released, retired: [...this.retired.values()].map((b) => ({ ...b })) };
  }
}

interface Segment {
  start: WindowSegment;
  events: TraceEvent[];
}

export interface Collected {
  events: TraceEvent[];
  /** null when every event was kept. */
  window: TraceWindow | null;
}

export class WindowCollector implements TraceSink {
  private readonly limit: number;
  private readonly before: number;
  private readonly after: number;
  private readonly maxWindows: number;
  private total = 0;
  private kept = 0;
  private firstSeq = Number.NaN;
  private lastSeq = Number.NaN;
  /** seq of the newest kept event: every ring event up to it is kept, none after it. */
  private lastKept = Number.NEGATIVE_INFINITY;
  /** How many more of the coming events the stream keeps (the head first, then after each violation). */
  private open: number;
  private readonly segments: Segment[] = [];
  private readonly ring: TraceEvent[] = [];
  private ringNext = 0;
  /** The state just before the ring's oldest event, and the seq of the event that left the ring last. */
  private readonly lagged = new RetireState();
  private lastEvicted = Number.NEGATIVE_INFINITY;
  private readonly dropped = new Map<string, number>();
  private readonly windowed: number[] = [];
  private readonly unwindowed = { count: 0, first: [] as number[] };
  private closed = false;

  constructor(options: CollectOptions = {}) {
    this.limit = options.limit ?? 150_000;
    this.before = Math.max(1, options.before ?? 2_000);
    this.after = options.after ?? 500;
    this.maxWindows = options.violations ?? 8;
    // What the head may take: the budget less what the violations and the end may need.
    this.open = Math.max(0, this.limit - this.maxWindows * (this.before + this.after) - this.before);
  }

  write(e: TraceEvent): void {
    if (this.total === 0) this.firstSeq = e.seq;
    this.total++;
    this.lastSeq = e.seq;
    this.remember(e);
    if (this.open > 0 && this.kept < this.limit) {
      this.open--;
      if (this.segments.length === 0) this.segments.push({ start: this.lagged.snapshot(e.seq), events: [] });
      this.keep([e]);
    }
  }

  /** A violation at an event already kept needs no window; one outside them gets a window while slots and budget last. */
  onReport(_rule: string, seq: number): void {
    if (seq <= this.lastKept || this.windowed.includes(seq)) return;
    if (this.windowed.length >= this.maxWindows || this.kept + this.pending() + this.after > this.limit) {
      if (this.unwindowed.first.length < 5 && !this.unwindowed.first.includes(seq)) this.unwindowed.first.push(seq);
      this.unwindowed.count++;
      return;
    }
    this.windowed.push(seq);
    this.keepRing();
    this.open = Math.max(this.open, this.after);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.kept + this.pending() <= this.limit) this.keepRing();
    for (const e of this.ring) if (e.seq > this.lastKept) this.drop(e);
  }

  /** The kept events and what the page should say about them (closes the sink). */
  result(): Collected {
    this.close();
    const events = this.segments.flatMap((s) => s.events);
    if (this.kept === this.total) return { events, window: null };
    const segments = this.segments.map((s) => ({ ...s.start, to: s.events[s.events.length - 1]!.seq }));
    return {
      events,
      window: {
        from: events[0]?.seq ?? 0, to: events[events.length - 1]?.seq ?? 0, total: this.total,
        note: this.note(segments), segments,
        dropped: Object.fromEntries([...this.dropped].sort((a, b) => b[1] - a[1])),
      },
    };
  }

  /** Ring events not kept yet. */
  private pending(): number {
    let n = 0;
    for (const e of this.ring) if (e.seq > this.lastKept) n++;
    return n;
  }

  private remember(e: TraceEvent): void {
    if (this.ring.length < this.before) {
      this.ring.push(e);
      return;
    }
    const oldest = this.ring[this.ringNext]!;
    if (oldest.seq > this.lastKept) this.drop(oldest);
    this.lagged.apply(oldest);
    this.lastEvicted = oldest.seq;
    this.ring[this.ringNext] = e;
    this.ringNext = (this.ringNext + 1) % this.before;
  }

  /** Keeps the ring's events not kept yet: they follow the last segment, or start a new one at the ring's oldest. */
  private keepRing(): void {
    const ordered = [...this.ring.slice(this.ringNext), ...this.ring.slice(0, this.ringNext)];
    const fresh = ordered.filter((e) => e.seq > this.lastKept);
    if (fresh.length === 0) return;
    // The fresh events follow the last segment when the ring reaches back to a kept event, or the event just before the ring was kept.
    const follows = this.segments.length > 0 && (ordered[0]!.seq <= this.lastKept || this.lastEvicted === this.lastKept);
    if (!follows) {
      this.segments.push({ start: this.lagged.snapshot(fresh[0]!.seq), events: [] });
    }
    this.keep(fresh);
  }

  /** Appends to the last segment. */
  private keep(events: TraceEvent[]): void {
    const segment = this.segments[this.segments.length - 1]!;
    for (const e of events) segment.events.push(e);
    this.kept += events.length;
    this.lastKept = events[events.length - 1]!.seq;
  }

  private drop(e: TraceEvent): void {
    this.dropped.set(e.event, (this.dropped.get(e.event) ?? 0) + 1);
  }

  /** "Showing 130,000 of 58,109,531 events: #1-#127,500 (the start), ... ." */
  private note(segments: WindowSegment[]): string {
    const n = (x: number): string => x.toLocaleString('en-US');
    const described = segments.map((s) => {
      const what: string[] = [];
      if (s.from === this.firstSeq) what.push('the start');
      const around = this.windowed.filter((v) => v >= s.from && v <= s.to).sort((a, b) => a - b);
      if (around.length > 0) what.push(`around the violation${around.length > 1 ? 's' : ''} at ${around.map((v) => `#${n(v)}`).join(', ')}`);
      if (s.to === this.lastSeq) what.push('the end');
      return `#${n(s.from)}-#${n(s.to)}${what.length > 0 ? ` (${what.join(', ')})` : ''}`;
    });
    const u = this.unwindowed;
    const missed = u.count === 0 ? ''
      : `; ${n(u.count)} more violation(s) outside it, from #${n(u.first[0]!)}`;
    return `Showing ${n(this.kept)} of ${n(this.total)} events: ${described.join(', ')}${missed}.`;
  }
}

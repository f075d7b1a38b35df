/**
 * One lane (a CPU, or the epoch manager) turned into properly nested slices,
 * for the Perfetto export. The trace gives begins and ends (op_begin ..
 * op_end, epoch_enter .. epoch_exit, bucket_lock .. bucket_unlock), callbacks
 * known only when they return (start = t - dur), and points (retire, free,
 * advance). A small stack per lane pairs them into complete
 * slices with a start and an end.
 *
 * Times are integer ticks (ns free-running, a thousandth of a decision in
 * controlled mode). The slices of one lane always nest: two slices are
 * either apart or one holds the other. Viewers compare times as floats
 * (ts + dur), so a child also ends strictly before its parent and siblings
 * are at least one tick apart; where the trace would break that (an end
 * that does not match the innermost begin, a callback whose computed start
 * falls inside an earlier sibling), the slice is clipped and says so in its
 * args. Memory per lane is the stack and a few recent children per level.
 */

/** A finished slice, in ticks. */
export interface Slice {
  name: string;
  cat: string;
  start: number;
  end: number;
  args: Record<string, unknown>;
}

/** How long a point's marker slice lasts at most: 1 µs, or one decision. */
export const MARK_TICKS = 1000;

/** Closed children remembered per level, for a callback that reaches back over them. */
const RECENT_CHILDREN = 16;

/** A point's marker, once the lane's next event has bounded it; `placed` hears where it went. */
interface Mark {
  name: string;
  cat: string;
  args: Record<string, unknown>;
  placed: (start: number, end: number) => void;
}

/** A closed child of a frame; a marker stays unwritten (`mark` set) while a callback may still shorten it. */
interface Child {
  start: number;
  end: number;
  mark: Mark | null;
}

interface Frame {
  kind: string;
  match: string;
  name: string;
  cat: string;
  start: number;
  args: Record<string, unknown>;
  /** The latest closed children, oldest first. */
  recent: Child[];
  /** End of the newest child that fell out of `recent` (-1: none). */
  dropped: number;
  /** End of the newest closed child (-1: none). */
  lastEnd: number;
}

const frame = (kind: string, match: string, name: string, cat: string, start: number, args: Record<string, unknown>): Frame =>
  ({ kind, match, name, cat, start, args, recent: [], dropped: -1, lastEnd: -1 });

export class LaneTrack {
  private readonly stack: Frame[] = [frame('root', '', '', '', 0, {})];
  /** A point whose marker waits for the lane's next event. */
  private pending: (Mark & { start: number }) | null = null;
  /** Slices cut short because the trace did not nest there. */
  clipped = 0;
  /** Ends with no matching begin on this lane (ignored). */
  unmatched = 0;

  constructor(private readonly emit: (s: Slice) => void) {}

  private top(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  /** The earliest tick a new child of `f` may start at. */
  private static floor(f: Frame): number {
    return f.lastEnd >= 0 ? f.lastEnd + 1 : f.start;
  }

  /** A begin: a slice opens at `t` (or just after the previous sibling). */
  open(kind: string, match: string, name: string, cat: string, t: number, args: Record<string, unknown>): void {
    this.settle(t);
    this.stack.push(frame(kind, match, name, cat, Math.max(t, LaneTrack.floor(this.top())), args));
  }

  /**
   * An end: closes the innermost open slice of this kind and match at `t`.
   * Slices opened inside it and still open are clipped at the same point.
   * Returns false (and ignores the end) when nothing matches.
   */
  close(kind: string, match: string, t: number, args: Record<string, unknown> = {}): boolean {
    this.settle(t);
    let i = this.stack.length - 1;
    while (i > 0 && !(this.stack[i]!.kind === kind && this.stack[i]!.match === match)) i--;
    if (i === 0) {
      this.unmatched++;
      return false;
    }
    while (this.stack.length - 1 > i) this.closeTop(t, { clipped: 'its end came after its parent\'s' });
    this.closeTop(t, args);
    return true;
  }

  private closeTop(t: number, args: Record<string, unknown>): void {
    const f = this.stack.pop() as Frame;
    for (const c of f.recent) this.writeMark(c);
    if ('clipped' in args) this.clipped++;
    const end = Math.max(t, f.lastEnd >= 0 ? f.lastEnd + 1 : f.start);
    this.emit({ name: f.name, cat: f.cat, start: f.start, end, args: Object.assign(f.args, args) });
    this.addChild(this.top(), { start: f.start, end, mark: null });
  }

  private addChild(parent: Frame, c: Child): void {
    parent.recent.push(c);
    if (parent.recent.length > RECENT_CHILDREN) {
      const old = parent.recent.shift() as Child;
      parent.dropped = old.end;
      this.writeMark(old);
    }
    parent.lastEnd = c.end;
  }

  /** Writes a marker that can no longer change. */
  private writeMark(c: Child): void {
    const m = c.mark;
    if (m === null) return;
    c.mark = null;
    this.emit({ name: m.name, cat: m.cat, start: c.start, end: c.end, args: m.args });
    m.placed(c.start, c.end);
  }

  /**
   * A slice known only at its end (a provider callback): it began at
   * `start` and returned at `t`. Children closed after `start` become its
   * children; a marker that began before `start` is shortened to end before
   * it; a slice that began before `start` and ended after it moves the start
   * past it (clipped).
   */
  complete(name: string, cat: string, start: number, t: number, args: Record<string, unknown>): void {
    const parent = this.top();
    const wanted = Math.max(start, parent.start);
    const pending = this.pending;
    if (pending !== null) this.settle(pending.start >= wanted ? t : wanted);
    const s = LaneTrack.startAfterSiblings(parent, wanted);
    let lastInside = -1;
    while (parent.recent.length > 0 && parent.recent[parent.recent.length - 1]!.start >= s) {
      const c = parent.recent.pop() as Child;
      lastInside = Math.max(lastInside, c.end);
      this.writeMark(c);
    }
    parent.lastEnd = parent.recent.length > 0 ? parent.recent[parent.recent.length - 1]!.end : parent.dropped;
    const end = Math.max(t, s, lastInside + 1);
    // One tick later only keeps it apart from a sibling that ended just where it began: not a clip.
    const clipped = s > wanted + 1;
    if (clipped) this.clipped++;
    this.emit({ name, cat, start: s, end, args: clipped ? { ...args, clipped: 'it began inside an earlier slice' } : args });
    this.addChild(parent, { start: s, end, mark: null });
  }

  /** Where a child of `parent` may start, at `s` or later: a straddling marker is shortened, a straddling slice moves it on. */
  private static startAfterSiblings(parent: Frame, s: number): number {
    for (let i = parent.recent.length - 1; i >= 0; i--) {
      const c = parent.recent[i]!;
      if (c.start >= s) continue;
      if (c.end < s) return s;
      if (c.mark === null) return c.end + 1;
      c.end = s - 1;
      return s;
    }
    return parent.dropped >= s ? parent.dropped + 1 : s;
  }

  /**
   * A point (retire, free, advance): a marker slice that starts at `t` and
   * lasts until just before the lane's next event, at most MARK_TICKS.
   * Returns where it starts; `placed` learns where it went once that is
   * settled.
   */
  mark(name: string, cat: string, t: number, args: Record<string, unknown>, placed: (start: number, end: number) => void): number {
    this.settle(t);
    const start = Math.max(t, LaneTrack.floor(this.top()));
    this.pending = { name, cat, start, args, placed };
    return start;
  }

  /** Bounds the pending marker by `next`, the time of the lane's next event. */
  private settle(next: number): void {
    const m = this.pending;
    if (m === null) return;
    this.pending = null;
    const end = Math.max(m.start, Math.min(m.start + MARK_TICKS, next - 1));
    this.addChild(this.top(), { start: m.start, end, mark: m });
  }

  /** The end of the trace: the last marker gets its full length; open slices end at `t`, marked unfinished. */
  finish(t: number): void {
    this.settle(Number.MAX_SAFE_INTEGER);
    while (this.stack.length > 1) this.closeTop(Math.max(t, this.top().start), { unfinished: true });
    for (const c of this.top().recent) this.writeMark(c);
  }
}

/**
 * The runtime's reclamation state after any event: the published and
 * released epochs and each lane's retire queue (blocks retired and not yet
 * freed, oldest first). A retire adds its block to its lane's queue; a free
 * takes the block off whichever queue holds it; an epoch_advance moves the
 * epochs. Where the window left events out, a segment starts from the state
 * the collector recorded. Checkpoints every CHECKPOINT events keep a step
 * back as cheap as a step forward.
 */
import type { Model } from './model.js';
import type { RetiredBlock, TraceEvent, WindowSegment } from './types.js';

const CHECKPOINT = 2048;

export interface QueueState {
  published: number;
  released: number;
  /** Retired blocks by block address, in retire order. */
  retired: Map<number, RetiredBlock>;
}

const fresh = (): QueueState => ({ published: 1, released: 0, retired: new Map() });

const copy = (s: QueueState): QueueState => ({ published: s.published, released: s.released, retired: new Map(s.retired) });

function fromSegment(seg: WindowSegment): QueueState {
  return { published: seg.published, released: seg.released, retired: new Map(seg.retired.map((b) => [b.block, { ...b }])) };
}

function apply(s: QueueState, e: TraceEvent): void {
  switch (e.event) {
    case 'retire': {
      const block = Number(e['block']);
      s.retired.delete(block);
      s.retired.set(block, { cpu: e.cpu, block, stamp: Number(e['epoch']), tag: String(e['tag'] ?? ''), seq: e.seq });
      break;
    }
    case 'free': s.retired.delete(Number(e['block'])); break;
    case 'epoch_advance':
      s.published = Number(e['epoch']);
      s.released = Number(e['released']);
      break;
    default: break;
  }
}

export class Queues {
  private readonly checkpoints: QueueState[] = [];
  private readonly segmentAt = new Map<number, WindowSegment>();
  private cached: { index: number; state: QueueState } | null = null;

  constructor(private readonly model: Model) {
    for (const seg of model.trace.window?.segments ?? []) {
      const i = model.indexOfSeq.get(seg.from);
      if (i !== undefined) this.segmentAt.set(i, seg);
    }
    const s = fresh();
    model.events.forEach((e, i) => {
      if (i % CHECKPOINT === 0) this.checkpoints.push(copy(s));
      this.step(s, e, i);
    });
  }

  /** The state after event `index` (before the first event for -1). */
  at(index: number): QueueState {
    if (index < 0) return this.segmentAt.has(0) ? fromSegment(this.segmentAt.get(0)!) : fresh();
    const c = this.cached;
    if (c !== null && c.index === index) return c.state;
    let s: QueueState;
    let from: number;
    if (c !== null && c.index < index && index - c.index < CHECKPOINT) {
      s = copy(c.state);
      from = c.index + 1;
    } else {
      const k = Math.floor(index / CHECKPOINT);
      s = copy(this.checkpoints[k]!);
      from = k * CHECKPOINT;
    }
    for (let i = from; i <= index; i++) this.step(s, this.model.events[i]!, i);
    this.cached = { index, state: s };
    return s;
  }

  /** Each lane's queue after event `index`, oldest first. */
  byLane(index: number): Map<number, RetiredBlock[]> {
    const out = new Map<number, RetiredBlock[]>();
    for (const b of this.at(index).retired.values()) {
      let list = out.get(b.cpu);
      if (list === undefined) out.set(b.cpu, (list = []));
      list.push(b);
    }
    return out;
  }

  private step(s: QueueState, e: TraceEvent, i: number): void {
    const seg = this.segmentAt.get(i);
    if (seg !== undefined) {
      const from = fromSegment(seg);
      s.published = from.published;
      s.released = from.released;
      s.retired = from.retired;
    }
    apply(s, e);
  }
}

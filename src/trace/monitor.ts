/**
 * The main thread's trace consumer. It drains every lane's ring while the
 * run goes (so lanes never wait long for room), merges records into one
 * stream in sequence order (a record is emitted only when every smaller
 * sequence number has been seen, so the stream has no gaps), decodes them
 * for the sinks, and keeps the last few events of each lane for reports.
 */
import { Shm } from '../shm/shm.js';
import { TraceReader } from '../shm/trace-ring.js';
import { TraceWord } from '../shm/layout.js';
import { DecodeContext, TraceEvent, decodeRecord } from './decode.js';
import { SeqHeap } from './seq-heap.js';
import type { TraceSink } from './jsonl.js';
import { Ev } from './events.js';

const KEEP_PER_LANE = 32;

export class Monitor {
  private readonly reader: TraceReader;
  private readonly heap = new SeqHeap();
  private readonly recent: TraceEvent[][];
  private readonly scratch: Int32Array[] = [];
  private nextSeq = 1;
  private timer: NodeJS.Timeout | null = null;
  readonly violations: TraceEvent[] = [];
  eventCount = 0;

  constructor(shm: Shm, private readonly ctx: DecodeContext, private readonly sinks: TraceSink[]) {
    this.reader = new TraceReader(shm);
    this.recent = Array.from({ length: shm.layout.lanes }, () => []);
  }

  start(intervalMs = 2): void {
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  /** Drains all rings once and emits every record that is next in sequence. */
  poll(): void {
    const lanes = this.recent.length;
    for (let lane = 0; lane < lanes; lane++) {
      this.scratch.length = 0;
      this.reader.drain(lane, this.scratch);
      for (const rec of this.scratch) this.heap.push({ seq: rec[TraceWord.Seq] as number, lane, rec });
    }
    for (let top = this.heap.peek(); top !== undefined && top.seq <= this.nextSeq; top = this.heap.peek()) {
      this.heap.pop();
      this.emit(top.rec, top.lane);
    }
  }

  /** Final drain after every lane stopped: emits what is left, gaps or not. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll();
    for (let top = this.heap.pop(); top !== undefined; top = this.heap.pop()) this.emit(top.rec, top.lane);
  }

  /** The last events a lane recorded (oldest first). */
  lastEvents(lane: number): TraceEvent[] {
    return this.recent[lane] ?? [];
  }

  /** The largest sequence number emitted so far (run_end takes the next one). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private emit(rec: Int32Array, lane: number): void {
    const event = decodeRecord(rec, lane, this.ctx);
    if (event.seq >= this.nextSeq) this.nextSeq = event.seq + 1;
    this.eventCount++;
    if (rec[TraceWord.Event] === Ev.Violation) this.violations.push(event);
    const recent = this.recent[lane] as TraceEvent[];
    recent.push(event);
    if (recent.length > KEEP_PER_LANE) recent.shift();
    for (const s of this.sinks) s.write(event);
  }
}

/**
 * The main thread's trace consumer. It reads every lane's ring in place
 * while the run goes (so lanes never wait long for room), merges the lanes'
 * records into one stream in sequence order (a k-way merge over the lane
 * fronts; a record is emitted only when every smaller sequence number has
 * been seen, so the stream has no gaps), decodes them for the sinks, and
 * keeps the last few events of each lane for reports. Slots go back to the
 * producers as soon as their records were emitted.
 */
import { Shm } from '../shm/shm.js';
import { TraceReader } from '../shm/trace-ring.js';
import { TRACE_RECORD_WORDS, TraceWord } from '../shm/layout.js';
import { DecodeContext, TraceEvent, decodeRecord } from './decode.js';
import type { TraceSink } from './jsonl.js';
import { Ev } from './events.js';

const KEEP_PER_LANE = 32;

export class Monitor {
  private readonly reader: TraceReader;
  private readonly i32: Int32Array;
  private readonly cursors: number[];
  private readonly tails: number[];
  private readonly recent: TraceEvent[][];
  private readonly recentNext: number[];
  private nextSeq = 1;
  private timer: NodeJS.Timeout | null = null;
  readonly violations: TraceEvent[] = [];
  eventCount = 0;
  /** The latest time any event carried (run_end carries it too). */
  lastTime = 0;

  constructor(shm: Shm, private readonly ctx: DecodeContext, private readonly sinks: TraceSink[]) {
    this.reader = new TraceReader(shm);
    this.i32 = shm.i32;
    const lanes = shm.layout.lanes;
    this.cursors = new Array<number>(lanes).fill(0);
    this.tails = new Array<number>(lanes).fill(0);
    this.recent = Array.from({ length: lanes }, () => []);
    this.recentNext = new Array<number>(lanes).fill(0);
  }

  start(intervalMs = 2): void {
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  /** Emits, in sequence order, every published record that is next in line. */
  poll(final = false): void {
    const lanes = this.cursors.length;
    for (let lane = 0; lane < lanes; lane++) this.tails[lane] = this.reader.tail(lane);
    for (;;) {
      const lane = this.frontLane();
      if (lane < 0) break;
      const w = this.reader.recordWord(lane, this.cursors[lane] as number);
      if (!final && (this.i32[w + TraceWord.Seq] as number) > this.nextSeq) break; // a gap: wait for it
      this.emit(this.i32.subarray(w, w + TRACE_RECORD_WORDS), lane);
      this.cursors[lane]++;
    }
    for (let lane = 0; lane < lanes; lane++) this.reader.release(lane, this.cursors[lane] as number);
  }

  /** The lane whose oldest unconsumed record has the smallest sequence number (-1: none). */
  private frontLane(): number {
    let best = -1;
    let bestSeq = Infinity;
    for (let lane = 0; lane < this.cursors.length; lane++) {
      const cursor = this.cursors[lane] as number;
      if (cursor >= (this.tails[lane] as number)) continue;
      const seq = this.i32[this.reader.recordWord(lane, cursor) + TraceWord.Seq] as number;
      if (seq < bestSeq) {
        bestSeq = seq;
        best = lane;
      }
    }
    return best;
  }

  /** Final drain after every lane stopped: emits what is left, gaps or not. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll(true);
  }

  /** The last events a lane recorded (oldest first). */
  lastEvents(lane: number): TraceEvent[] {
    const ring = this.recent[lane] ?? [];
    const next = this.recentNext[lane] ?? 0;
    return ring.length < KEEP_PER_LANE ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)];
  }

  /** The largest sequence number emitted so far (run_end takes the next one). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private emit(rec: Int32Array, lane: number): void {
    const event = decodeRecord(rec, lane, this.ctx);
    if (event.seq >= this.nextSeq) this.nextSeq = event.seq + 1;
    if (event.t > this.lastTime) this.lastTime = event.t;
    this.eventCount++;
    if (rec[TraceWord.Event] === Ev.Violation) this.violations.push(event);
    const ring = this.recent[lane] as TraceEvent[];
    const next = this.recentNext[lane] as number;
    if (ring.length < KEEP_PER_LANE) ring.push(event);
    else ring[next] = event;
    this.recentNext[lane] = (next + 1) % KEEP_PER_LANE;
    for (const s of this.sinks) s.write(event);
  }
}

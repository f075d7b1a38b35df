/**
 * The main thread's trace consumer. It reads every lane's ring in place
 * while the run goes (so lanes never wait long for room), merges the lanes'
 * records into one stream in sequence order (a record is emitted only when
 * every smaller sequence number has been seen, so the stream has no gaps),
 * decodes them for the sinks, and keeps the last few events of each lane for
 * reports. Slots go back to the producers as soon as their records were
 * emitted, except the last KEEP_PER_LANE of each lane: those stay in the
 * ring, unreleased, for lastEvents (decoded only when asked). Sinks that
 * read records in place (the contract checker) get
 * them so; an event object is built only for sinks that want one.
 *
 * The merge: sequence numbers come from one shared counter, so the record
 * numbered `nextSeq` is at the front of exactly one lane once it is
 * published. The monitor takes records from one lane for as long as its
 * front carries the next number (a run), and looks at the other lanes only
 * when it does not.
 */
import { Shm } from '../shm/shm.js';
import { TraceReader } from '../shm/trace-ring.js';
import { TRACE_RECORD_WORDS, TraceWord } from '../shm/layout.js';
import { DecodeContext, TraceEvent, decodeAt } from './decode.js';
import type { TraceSink } from './jsonl.js';
import { Ev } from './events.js';
import { RecordSink, TraceRecord, isRecordSink } from './event-view.js';

const KEEP_PER_LANE = 32;
/** While the run goes: poll again at once after a poll that emitted this many events or woke a lane, else after IDLE_MS. */
const BUSY_EVENTS = 256;
const IDLE_MS = 1;

export class Monitor {
  private readonly reader: TraceReader;
  private readonly i32: Int32Array;
  private readonly capacity: number;
  /** Word index of each lane's slot 0. */
  private readonly ringBase: number[];
  private readonly cursors: number[];
  private readonly tails: number[];
  /** Records held back in each lane's ring for lastEvents. */
  private readonly keep: number;
  /** Per sink, in order: the sink if it reads records in place, else null. */
  private readonly recordSinks: Array<RecordSink | null>;
  private readonly record: TraceRecord;
  private nextSeq = 1;
  private running = false;
  /** The last poll woke a lane that waited for room (it is about to write more). */
  private woke = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly tick = (): void => this.onTick();
  readonly violations: TraceEvent[] = [];
  eventCount = 0;
  /** The latest time any event carried (run_end carries it too). */
  lastTime = 0;

  constructor(shm: Shm, ctx: DecodeContext, private readonly sinks: TraceSink[]) {
    this.reader = new TraceReader(shm);
    this.i32 = shm.i32;
    const lanes = shm.layout.lanes;
    this.capacity = shm.layout.config.traceRecords;
    this.ringBase = Array.from({ length: lanes }, (_, lane) => this.reader.recordWord(lane, 0));
    this.cursors = new Array<number>(lanes).fill(0);
    this.tails = new Array<number>(lanes).fill(0);
    this.keep = Math.min(KEEP_PER_LANE, this.capacity >> 2);
    this.recordSinks = sinks.map((s) => (isRecordSink(s) ? s : null));
    this.record = new TraceRecord(ctx);
  }

  /** Polls while the run goes: at once again while the rings are busy, every IDLE_MS otherwise. */
  start(): void {
    this.running = true;
    this.timer = setTimeout(this.tick, IDLE_MS);
  }

  private onTick(): void {
    this.timer = null;
    this.immediate = null;
    if (!this.running) return;
    const emitted = this.poll();
    if (emitted >= BUSY_EVENTS || this.woke) this.immediate = setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, IDLE_MS);
  }

  /** Emits, in sequence order, every published record that is next in line; returns how many. */
  poll(final = false): number {
    const lanes = this.cursors.length;
    for (let lane = 0; lane < lanes; lane++) this.tails[lane] = this.reader.tail(lane);
    let emitted = 0;
    let lane = this.laneWithNext();
    for (;;) {
      if (lane < 0) {
        lane = this.frontLane();
        if (lane < 0) break;
        if (!final && this.frontSeq(lane) > this.nextSeq) break; // a gap: wait for it
      }
      emitted += this.takeRun(lane);
      lane = this.laneWithNext();
    }
    this.woke = false;
    for (let l = 0; l < lanes; l++) if (this.reader.release(l, Math.max(0, (this.cursors[l] as number) - this.keep))) this.woke = true;
    return emitted;
  }

  /** Emits the lane's front record, then the records after it while each carries the next number. */
  private takeRun(lane: number): number {
    const tail = this.tails[lane] as number;
    let cursor = this.cursors[lane] as number;
    let n = 0;
    do {
      this.emit(this.wordOf(lane, cursor), lane);
      cursor++;
      n++;
    } while (cursor < tail && this.i32[this.wordOf(lane, cursor) + TraceWord.Seq] === this.nextSeq);
    this.cursors[lane] = cursor;
    return n;
  }

  private wordOf(lane: number, index: number): number {
    return (this.ringBase[lane] as number) + (index % this.capacity) * TRACE_RECORD_WORDS;
  }

  /** Sequence number of the lane's oldest unconsumed record (Infinity: none). */
  private frontSeq(lane: number): number {
    const cursor = this.cursors[lane] as number;
    if (cursor >= (this.tails[lane] as number)) return Infinity;
    return this.i32[this.wordOf(lane, cursor) + TraceWord.Seq] as number;
  }

  /** The lane whose front record is numbered nextSeq (-1: none). */
  private laneWithNext(): number {
    for (let lane = 0; lane < this.cursors.length; lane++) if (this.frontSeq(lane) === this.nextSeq) return lane;
    return -1;
  }

  /** The lane whose oldest unconsumed record has the smallest sequence number (-1: none). */
  private frontLane(): number {
    let best = -1;
    let bestSeq = Infinity;
    for (let lane = 0; lane < this.cursors.length; lane++) {
      const seq = this.frontSeq(lane);
      if (seq < bestSeq) {
        bestSeq = seq;
        best = lane;
      }
    }
    return best;
  }

  /** Final drain after every lane stopped: emits what is left, gaps or not. */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.poll(true);
  }

  /** The last events a lane recorded (oldest first), decoded from the records held back in its ring. */
  lastEvents(lane: number): TraceEvent[] {
    const cursor = this.cursors[lane];
    if (cursor === undefined) return [];
    const out: TraceEvent[] = [];
    for (let i = Math.max(0, cursor - this.keep); i < cursor; i++) {
      const w = this.wordOf(lane, i);
      const seq = this.i32[w + TraceWord.Seq] as number;
      // A violation's message is in a text ring that moves on: the event built when it was emitted.
      const built = this.i32[w + TraceWord.Event] === Ev.Violation ? this.violations.find((v) => v.seq === seq) : undefined;
      out.push(built ?? decodeAt(this.i32, w, lane, this.record.ctx));
    }
    return out;
  }

  /** The largest sequence number emitted so far (run_end takes the next one). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private emit(w: number, lane: number): void {
    const i32 = this.i32;
    const r = this.record;
    r.moveTo(i32, w, lane);
    const seq = i32[w + TraceWord.Seq] as number;
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    const t = (i32[w + TraceWord.TimeHi] as number) * 4294967296 + ((i32[w + TraceWord.TimeLo] as number) >>> 0);
    if (t > this.lastTime) this.lastTime = t;
    this.eventCount++;
    if (i32[w + TraceWord.Event] === Ev.Violation) this.violations.push(r.event());
    const sinks = this.sinks;
    const recordSinks = this.recordSinks;
    for (let i = 0; i < sinks.length; i++) {
      const rs = recordSinks[i];
      if (rs !== null && rs !== undefined) rs.writeRecord(r);
      else sinks[i]!.write(r.event());
    }
  }
}

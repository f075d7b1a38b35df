/**
 * The Perfetto / Chrome trace export: a trace sink that writes the Trace
 * Event Format while the events stream by (a live run, or a JSON Lines file
 * read back). One process for the run; one thread track per CPU and one for
 * the epoch manager, named and ordered by metadata events. On each track:
 *
 * - operations as slices named `op map key` (args: result, mode, IRQL),
 *   with the epoch (enter..exit), the bucket-lock holds (lock..unlock) and
 *   the provider callbacks (they began at t - dur) nested inside;
 * - a short marker slice at every retire, free and epoch advance, and a flow
 *   arrow from each retire to the free of that block (a block is reused
 *   once freed, so each retire starts a flow of its own);
 * - violations as instant events, with the rule and the message.
 *
 * Three counter tracks: the published epoch and the released epoch (from
 * each advance), and the blocks retired but not yet freed.
 *
 * Time: `ts` is in microseconds. Free-running, the trace's nanoseconds / 1000;
 * in controlled mode one scheduling decision is shown as one microsecond
 * (the process name and otherData say so). Memory stays bounded: a small
 * stack per lane (lane-track.ts) and the open retire->free flows.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { TraceSink } from '../trace/jsonl.js';
import { CALLBACK_EVENTS, type ViolationSite } from '../check/context.js';
import { LaneTrack, type Slice } from './lane-track.js';
import { TraceEventJson, micros } from './trace-event-json.js';
import { opArgs, opMatch, opName, callbackArgs } from './slice-names.js';

/** What run the export shows: from the caller (a live run) or the file's run_begin. */
export interface PerfettoRun {
  scenario: string;
  seed: number | null;
  cpus: number | null;
  profile: string | null;
  mode: 'free' | 'controlled' | null;
}

export interface PerfettoSummary {
  file: string;
  /** Trace events read. */
  events: number;
  /** Trace Event Format events written (slices, markers, flows, counters, metadata). */
  written: number;
  lanes: string[];
  slices: number;
  /** Retire -> free arrows. */
  flows: number;
  violations: number;
  /** Slices cut short where the trace did not nest, and ends without a begin. */
  clipped: number;
  unmatched: number;
  timeUnit: 'ns' | 'decision';
}

const PID = 1;

interface Lane {
  tid: number;
  name: string;
  track: LaneTrack;
}

const laneName = (cpu: number): string => (cpu < 0 ? 'epoch manager' : `CPU ${cpu}`);

export class PerfettoSink implements TraceSink {
  private readonly out: TraceEventJson;
  private readonly lanes = new Map<number, Lane>();
  private run: PerfettoRun | null;
  private controlled = false;
  private events = 0;
  private slices = 0;
  private flows = 0;
  private violations = 0;
  private lastTick = 0;
  private done: PerfettoSummary | null = null;
  private retiredNotFreed = 0;
  private nextFlow = 1;
  /** The flow id of each retired block not yet freed. */
  private readonly openFlows = new Map<number, number>();

  /** `run` null: the first event (run_begin) tells; a file without one is read as free-running. */
  constructor(path: string, run: PerfettoRun | null = null) {
    this.out = new TraceEventJson(path, 'ns');
    this.run = null;
    if (run !== null) this.begin(run);
  }

  private begin(run: PerfettoRun): void {
    this.run = run;
    this.controlled = run.mode === 'controlled';
    const clock = this.controlled ? 'controlled: 1 µs = 1 scheduling decision' : 'free-running: real time';
    const seed = run.seed !== null ? `, seed ${run.seed}` : '';
    this.meta(0, 'process_name', { name: `epochlab ${run.scenario}${seed} (${clock})` });
    for (let cpu = 0; cpu < (run.cpus ?? 0); cpu++) this.lane(cpu);
    this.lane(-1);
  }

  private meta(tid: number, name: string, args: Record<string, unknown>): void {
    this.out.add({ ph: 'M', pid: PID, tid, name, args });
  }

  private lane(cpu: number): Lane {
    let lane = this.lanes.get(cpu);
    if (lane !== undefined) return lane;
    const tid = cpu < 0 ? 1 + (this.run?.cpus ?? 64) : cpu + 1;
    lane = { tid, name: laneName(cpu), track: new LaneTrack((s) => this.slice(tid, s)) };
    this.lanes.set(cpu, lane);
    this.meta(tid, 'thread_name', { name: lane.name });
    this.meta(tid, 'thread_sort_index', { sort_index: cpu < 0 ? 1000 : cpu });
    return lane;
  }

  private ticks(t: unknown): number {
    const n = Math.round(Number(t) * (this.controlled ? 1000 : 1));
    return Number.isFinite(n) && n >= 0 ? n : 0;
  }

  private slice(tid: number, s: Slice): void {
    this.slices++;
    this.out.addJson(`{"ph":"X","ts":${micros(s.start)},"dur":${micros(s.end - s.start)},"pid":${PID},"tid":${tid},"name":${JSON.stringify(s.name)},`
      + `"cat":"${s.cat}","args":${JSON.stringify(s.args)}}`);
  }

  write(e: TraceEvent): void {
    this.events++;
    if (e.event === 'run_begin') return this.fromRunBegin(e);
    if (e.event === 'run_end') return;
    if (this.run === null) this.begin({ scenario: 'trace', seed: null, cpus: null, profile: null, mode: null });
    const lane = this.lane(e.cpu);
    const t = this.ticks(e.t);
    this.lastTick = Math.max(this.lastTick, t);
    if (CALLBACK_EVENTS.has(e.event)) {
      const dur = this.ticks(e['dur'] ?? 0);
      lane.track.complete(e.event, 'callback', Math.max(0, t - dur), t, callbackArgs(e));
      return;
    }
    this.pairs(lane, e, t);
  }

  private fromRunBegin(e: TraceEvent): void {
    if (this.run !== null) return;
    const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
    const mode = e['mode'] === 'controlled' || e['mode'] === 'free' ? e['mode'] : null;
    this.begin({ scenario: String(e['scenario'] ?? 'trace'), seed: num(e['seed']), cpus: num(e['cpus']), profile: typeof e['profile'] === 'string' ? e['profile'] : null, mode });
  }

  /** Begins and ends, points and instants. */
  private pairs(lane: Lane, e: TraceEvent, t: number): void {
    const track = lane.track;
    switch (e.event) {
      case 'op_begin': return track.open('op', opMatch(e), opName(e), 'op', t, { ...opArgs(e), irql: e.irql, seq: e.seq });
      case 'op_end': track.close('op', opMatch(e), t, { result: e['result'], seqEnd: e.seq }); return;
      case 'epoch_enter':
        return track.open('epoch', String(e['state']), `epoch ${String(e['epoch'])}`, 'epoch', t, { state: e['state'], depth: e['depth'], irql: e.irql, seq: e.seq });
      case 'epoch_exit': track.close('epoch', String(e['state']), t, { seqEnd: e.seq }); return;
      case 'bucket_lock': {
        const name = `bucket_lock ${String(e['map'])}#${String(e['bucket'])}`;
        return track.open('lock', name, name, 'lock', t, { seq: e.seq });
      }
      case 'bucket_unlock':
        track.close('lock', `bucket_lock ${String(e['map'])}#${String(e['bucket'])}`, t, { core: e['core'], value: e['value'], newValue: e['newValue'], seqEnd: e.seq });
        return;
      case 'retire': return this.retire(lane, e, t);
      case 'free': return this.free(lane, e, t);
      case 'epoch_advance': return this.advance(lane, e, t);
      case 'violation': return this.instant(lane, t, `VIOLATION ${String(e['rule'])}`, { rule: e['rule'], message: e['message'], seq: e.seq });
      case 'stall_warning':
        return this.instant(lane, t, 'stall warning', { stalledCpu: e['stalledCpu'], epoch: e['epoch'], published: e['published'], seq: e.seq });
      default: return; // reads and anything else: in the JSON Lines trace, not drawn
    }
  }

  private retire(lane: Lane, e: TraceEvent, t: number): void {
    const block = Number(e['block']);
    const id = this.nextFlow++;
    this.openFlows.set(block, id);
    const args = { block, stamp: e['epoch'], map: e['map'], seq: e.seq };
    const at = lane.track.mark(`retire ${String(e['tag'])}`, 'reclaim', t, args, (s, end) => this.flow('s', lane, id, s, end));
    this.counter(lane, at, 'retired, not freed', 'blocks', ++this.retiredNotFreed);
  }

  private free(lane: Lane, e: TraceEvent, t: number): void {
    const block = Number(e['block']);
    const id = this.openFlows.get(block);
    const args = { block, stamp: e['stamp'], released: e['released'], seq: e.seq };
    const placed = id === undefined ? () => {} : (s: number, end: number) => this.flow('f', lane, id, s, end);
    const at = lane.track.mark(`free ${String(e['tag'])}${id === undefined ? ' (immediate)' : ''}`, 'reclaim', t, args, placed);
    if (id === undefined) return;
    this.openFlows.delete(block);
    this.counter(lane, at, 'retired, not freed', 'blocks', --this.retiredNotFreed);
  }

  private advance(lane: Lane, e: TraceEvent, t: number): void {
    const at = lane.track.mark(`advance ${String(e['epoch'])}`, 'epoch', t, { released: e['released'], seq: e.seq }, () => {});
    this.counter(lane, at, 'published', 'epoch', e['epoch']);
    this.counter(lane, at, 'released', 'epoch', e['released']);
  }

  /** A flow end bound to the marker slice [start, end]: its time is inside the marker. */
  private flow(ph: 's' | 'f', lane: Lane, id: number, start: number, end: number): void {
    const len = end - start;
    const ts = micros(start + (len >= 2 ? Math.floor(len / 2) : len));
    if (ph === 's') this.flows++;
    this.out.addJson(`{"ph":"${ph}","ts":${ts},"pid":${PID},"tid":${lane.tid},"name":"retire to free","cat":"reclaim","id":${id}${ph === 'f' ? ',"bp":"e"' : ''}}`);
  }

  private counter(lane: Lane, at: number, name: string, series: string, value: unknown): void {
    this.out.addJson(`{"ph":"C","ts":${micros(at)},"pid":${PID},"tid":${lane.tid},"name":"${name}","args":{"${series}":${JSON.stringify(value ?? null)}}}`);
  }

  private instant(lane: Lane, t: number, name: string, args: Record<string, unknown>): void {
    if (name.startsWith('VIOLATION')) this.violations++;
    this.out.add({ ph: 'i', ts: t / 1000, pid: PID, tid: lane.tid, s: 't', name, cat: 'violation', args });
  }

  /** A violation the contract checker found on the trace (the runtime's own are `violation` events already). */
  violation(v: ViolationSite): void {
    if (v.at.event === 'violation') return;
    this.instant(this.lane(v.at.cpu), this.ticks(v.at.t), `VIOLATION ${v.rule}`, { rule: v.rule, message: v.message, seq: v.at.seq });
  }

  close(): void {
    this.finish();
  }

  /** Closes what is still open, writes the metadata, closes the file. */
  finish(): PerfettoSummary {
    if (this.done !== null) return this.done;
    for (const lane of this.lanes.values()) lane.track.finish(this.lastTick);
    const summary = this.summary();
    const run = this.run;
    this.out.close({
      generator: 'epochlab', scenario: run?.scenario ?? null, seed: run?.seed ?? null, cpus: run?.cpus ?? null, profile: run?.profile ?? null,
      mode: run?.mode ?? 'unknown',
      time: this.controlled ? 'ts counts scheduling decisions: 1 µs = 1 decision (controlled mode has no clock)'
        : run?.mode === 'free' ? 'ts is real time in µs since the run began' : 'ts is the trace\'s t / 1000 (the file has no run_begin naming the mode)',
      events: summary.events, slices: summary.slices, flows: summary.flows, violations: summary.violations,
      clipped: summary.clipped, unmatched: summary.unmatched,
    });
    this.done = summary;
    return summary;
  }

  private summary(): PerfettoSummary {
    const lanes = [...this.lanes.entries()].sort(([a], [b]) => (a < 0 ? 1 : b < 0 ? -1 : a - b)).map(([, l]) => l.name);
    let clipped = 0;
    let unmatched = 0;
    for (const l of this.lanes.values()) {
      clipped += l.track.clipped;
      unmatched += l.track.unmatched;
    }
    return {
      file: this.out.path, events: this.events, written: this.out.count, lanes, slices: this.slices, flows: this.flows,
      violations: this.violations, clipped, unmatched, timeUnit: this.controlled ? 'decision' : 'ns',
    };
  }
}

/**
 * A streaming trace check (a TraceSink): every value block that leaves a map
 * (displaced by a replace, removed by a delete, dropped by map cleanup) gets
 * exactly one delete callback naming it, before it is retired; a new value
 * that a failed update never published gets none. Keeps only per-block
 * counters, so it can watch runs of millions of events.
 */
import type { TraceEvent } from '../../src/trace/decode.js';
import type { TraceSink } from '../../src/trace/jsonl.js';

const DELETE_CALLBACKS = new Set(['postprocess_map_delete_element', 'preprocess_map_delete_element']);

interface OpState {
  op: string;
  retired: Array<{ block: number; callbacks: number; seq: number }>;
}

export class ExactlyOnceCheck implements TraceSink {
  readonly problems: string[] = [];
  /** Delete callbacks seen per value pointer since its last retire. */
  private readonly callbacks = new Map<number, number>();
  private readonly ops = new Map<number, OpState>();
  valuesChecked = 0;
  deleteCallbacks = 0;
  events = 0;

  write(e: TraceEvent): void {
    this.events++;
    if (DELETE_CALLBACKS.has(e.event)) this.onCallback(e);
    else if (e.event === 'op_begin') this.ops.set(e.cpu, { op: String(e['op']), retired: [] });
    else if (e.event === 'retire' && e['tag'] === 'eVal') this.onRetire(e);
    else if (e.event === 'op_end') this.onOpEnd(e);
  }

  close(): void {
    for (const [cpu, op] of this.ops) if (op.retired.length > 0) this.problems.push(`cpu ${cpu}: ${op.op} never ended`);
  }

  private onCallback(e: TraceEvent): void {
    const value = e['value'] as number | undefined;
    if (value === undefined) return;
    this.deleteCallbacks++;
    this.callbacks.set(value, (this.callbacks.get(value) ?? 0) + 1);
  }

  private onRetire(e: TraceEvent): void {
    const block = e['block'] as number;
    const callbacks = this.callbacks.get(block) ?? 0;
    this.callbacks.delete(block);
    const op = this.ops.get(e.cpu);
    if (op) op.retired.push({ block, callbacks, seq: e.seq });
    else this.expectOne(block, callbacks, e.seq);
  }

  private onOpEnd(e: TraceEvent): void {
    const op = this.ops.get(e.cpu);
    this.ops.delete(e.cpu);
    if (!op) return;
    const failedUpdate = op.op === 'update' && e['result'] !== 'EBPF_SUCCESS';
    for (const r of op.retired) {
      if (failedUpdate) {
        this.valuesChecked++;
        if (r.callbacks !== 0) this.problems.push(`#${r.seq}: unpublished value ${r.block} got ${r.callbacks} delete callback(s)`);
      } else {
        this.expectOne(r.block, r.callbacks, r.seq);
      }
    }
  }

  private expectOne(block: number, callbacks: number, seq: number): void {
    this.valuesChecked++;
    if (callbacks !== 1) this.problems.push(`#${seq}: value ${block} left its map with ${callbacks} delete callback(s)`);
  }
}

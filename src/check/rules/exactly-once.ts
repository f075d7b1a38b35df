/**
 * Exactly-once delete callbacks (CustomMaps.md "Concurrency"; reference 1.7):
 * every value that leaves a map gets exactly one delete callback naming it,
 * across all CPUs, before it is retired; a value that an update never
 * published gets none. Checked only for maps that registered a delete callback.
 *
 * A value leaves when a bucket_unlock says core 'replace' (the old value) or
 * 'remove' (the removed value), or when map cleanup drains it (retired inside
 * a map_cleanup operation). Callbacks seen before the value leaves (PRE_FREE
 * mode calls them under the lock) are counted per operation and carried over
 * at the unlock. State is bounded: one counter per value in flight, dropped
 * at its retire (or at the end of the operation that let it go).
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import { CpuSlots, PerCheck, hasDeleteCallback, mapOf, str, valueOf } from './util.js';

const EXACTLY_ONCE = 'delete.exactly-once';
const TRACKED_OPS: ReadonlySet<string> = new Set(['update', 'delete', 'find_and_delete', 'map_cleanup']);

/** A value that left its map and is not retired yet. */
interface Leaving {
  map: string;
  callbacks: number;
  /** The event at which it left, and its CPU. */
  seq: number;
  cpu: number;
}

/** Per operation: callbacks naming values that have not left yet, values never published, values let go. */
interface OpValues {
  cleanup: boolean;
  map: string;
  named: Map<number, number> | null;
  unpublished: Set<number> | null;
  left: number[];
}

interface State {
  leaving: Map<number, Leaving>;
  ops: CpuSlots<OpValues>;
}

export class ExactlyOnceRule implements CheckRule {
  readonly ids = [EXACTLY_ONCE] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'bucket_unlock', 'preprocess_map_delete_element', 'postprocess_map_delete_element', 'retire', 'op_end'];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = [...TRACKED_OPS];
  private readonly state = new PerCheck<State>(() => ({ leaving: new Map(), ops: new CpuSlots() }));

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin': {
        const op = String(e['op']);
        if (!TRACKED_OPS.has(op)) break;
        this.state.of(cx).ops.set(e.cpu, { cleanup: op === 'map_cleanup', map: mapOf(e) ?? '', named: null, unpublished: null, left: [] });
        break;
      }
      case 'bucket_unlock':
        this.onUnlock(e, this.state.of(cx));
        break;
      case 'preprocess_map_delete_element':
      case 'postprocess_map_delete_element':
        this.onCallback(e, this.state.of(cx));
        break;
      case 'retire':
        if (e['tag'] === 'eVal') this.onRetire(e, cx);
        break;
      case 'op_end':
        if (TRACKED_OPS.has(String(e['op']))) this.onOpEnd(e, cx);
        break;
      default:
        break;
    }
  }

  private onUnlock(e: TraceEvent, s: State): void {
    const core = str(e, 'core');
    const value = valueOf(e);
    const op = s.ops.get(e.cpu);
    if (value === 0) return;
    if (core === 'replace' || core === 'remove') {
      const before = op?.named?.get(value) ?? 0;
      op?.named?.delete(value);
      s.leaving.set(value, { map: mapOf(e) ?? op?.map ?? '', callbacks: before, seq: e.seq, cpu: e.cpu });
      op?.left.push(value);
    } else if (core === 'none' && op !== undefined && !op.cleanup) {
      (op.unpublished ??= new Set()).add(value);
    }
  }

  private onCallback(e: TraceEvent, s: State): void {
    const value = valueOf(e);
    if (value === 0) return;
    const leaving = s.leaving.get(value);
    if (leaving !== undefined) {
      leaving.callbacks++;
      return;
    }
    const op = s.ops.get(e.cpu);
    if (op === undefined) return;
    op.named ??= new Map();
    op.named.set(value, (op.named.get(value) ?? 0) + 1);
  }

  private onRetire(e: TraceEvent, cx: CheckContext): void {
    const s = this.state.of(cx);
    const block = Number(e['block']);
    const leaving = s.leaving.get(block);
    if (leaving !== undefined) {
      s.leaving.delete(block);
      this.expectOne(cx, e, block, leaving.map, leaving.callbacks, `left map ${leaving.map} at #${leaving.seq}`, leaving.cpu);
      return;
    }
    const op = s.ops.get(e.cpu);
    if (op === undefined) return;
    const named = op.named?.get(block) ?? 0;
    op.named?.delete(block);
    if (op.cleanup) {
      this.expectOne(cx, e, block, op.map, named, `was drained by the cleanup of map ${op.map}`, e.cpu);
    } else if (op.unpublished?.has(block) === true && named !== 0) {
      cx.violate(EXACTLY_ONCE, e, `value ${block} of map ${op.map} was never published (the core update failed) ` +
        `yet got ${named} delete callback(s) before its retire`);
    }
  }

  private expectOne(cx: CheckContext, e: TraceEvent, block: number, map: string, callbacks: number, how: string, cpu: number): void {
    if (callbacks === 1 || !hasDeleteCallback(cx.map(map))) return;
    cx.violate(EXACTLY_ONCE, e, `value ${block} ${how} and got ${callbacks} delete callback(s) before ` +
      `${e.event === 'retire' ? 'its retire' : 'the end of the operation'} (expected exactly one)`, [cpu]);
  }

  /** Values the operation let go but did not retire: judged now, so nothing outlives the operation. */
  private onOpEnd(e: TraceEvent, cx: CheckContext): void {
    const s = this.state.of(cx);
    const op = s.ops.get(e.cpu);
    s.ops.delete(e.cpu);
    if (op === undefined) return;
    for (const value of op.left) {
      const leaving = s.leaving.get(value);
      if (leaving === undefined || leaving.cpu !== e.cpu) continue;
      s.leaving.delete(value);
      const how = `left map ${leaving.map} at #${leaving.seq} (not retired in its operation)`;
      this.expectOne(cx, e, value, leaving.map, leaving.callbacks, how, e.cpu);
    }
  }
}

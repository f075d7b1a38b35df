/**
 * Map cleanup (seed: EBPF_MAP_OPERATION_MAP_CLEANUP; reference 1.8): inside a
 * map_cleanup operation every delete callback has flags exactly
 * [MAP_CLEANUP], there is one per remaining entry (op_end's `entries`) when
 * the map registered a delete callback and none otherwise, and
 * postprocess_map_delete follows the last of them. MAP_CLEANUP never appears
 * outside map cleanup, and never together with another flag.
 */
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, DELETE_CALLBACKS, type CheckContext, type CheckRule } from '../context.js';
import { CpuSlots, MAP_CLEANUP, PerCheck, describeCallback, flagsOf, hasDeleteCallback, mapOf, num } from './util.js';

const FLAGS = 'cleanup.flags';

/** What one map_cleanup operation did so far. */
interface Cleanup {
  map: string;
  deletes: number;
  /** seq of postprocess_map_delete, 0 until it ran. */
  mapDeleteSeq: number;
}

export class CleanupRule implements CheckRule {
  readonly ids = [FLAGS] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'op_end', ...CALLBACK_EVENT_NAMES];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = ['map_cleanup'];
  private readonly state = new PerCheck(() => new CpuSlots<Cleanup>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin':
        if (e['op'] === 'map_cleanup') this.state.of(cx).set(e.cpu, { map: mapOf(e) ?? '', deletes: 0, mapDeleteSeq: 0 });
        break;
      case 'op_end':
        if (e['op'] === 'map_cleanup') this.onCleanupEnd(e, cx);
        break;
      default:
        if (CALLBACK_EVENTS.has(e.event)) this.onCallback(e, cx);
        break;
    }
  }

  private onCallback(e: TraceEvent, cx: CheckContext): void {
    const op = cx.cpu(e.cpu).op;
    const c = op !== null && op.op === 'map_cleanup' ? this.state.of(cx).get(e.cpu) : undefined;
    const flags = flagsOf(e);
    const cleanupFlag = flags.includes(MAP_CLEANUP);
    if (c === undefined) {
      if (cleanupFlag) cx.violate(FLAGS, e, `${describeCallback(e)} carries MAP_CLEANUP outside map cleanup`);
      return;
    }
    if (e.event === 'postprocess_map_delete') {
      if (c.mapDeleteSeq === 0) c.mapDeleteSeq = e.seq;
    } else if (DELETE_CALLBACKS.has(e.event)) {
      c.deletes++;
      if (!cleanupFlag || flags.length !== 1) {
        cx.violate(FLAGS, e, `${describeCallback(e)} in map cleanup: its flags must be exactly [MAP_CLEANUP]`);
      }
      if (c.mapDeleteSeq !== 0) {
        cx.violate(FLAGS, e, `${describeCallback(e)} after postprocess_map_delete (#${c.mapDeleteSeq}): it must come last`);
      }
      return;
    }
    if (cleanupFlag) cx.violate(FLAGS, e, `${describeCallback(e)} carries MAP_CLEANUP, which only delete callbacks get`);
  }

  private onCleanupEnd(e: TraceEvent, cx: CheckContext): void {
    const slots = this.state.of(cx);
    const c = slots.get(e.cpu);
    slots.delete(e.cpu);
    if (c === undefined) return;
    const entries = num(e, 'entries');
    const withCallback = hasDeleteCallback(cx.map(c.map));
    const expected = withCallback ? entries : 0;
    if (c.deletes !== expected) {
      cx.violate(FLAGS, e, `map cleanup of ${c.map} drained ${entries} entr${entries === 1 ? 'y' : 'ies'} but ran ` +
        `${c.deletes} delete callback(s) (expected ${expected}${withCallback ? ', one per entry' : ': no delete callback registered'})`);
    }
    if (c.mapDeleteSeq === 0) {
      cx.violate(FLAGS, e, `map cleanup of ${c.map} ended without postprocess_map_delete after its delete callbacks`);
    }
  }
}

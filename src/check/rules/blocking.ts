/**
 * Blocking with updates_original_value (seed: preprocess_map_create note;
 * reference 1.10): a CRUD call from a program (find, update, delete,
 * find_and_delete in mode 'helper') on such a map runs no provider callback
 * naming the map and returns EBPF_OPERATION_NOT_SUPPORTED.
 */
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, type CheckContext, type CheckRule } from '../context.js';
import { CRUD_OPS, CpuSlots, OPERATION_NOT_SUPPORTED, PerCheck, describeCallback, mapOf } from './util.js';

const HELPER_CRUD = 'blocking.helper-crud';

/** A helper CRUD call on a map that updates the original value. */
interface Blocked {
  map: string;
  op: string;
}

export class BlockingRule implements CheckRule {
  readonly ids = [HELPER_CRUD] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'op_end', ...CALLBACK_EVENT_NAMES];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = [...CRUD_OPS];
  private readonly state = new PerCheck(() => new CpuSlots<Blocked>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin': {
        const map = mapOf(e);
        const op = String(e['op']);
        if (e['mode'] === 'helper' && map !== undefined && CRUD_OPS.has(op) && cx.map(map).updatesOriginalValue) {
          this.state.of(cx).set(e.cpu, { map, op });
        }
        break;
      }
      case 'op_end':
        if (CRUD_OPS.has(String(e['op']))) this.onOpEnd(e, cx);
        break;
      default:
        if (CALLBACK_EVENTS.has(e.event)) this.onCallback(e, cx);
        break;
    }
  }

  private onCallback(e: TraceEvent, cx: CheckContext): void {
    const b = this.state.of(cx).get(e.cpu);
    if (b === undefined || mapOf(e) !== b.map) return;
    cx.violate(HELPER_CRUD, e, `${describeCallback(e)} ran during a helper ${b.op} on map ${b.map}, which updates ` +
      'the original value: such calls from a program are blocked before any callback');
  }

  private onOpEnd(e: TraceEvent, cx: CheckContext): void {
    const slots = this.state.of(cx);
    const b = slots.get(e.cpu);
    if (b === undefined) return;
    slots.delete(e.cpu);
    if (e['result'] === OPERATION_NOT_SUPPORTED) return;
    cx.violate(HELPER_CRUD, e, `helper ${b.op} on map ${b.map}, which updates the original value, ended with ` +
      `${String(e['result'])}: expected ${OPERATION_NOT_SUPPORTED}`);
  }
}

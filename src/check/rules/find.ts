/**
 * postprocess_map_find_element (reference 1.5): it runs after a successful
 * core lookup, at most once per lookup (find or find_and_delete), never on a
 * core miss (EBPF_OBJECT_NOT_FOUND); its flags carry HELPER exactly when the
 * lookup came from a program (op mode 'helper').
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import { CpuSlots, HELPER, OBJECT_NOT_FOUND, PerCheck, describeCallback, describeOp, hasFlag } from './util.js';

const AFTER_HIT = 'find.after-hit';
const HELPER_FLAG = 'find.helper-flag';
const LOOKUPS: ReadonlySet<string> = new Set(['find', 'find_and_delete']);

interface Lookup {
  /** postprocess_map_find_element callbacks seen in this lookup. */
  calls: number;
  /** The result the last one returned. */
  lastResult: string;
}

export class FindRule implements CheckRule {
  readonly ids = [AFTER_HIT, HELPER_FLAG] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'postprocess_map_find_element', 'op_end'];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = [...LOOKUPS];
  private readonly state = new PerCheck(() => new CpuSlots<Lookup>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin':
        if (LOOKUPS.has(String(e['op']))) this.state.of(cx).set(e.cpu, { calls: 0, lastResult: '' });
        break;
      case 'postprocess_map_find_element':
        this.onFind(e, cx);
        break;
      case 'op_end':
        if (LOOKUPS.has(String(e['op']))) this.onLookupEnd(e, cx);
        break;
      default:
        break;
    }
  }

  private onFind(e: TraceEvent, cx: CheckContext): void {
    const op = cx.cpu(e.cpu).op;
    if (op !== null && hasFlag(e, HELPER) !== (op.mode === 'helper')) {
      cx.violate(HELPER_FLAG, e, `${describeCallback(e)} in ${describeOp(op)}: ` +
        `HELPER must be set exactly when the lookup comes from a program`);
    }
    const lookup = op !== null && LOOKUPS.has(op.op) ? this.state.of(cx).get(e.cpu) : undefined;
    if (lookup === undefined) {
      const where = op === null ? 'outside any operation' : `in ${describeOp(op)}`;
      cx.violate(AFTER_HIT, e, `${describeCallback(e)} ${where}: it runs only after the core lookup of a find or find_and_delete`);
      return;
    }
    lookup.calls++;
    lookup.lastResult = String(e['result']);
    if (lookup.calls > 1) {
      cx.violate(AFTER_HIT, e, `${describeCallback(e)} is call number ${lookup.calls} in ${describeOp(op!)}: at most one per lookup`);
    }
  }

  private onLookupEnd(e: TraceEvent, cx: CheckContext): void {
    const slots = this.state.of(cx);
    const lookup = slots.get(e.cpu);
    slots.delete(e.cpu);
    if (lookup === undefined || e['result'] !== OBJECT_NOT_FOUND) return;
    // The provider may return OBJECT_NOT_FOUND itself; then the miss is not the core's.
    if (lookup.calls > 0 && lookup.lastResult !== OBJECT_NOT_FOUND) {
      cx.violate(AFTER_HIT, e, `${String(e['op'])} ended with the core miss ${OBJECT_NOT_FOUND}, ` +
        `yet postprocess_map_find_element ran ${lookup.calls} time(s) (returning ${lookup.lastResult})`);
    }
  }
}

/**
 * The operations beyond CRUD (reference 1.9, 1.10, 1.13, 3; scenarios 27,
 * 28, 34, 35, 40):
 * - get_next_key, push, pop, peek, an extension helper's
 *   find_element_function, the lookup batches, update-with-handle, write_data
 *   and set_wait_handle run no provider callback (a callback with one of them
 *   innermost on its CPU is a violation; the per-key updates and deletes of
 *   update_batch and delete_batch are operations of their own);
 * - a helper push, pop or peek on a map that updates the original value is
 *   blocked: it ends with EBPF_OPERATION_NOT_SUPPORTED (the [DOC] blocking
 *   matrix; as built, pop loses the HELPER flag and ends with the NULL key's
 *   EBPF_INVALID_ARGUMENT instead);
 * - find_element_function answers with one of the codes its header lists:
 *   EBPF_SUCCESS, EBPF_KEY_NOT_FOUND or EBPF_INVALID_OBJECT (as built it
 *   gives EBPF_OBJECT_NOT_FOUND and EBPF_INVALID_ARGUMENT instead).
 */
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, type CheckContext, type CheckRule } from '../context.js';
import { OPERATION_NOT_SUPPORTED, describeCallback, describeOp, mapOf } from './util.js';

const NO_CALLBACK = 'ops.no-callback';
const STACK_BLOCKED = 'ops.helper-stack-blocked';
const FIND_ELEMENT_CODES = 'ops.find-element-codes';
/** ebpf_extension.h's @retval list for ebpf_map_find_element_t. */
const FIND_ELEMENT_RESULTS: ReadonlySet<string> = new Set(['EBPF_SUCCESS', 'EBPF_KEY_NOT_FOUND', 'EBPF_INVALID_OBJECT']);

/** Operations that never call the provider. */
const SILENT_OPS: ReadonlySet<string> = new Set([
  'next_key', 'push', 'pop', 'peek', 'find_element', 'lookup_batch', 'lookup_and_delete_batch',
  'update_with_handle', 'write_data', 'set_wait_handle',
]);
const STACK_OPS: ReadonlySet<string> = new Set(['push', 'pop', 'peek']);

export class OpsRule implements CheckRule {
  readonly ids = [NO_CALLBACK, STACK_BLOCKED, FIND_ELEMENT_CODES] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_end', ...CALLBACK_EVENT_NAMES];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = [...STACK_OPS, 'find_element'];

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (e.event === 'op_end') {
      if (e['op'] === 'find_element') this.onFindElementEnd(e, cx);
      else this.onStackEnd(e, cx);
      return;
    }
    if (!CALLBACK_EVENTS.has(e.event)) return;
    const op = cx.cpu(e.cpu).op;
    if (op === null || !SILENT_OPS.has(op.op)) return;
    cx.violate(NO_CALLBACK, e, `${describeCallback(e)} ran during ${describeOp(op)}, which calls no provider callback`);
  }

  private onFindElementEnd(e: TraceEvent, cx: CheckContext): void {
    const result = String(e['result']);
    if (FIND_ELEMENT_RESULTS.has(result)) return;
    const map = mapOf(e);
    cx.violate(FIND_ELEMENT_CODES, e, `find_element_function ${map === undefined ? 'on a map with no custom context' : `on map ${map}`} ` +
      `returned ${result}: its header lists only EBPF_SUCCESS, EBPF_KEY_NOT_FOUND and EBPF_INVALID_OBJECT`);
  }

  /** op_end of push, pop or peek: the op in flight is still the CPU's (the checker ends it after the rules). */
  private onStackEnd(e: TraceEvent, cx: CheckContext): void {
    const op = cx.cpu(e.cpu).op;
    const map = mapOf(e);
    if (op === null || op.mode !== 'helper' || map === undefined || !STACK_OPS.has(op.op)) return;
    if (!cx.map(map).updatesOriginalValue || e['result'] === OPERATION_NOT_SUPPORTED) return;
    cx.violate(STACK_BLOCKED, e, `helper ${op.op} on map ${map}, which updates the original value, ended with ` +
      `${String(e['result'])}: expected ${OPERATION_NOT_SUPPORTED} (blocked like every helper call on such a map)`);
  }
}

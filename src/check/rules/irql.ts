/**
 * Callback IRQLs (seed: the IRQL paragraphs; CustomMaps.md's IRQL table):
 * - callbacks of a user-mode call (op mode 'user', HELPER not set) and of map
 *   cleanup run at PASSIVE_LEVEL, except the deprecated
 *   preprocess_map_delete_element of an explicit delete, which runs under the
 *   bucket spinlock (DISPATCH_LEVEL) by definition;
 * - callbacks of a helper call run at PASSIVE_LEVEL or DISPATCH_LEVEL.
 */
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, type CheckContext, type CheckRule } from '../context.js';
import { HELPER, PRE_DELETE, describeCallback, describeOp, hasFlag, isExplicitDelete } from './util.js';

const USER_PASSIVE = 'irql.user-passive';
const HELPER_MAX_DISPATCH = 'irql.helper-max-dispatch';

export class IrqlRule implements CheckRule {
  readonly ids = [USER_PASSIVE, HELPER_MAX_DISPATCH] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = CALLBACK_EVENT_NAMES;

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (!CALLBACK_EVENTS.has(e.event)) return;
    const op = cx.cpu(e.cpu).op;
    const helper = hasFlag(e, HELPER);
    if ((helper || op?.mode === 'helper') && e.irql !== 'PASSIVE' && e.irql !== 'DISPATCH') {
      cx.violate(HELPER_MAX_DISPATCH, e, `${describeCallback(e)} of a helper call ran at ${e.irql}: at most DISPATCH_LEVEL`);
    }
    if (op === null || e.irql === 'PASSIVE') return;
    const cleanup = op.op === 'map_cleanup';
    if (!cleanup && (op.mode !== 'user' || helper)) return;
    if (e.event === PRE_DELETE && isExplicitDelete(e, op)) return; // under the bucket lock by definition
    const what = cleanup ? 'map cleanup' : 'a user-mode call';
    cx.violate(USER_PASSIVE, e, `${describeCallback(e)} of ${what} (${describeOp(op)}) ran at ${e.irql}: ` +
      'expected PASSIVE_LEVEL');
  }
}

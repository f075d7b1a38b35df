/**
 * ebpf_epoch_synchronize inside an epoch (reference 2.6, 4 scenario 50): the
 * call waits for a cycle that releases the epoch it was called in, and the
 * caller's own epoch keeps the released epoch below it, so it never returns.
 * The runtime returns at once so that the run goes on; this rule reports the
 * call at its op_begin, with the CPU's epoch depth and the epochs as the
 * trace last told them.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';

const IN_EPOCH = 'epoch.synchronize-in-epoch';

export class SynchronizeRule implements CheckRule {
  readonly ids = [IN_EPOCH] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin'];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = ['synchronize'];

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (e['op'] !== 'synchronize') return;
    const depth = cx.cpu(e.cpu).epochDepth;
    if (depth === 0) return;
    cx.violate(IN_EPOCH, e, `CPU ${e.cpu} called ebpf_epoch_synchronize inside an epoch (depth ${depth}): it never returns, ` +
      `because the caller's own epoch keeps the released epoch (${cx.released}) below the published epoch it waits for ` +
      `(${cx.published}); epochlab returned from it so that the run goes on`);
  }
}

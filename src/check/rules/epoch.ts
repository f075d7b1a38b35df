/**
 * Epochs around callbacks (seed: "Provider dispatch function invocations ...
 * already are epoch-protected"; "re-entrant, but should always be called in
 * pairs"): every callback runs inside an epoch; an operation (other than a
 * helper call, whose epoch belongs to the program) ends at the epoch depth it
 * began with; at the end of the run no CPU is left inside an epoch.
 */
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, type CheckContext, type CheckRule } from '../context.js';
import { CpuSlots, PerCheck, describeCallback, describeOp } from './util.js';

const CALLBACK_INSIDE = 'epoch.callback-inside';
const PAIRED = 'epoch.paired';

export class EpochRule implements CheckRule {
  readonly ids = [CALLBACK_INSIDE, PAIRED] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'op_end', ...CALLBACK_EVENT_NAMES];
  /** Per CPU, the epoch depth at each open op_begin (a batch and its inner call nest). */
  private readonly state = new PerCheck(() => new CpuSlots<number[]>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin': {
        const slots = this.state.of(cx);
        let stack = slots.get(e.cpu);
        if (stack === undefined) slots.set(e.cpu, (stack = []));
        stack.push(cx.cpu(e.cpu).epochDepth);
        break;
      }
      case 'op_end':
        this.onOpEnd(e, cx);
        break;
      default:
        if (CALLBACK_EVENTS.has(e.event) && e['inEpoch'] !== true) {
          cx.violate(CALLBACK_INSIDE, e, `${describeCallback(e)} ran outside any epoch: provider callbacks are epoch-protected`);
        }
        break;
    }
  }

  private onOpEnd(e: TraceEvent, cx: CheckContext): void {
    const began = this.state.of(cx).get(e.cpu)?.pop();
    const cpu = cx.cpu(e.cpu);
    if (began === undefined || cpu.op === null || cpu.op.mode === 'helper' || cpu.epochDepth === began) return;
    cx.violate(PAIRED, e, `${describeOp(cpu.op)} ended at epoch depth ${cpu.epochDepth}, but began at depth ${began}: ` +
      'every epoch_enter needs its epoch_exit before the operation ends');
  }

  onEnd(cx: CheckContext, last: TraceEvent): void {
    for (const cpu of cx.cpus.values()) {
      if (cpu.epochDepth !== 0) {
        cx.violate(PAIRED, last, `CPU ${cpu.cpu} is still inside ${cpu.epochDepth} epoch(s) at the end of the run`, [cpu.cpu]);
      }
    }
  }
}

/**
 * Bounded reclamation (reference 2.5: reclaim on the next commit): a retired
 * block whose stamp is <= the released epoch is eligible; if it is still not
 * freed after RECLAIM_BOUND further epoch advances, reclamation is stuck.
 *
 * Keeps one entry per retired block until its free event, so the state is
 * bounded by the garbage in flight. A free may reach the merged trace before
 * its retire (the retire is recorded after the block is queued); such early
 * frees are remembered briefly and matched with the late retire.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import { PerCheck, num, str } from './util.js';

const RECLAIM_BOUND_RULE = 'memory.reclaim-bound';
/** Epoch advances an eligible block may wait, after the one that made it eligible. */
export const RECLAIM_BOUND = 3;
/** Early frees remembered at most (they are matched within a few events). */
const MAX_EARLY_FREES = 4096;

interface Retired {
  stamp: number;
  tag: string;
  cpu: number;
  seq: number;
  /** Epoch advances seen with released >= stamp. */
  eligibleAdvances: number;
  reported: boolean;
}

interface State {
  retired: Map<number, Retired>;
  earlyFrees: Set<number>;
}

export class ReclaimBoundRule implements CheckRule {
  readonly ids = [RECLAIM_BOUND_RULE] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['retire', 'free', 'epoch_advance'];
  private readonly state = new PerCheck<State>(() => ({ retired: new Map(), earlyFrees: new Set() }));

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'retire': {
        const s = this.state.of(cx);
        const block = num(e, 'block');
        if (s.earlyFrees.delete(block)) break;
        s.retired.set(block, { stamp: num(e, 'epoch'), tag: str(e, 'tag'), cpu: e.cpu, seq: e.seq, eligibleAdvances: 0, reported: false });
        break;
      }
      case 'free': {
        const s = this.state.of(cx);
        const block = num(e, 'block');
        if (s.retired.delete(block)) break;
        if (s.earlyFrees.size >= MAX_EARLY_FREES) s.earlyFrees.clear();
        s.earlyFrees.add(block);
        break;
      }
      case 'epoch_advance':
        this.onAdvance(e, cx);
        break;
      default:
        break;
    }
  }

  private onAdvance(e: TraceEvent, cx: CheckContext): void {
    const released = num(e, 'released');
    for (const [block, r] of this.state.of(cx).retired) {
      if (r.reported || r.stamp > released) continue;
      r.eligibleAdvances++;
      if (r.eligibleAdvances <= RECLAIM_BOUND) continue;
      r.reported = true;
      cx.violate(RECLAIM_BOUND_RULE, e, `block ${block} (tag ${r.tag}, retired at #${r.seq} with stamp ${r.stamp}) is still ` +
        `not freed ${RECLAIM_BOUND} epoch advances after released reached its stamp (released ${released})`, [r.cpu]);
    }
  }
}

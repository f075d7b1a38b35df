/**
 * The age oracle (rcutorture's pipeline; reference 2.5, 6.14): each read of a
 * block says how many epoch advances ago it was retired (0 while live). The
 * histogram goes into the run summary. A reader must never see a block that
 * was retired before its own epoch began (readerEpoch > stamp: the block was
 * unreachable when the reader entered). Reads of freed blocks are left to
 * memory.use-after-free.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import { PerCheck, num } from './util.js';

const AGE_WINDOW = 'age.window';
export const AGE_BUCKETS = ['0', '1', '2', '3', '4', '5-9', '10+'] as const;

const bucketOf = (age: number): number => (age <= 4 ? Math.max(0, age) : age < 10 ? 5 : 6);

export class AgeWindowRule implements CheckRule {
  readonly ids = [AGE_WINDOW] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['read'];
  private readonly state = new PerCheck<number[]>(() => AGE_BUCKETS.map(() => 0));

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (e.event !== 'read') return;
    const histogram = this.state.of(cx);
    histogram[bucketOf(num(e, 'age'))]!++;
    const state = e['state'];
    if (state === 'live') return;
    const block = num(e, 'block');
    // A read of a freed block is memory.use-after-free, which the runtime
    // reports itself (generation check); not counted twice here.
    if (state === 'free') return;
    const stamp = num(e, 'stamp');
    const reader = num(e, 'readerEpoch');
    if (reader > stamp) {
      cx.violate(AGE_WINDOW, e, `read of block ${block}, retired with stamp ${stamp} (age ${num(e, 'age')}), by a reader ` +
        `whose epoch ${reader} began after the retire: the block was already unreachable`);
    }
  }

  summary(): Record<string, unknown> {
    const histogram = this.state.latest() ?? AGE_BUCKETS.map(() => 0);
    return { ageHistogram: Object.fromEntries(AGE_BUCKETS.map((b, i) => [b, histogram[i]])) };
  }
}

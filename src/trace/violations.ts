/**
 * Where a lane records a violation: a bug in a provider or in the runtime,
 * as opposed to an expected ebpf_result_t. Each one bumps the global count,
 * goes into the trace (with its message in the lane's text ring), and is kept
 * (up to a cap) so the lane's task can return it even when tracing is off.
 */
import { Counter, Ctl, counterWord } from '../shm/layout.js';
import { Shm } from '../shm/shm.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { Ev } from './events.js';
import { RULES } from '../contract/rules.js';

export interface ViolationRecord {
  rule: string;
  lane: number;
  map: number;
  message: string;
  seq: number;
}

const KEEP = 50;

export class Violations {
  readonly kept: ViolationRecord[] = [];
  count = 0;

  constructor(private readonly shm: Shm, private readonly lane: number, private readonly trace: TraceWriter) {}

  /**
   * Records a violation of rule `rule` (an index into RULES). `keyPtr`/`keyLen`
   * name the key involved, if any; `a`/`b` are rule-specific numbers.
   */
  record(rule: number, map: number, keyPtr: number, a: number, b: number, message: string, keyLen = 0): void {
    this.count++;
    this.shm.add(Ctl.ViolationCount, 1);
    this.shm.i32[counterWord(this.shm.layout, this.lane, Counter.Violations)]++;
    const [textStart, textLen] = this.trace.text(message);
    const seq = this.trace.emit(Ev.Violation, rule, map, 0, 0, a, b, keyPtr, keyLen, textStart, textLen);
    if (this.kept.length < KEEP) {
      this.kept.push({ rule: RULES[rule]?.id ?? `rule-${rule}`, lane: this.lane, map, message, seq });
    }
  }
}

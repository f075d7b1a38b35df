/**
 * Which rules the checker hands an event to: the rules that name its kind
 * (CheckRule.events), in the rules' order, and for op_begin and op_end only
 * those that look at its operation (CheckRule.ops). Two lookups: by kind
 * number for records read in place, by name for event objects; both give
 * the same lists.
 */
import { CALLBACK_KIND_BASE, KIND_COUNT } from '../trace/event-view.js';
import { CALLBACK_NAMES, EVENT_NAMES, Ev, OP_NAMES } from '../trace/events.js';
import type { CheckRule } from './context.js';

const OP_EVENTS: ReadonlySet<string> = new Set(['op_begin', 'op_end']);

/** Kind number of an event name (see CALLBACK_KIND_BASE), -1 for names no record carries. */
function kindOf(name: string): number {
  const cb = (CALLBACK_NAMES as readonly string[]).indexOf(name);
  if (cb >= 0) return CALLBACK_KIND_BASE + cb;
  const ev = Object.entries(EVENT_NAMES).find(([, n]) => n === name);
  return ev === undefined ? -1 : Number(ev[0]);
}

/** The rules of one op event: per op name, and for ops no rule names. */
interface OpJudges {
  byOp: Map<string, CheckRule[]>;
  /** By op code (OP_NAMES order). */
  byCode: CheckRule[][];
  other: CheckRule[];
}

export class JudgeTable {
  private readonly byName = new Map<string, CheckRule[]>();
  private readonly byKind: Array<CheckRule[] | undefined> = new Array<CheckRule[] | undefined>(KIND_COUNT);
  private readonly ops = new Map<string, OpJudges>();
  private readonly opBegin: OpJudges;
  private readonly opEnd: OpJudges;

  constructor(rules: readonly CheckRule[]) {
    for (const rule of rules) {
      for (const name of new Set(rule.events)) this.byName.set(name, [...(this.byName.get(name) ?? []), rule]);
    }
    for (const [name, judges] of this.byName) {
      const kind = kindOf(name);
      if (kind >= 0 && kind < KIND_COUNT) this.byKind[kind] = judges;
    }
    for (const name of OP_EVENTS) this.ops.set(name, opJudges(this.byName.get(name) ?? []));
    this.opBegin = this.ops.get('op_begin') as OpJudges;
    this.opEnd = this.ops.get('op_end') as OpJudges;
  }

  /** For an event object. */
  forEvent(name: string, op: unknown): CheckRule[] | undefined {
    const o = this.ops.get(name);
    if (o === undefined) return this.byName.get(name);
    return o.byOp.get(String(op)) ?? o.other;
  }

  /** For a record: its kind and its Code word (the op code of op_begin and op_end). */
  forKind(kind: number, code: number): CheckRule[] | undefined {
    if (kind === Ev.OpBegin) return this.opBegin.byCode[code] ?? this.opBegin.other;
    if (kind === Ev.OpEnd) return this.opEnd.byCode[code] ?? this.opEnd.other;
    return this.byKind[kind];
  }
}

function opJudges(judges: CheckRule[]): OpJudges {
  const forOp = (op: string | null): CheckRule[] => judges.filter((r) => r.ops === undefined || (op !== null && r.ops.includes(op)));
  const byOp = new Map<string, CheckRule[]>();
  for (const op of new Set([...OP_NAMES, ...judges.flatMap((r) => r.ops ?? [])])) byOp.set(op, forOp(op));
  return { byOp, byCode: OP_NAMES.map((op) => byOp.get(op) as CheckRule[]), other: forOp(null) };
}

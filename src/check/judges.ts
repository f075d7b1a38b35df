/**
 * Which rules judge which events, from the rules themselves: each CheckRule
 * names the events it looks at (the checker hands it only those), and the
 * rules the runtime detects arrive as `violation` events. The timeline page
 * shows this for a clicked event ("judged by").
 */
import { RULES } from '../contract/rules.js';
import type { CheckRule } from './context.js';
import { createRules } from './rules/index.js';

export interface EventJudges {
  /** For each event name a trace rule looks at, the rule ids that rule can report, in catalog order. */
  byEvent: Record<string, string[]>;
  /** The rules the runtime detects itself; each reaches the trace as a `violation` event naming it. */
  runtime: string[];
}

export function eventJudges(rules: readonly CheckRule[] = createRules()): EventJudges {
  const order = new Map(RULES.map((r, i) => [r.id, i]));
  const byEvent: Record<string, string[]> = {};
  for (const rule of rules) {
    for (const name of rule.events) {
      const ids = new Set([...(byEvent[name] ?? []), ...rule.ids]);
      byEvent[name] = [...ids].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    }
  }
  const onTrace = new Set(rules.flatMap((r) => r.ids));
  const runtime = RULES.map((r) => r.id).filter((id) => !onTrace.has(id));
  for (const [name, ids] of Object.entries(byEvent)) if (ids.length === 0) delete byEvent[name];
  return { byEvent, runtime };
}

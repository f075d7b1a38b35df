/**
 * Per-map facts for the other rules: a create's op_end tells whether the map
 * exists, which callbacks its provider registered, whether it updates the
 * original value and whether it runs in PRE_FREE mode. This rule reports
 * nothing; it comes first in ALL_RULES so every later rule sees the facts.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import { SUCCESS, mapOf } from './util.js';

export class MapFacts implements CheckRule {
  readonly ids: readonly string[] = [];
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_end'];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = ['create'];

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (e.event !== 'op_end' || e['op'] !== 'create') return;
    const name = mapOf(e);
    if (name === undefined) return;
    const m = cx.map(name);
    m.createResult = String(e['result']);
    m.created = m.createResult === SUCCESS;
    const registered = e['registered'];
    m.registered = new Set(Array.isArray(registered) ? (registered as string[]) : []);
    m.updatesOriginalValue = e['updatesOriginalValue'] === true;
    m.preFreeMode = e['preFreeMode'] === true;
  }
}

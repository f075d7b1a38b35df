/**
 * Map lifecycle (reference 1.2, 1.3): preprocess_map_create is the first
 * callback naming a map, and runs once; postprocess_map_delete runs once,
 * last, and no callback names the map after it. Uses the per-map counters of
 * MapView (createCallbacks, deleted), which this rule maintains.
 */
import type { TraceEvent } from '../../trace/decode.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, type CheckContext, type CheckRule } from '../context.js';
import { describeCallback, mapOf } from './util.js';

const CREATE_FIRST = 'lifecycle.create-first';
const DELETE_LAST = 'lifecycle.delete-last';

export class LifecycleRule implements CheckRule {
  readonly ids = [CREATE_FIRST, DELETE_LAST] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = CALLBACK_EVENT_NAMES;

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (!CALLBACK_EVENTS.has(e.event)) return;
    const name = mapOf(e);
    if (name === undefined) return;
    const m = cx.map(name);
    m.createCallbacks++;
    if (e.event === 'preprocess_map_create') {
      if (m.createCallbacks > 1) {
        cx.violate(CREATE_FIRST, e, `${describeCallback(e)}: map ${name} already had ${m.createCallbacks - 1} callback(s); ` +
          'preprocess_map_create must be its first callback and run once');
      }
    } else if (m.createCallbacks === 1) {
      cx.violate(CREATE_FIRST, e,
        `${describeCallback(e)} is the first callback for map ${name}: preprocess_map_create never ran before it`);
    }
    if (m.deleted) {
      const what = e.event === 'postprocess_map_delete' ? 'a second postprocess_map_delete' : `${describeCallback(e)}`;
      cx.violate(DELETE_LAST, e, `${what} for map ${name} after its postprocess_map_delete`);
    }
    if (e.event === 'postprocess_map_delete') m.deleted = true;
  }

  /** A map that was created must have been deleted (postprocess_map_delete) by the end of the run. */
  onEnd(cx: CheckContext, last: TraceEvent): void {
    for (const m of cx.maps.values()) {
      if (m.created && !m.deleted) {
        cx.violate(DELETE_LAST, last, `map ${m.name} was created but postprocess_map_delete never ran for it`);
      }
    }
  }
}

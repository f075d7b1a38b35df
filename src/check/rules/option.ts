/**
 * A bad update option (reference 0 "Map option", 1.6): an update whose
 * option is none of ANY, NOEXIST and EXIST returns EBPF_INVALID_ARGUMENT and
 * runs no provider callback for its map. The user-mode library rejects such
 * an option before the IOCTL; the seed is silent on the helper path, where
 * the runtime as built runs preprocess_map_update_element first and the undo
 * after the core fails.
 */
import type { TraceEvent } from '../../trace/decode.js';
import { OPTION_NAMES } from '../../contract/map-operation.js';
import { CALLBACK_EVENTS, CALLBACK_EVENT_NAMES, type CheckContext, type CheckRule } from '../context.js';
import { CpuSlots, PerCheck, describeCallback, mapOf } from './util.js';

const BAD_OPTION_FIRST = 'update.bad-option-first';
const INVALID_ARGUMENT = 'EBPF_INVALID_ARGUMENT';
const GOOD_OPTIONS: ReadonlySet<unknown> = new Set<unknown>(OPTION_NAMES);

/** An update with a bad option in flight on one CPU. */
interface BadUpdate {
  map: string;
  option: string;
  mode: string;
  /** The first callback it ran (a copy), or null. */
  first: string | null;
}

export class BadOptionRule implements CheckRule {
  readonly ids = [BAD_OPTION_FIRST] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'op_end', ...CALLBACK_EVENT_NAMES];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = ['update'];
  private readonly state = new PerCheck(() => new CpuSlots<BadUpdate>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    if (e.event === 'op_begin') {
      const map = mapOf(e);
      if (e['op'] === 'update' && map !== undefined && e['option'] !== undefined && !GOOD_OPTIONS.has(e['option'])) {
        this.state.of(cx).set(e.cpu, { map, option: String(e['option']), mode: String(e['mode']), first: null });
      }
    } else if (e.event === 'op_end') {
      if (e['op'] === 'update') this.onUpdateEnd(e, cx);
    } else if (CALLBACK_EVENTS.has(e.event)) {
      const b = this.state.of(cx).get(e.cpu);
      if (b !== undefined && b.first === null && mapOf(e) === b.map) b.first = describeCallback(e);
    }
  }

  private onUpdateEnd(e: TraceEvent, cx: CheckContext): void {
    const slots = this.state.of(cx);
    const b = slots.get(e.cpu);
    if (b === undefined) return;
    slots.delete(e.cpu);
    const result = String(e['result']);
    if (b.first === null && result === INVALID_ARGUMENT) return;
    const ran = b.first === null ? 'ran no callback' : `ran ${b.first} first`;
    cx.violate(BAD_OPTION_FIRST, e, `${b.mode} update of map ${b.map} with option ${b.option} (none of ANY, NOEXIST, EXIST) ` +
      `${ran} and ended with ${result}: a bad option is rejected with ${INVALID_ARGUMENT} before any callback`);
  }
}

/**
 * What the contract checker knows while the trace streams by: per CPU, the
 * operation in flight and its events so far; per map, what its creation
 * told (registered callbacks, updates_original_value, PRE_FREE mode) and
 * whether it was deleted; the epochs. Memory stays bounded: nothing
 * outlives its operation except per-map facts and what individual rules
 * keep (each rule bounds its own state).
 */
import type { TraceEvent } from '../trace/decode.js';

export interface OpInFlight {
  op: string;
  mode: string;
  map: string | undefined;
  key: string | undefined;
  option: string | undefined;
  /** The seq of its op_begin. */
  beginSeq: number;
}

export interface CpuView {
  cpu: number;
  /** The operation in flight, or null between operations. */
  op: OpInFlight | null;
  /** Innermost operation: a helper call inside a batch has the batch as outer. */
  outer: OpInFlight | null;
  bucketLocks: number;
  epochDepth: number;
  irql: string;
}

export interface MapView {
  name: string;
  created: boolean;
  createResult: string | undefined;
  registered: Set<string>;
  updatesOriginalValue: boolean;
  preFreeMode: boolean;
  /** Callbacks seen for the map, in order, until postprocess_map_delete. */
  createCallbacks: number;
  deleted: boolean;
}

export interface ViolationSite {
  rule: string;
  message: string;
  /** The event at which the rule fired. */
  at: TraceEvent;
  /** CPUs whose recent events explain the violation (the firing CPU first). */
  cpus: number[];
}

/** Callback event names (the seed's). */
export const CALLBACK_EVENT_NAMES: readonly string[] = [
  'preprocess_map_create', 'postprocess_map_delete', 'postprocess_map_find_element', 'preprocess_map_update_element',
  'preprocess_map_delete_element', 'postprocess_map_delete_element', 'preprocess_map_associate_program_type',
];
export const CALLBACK_EVENTS: ReadonlySet<string> = new Set(CALLBACK_EVENT_NAMES);
export const DELETE_CALLBACKS = new Set(['preprocess_map_delete_element', 'postprocess_map_delete_element']);

export class CheckContext {
  /** Every CPU seen, in the order first seen (end-of-run checks report in this order). */
  readonly cpus = new Map<number, CpuView>();
  /** The same views indexed by cpu + 1, for the per-event lookup. */
  private readonly cpuIndex: Array<CpuView | undefined> = [];
  readonly maps = new Map<string, MapView>();
  published = 1;
  released = 0;
  readonly found: ViolationSite[] = [];

  /**
   * @param onViolation told of every violation
   * @param materialize turns the event a rule fired at into the event kept in
   *   the report (while a run goes, rules read EventViews: the report keeps
   *   the full TraceEvent)
   */
  constructor(private readonly onViolation: (v: ViolationSite) => void,
    private readonly materialize: (e: TraceEvent) => TraceEvent = (e) => e) {}

  cpu(cpu: number): CpuView {
    const fast = cpu >= -1 ? this.cpuIndex[cpu + 1] : undefined;
    if (fast !== undefined) return fast;
    let v = this.cpus.get(cpu);
    if (!v) {
      v = { cpu, op: null, outer: null, bucketLocks: 0, epochDepth: 0, irql: 'PASSIVE' };
      this.cpus.set(cpu, v);
    }
    if (cpu >= -1 && Number.isInteger(cpu)) this.cpuIndex[cpu + 1] = v;
    return v;
  }

  map(name: string): MapView {
    let m = this.maps.get(name);
    if (!m) {
      m = {
        name, created: false, createResult: undefined, registered: new Set(), updatesOriginalValue: false,
        preFreeMode: false, createCallbacks: 0, deleted: false,
      };
      this.maps.set(name, m);
    }
    return m;
  }

  /** Reports a violation of `rule` at event `at`; `cpus` adds other CPUs to the excerpt. */
  violate(rule: string, event: TraceEvent, message: string, cpus: number[] = []): void {
    const at = this.materialize(event);
    const site: ViolationSite = { rule, message, at, cpus: [at.cpu, ...cpus.filter((c) => c !== at.cpu)] };
    this.found.push(site);
    this.onViolation(site);
  }
}

/** A rule checked on the merged trace. */
export interface CheckRule {
  /** The catalog id(s) this rule can report. */
  readonly ids: readonly string[];
  /**
   * The event names this rule looks at. The checker calls onEvent only for
   * these (so the list is what the rule examines, and the timeline page
   * shows it as "the rules that judge this event").
   */
  readonly events: readonly string[];
  /**
   * For op_begin and op_end: the operations (op names) this rule looks at;
   * the checker hands it no op_begin or op_end of another operation. All
   * when absent.
   */
  readonly ops?: readonly string[];
  /**
   * Called for every event of a kind in `events`, in sequence order, after
   * the generic state was updated. While a run goes `e` is an EventView
   * that the checker fills again for a later event: keep its fields, or a
   * copy (asEvent in src/trace/event-view.ts), never `e` itself.
   */
  onEvent(e: TraceEvent, cx: CheckContext): void;
  /** Called once at the end of the run. */
  onEnd?(cx: CheckContext, last: TraceEvent): void;
  /** Facts for the run report (e.g. the age histogram). */
  summary?(): Record<string, unknown>;
}

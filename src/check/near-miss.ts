/**
 * Near misses and windows: what a clean run came close to, read from the
 * trace like every rule (it never reports a violation).
 *
 * A near miss is a moment where a race was one step from breaking a rule:
 * - `retiredRead`: a reader read a block that was already retired (had the
 *   free come sooner, a use after free);
 * - `freeAfterRead`: a block freed at most one epoch advance after its last read;
 * - `lockHandoff`: a bucket lock taken by one CPU right after another CPU held it;
 * - `keyOverlap`: two CPUs inside operations on the same key at once, one of them writing.
 *
 * Windows say whether a class of bug can show in this run at all: keys that
 * two CPUs both touched (one writing), delete callbacks, updates that failed
 * after their preprocess callback, helper writes on a map that updates the
 * original value, map cleanups with entries, program epochs at DISPATCH.
 * Stress spends more runs on configurations with more near misses and
 * prints both in its confidence report.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { CheckContext, CheckRule } from './context.js';
import { PerCheck, num, str, mapOf, SUCCESS, POST_DELETE, PRE_DELETE } from './rules/util.js';

export const NEAR_MISS_KINDS = ['retiredRead', 'freeAfterRead', 'lockHandoff', 'keyOverlap'] as const;
export type NearMissKind = (typeof NEAR_MISS_KINDS)[number];

export const WINDOW_KINDS = ['sharedKeys', 'retires', 'deleteCallbacks', 'failedUpdates', 'helperWrites', 'cleanupEntries', 'dispatchEpochs'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

export type NearMisses = Record<NearMissKind, number>;
export type Windows = Record<WindowKind, number>;

/** A lock taken within this many events of the other CPU's unlock is a handoff. */
const HANDOFF_EVENTS = 16;
const WRITES: ReadonlySet<string> = new Set(['update', 'delete', 'find_and_delete']);

interface KeyUse { cpus: number; writers: number }

class State {
  /** The published epoch (epoch_advance). */
  published = 1;
  readonly near: NearMisses = { retiredRead: 0, freeAfterRead: 0, lockHandoff: 0, keyOverlap: 0 };
  readonly windows: Windows = { sharedKeys: 0, retires: 0, deleteCallbacks: 0, failedUpdates: 0, helperWrites: 0, cleanupEntries: 0, dispatchEpochs: 0 };
  /** Block -> the published epoch at its last read. */
  readonly lastRead = new Map<number, number>();
  /** "map/bucket" -> [cpu, seq] of the last unlock. */
  readonly lastUnlock = new Map<string, [number, number]>();
  /** CPU -> "map/key" of its open key operation. */
  readonly open = new Map<number, { key: string; write: boolean }>();
  /** "map/key" -> bit mask of CPUs that touched it, and of CPUs that wrote it. */
  readonly keys = new Map<string, KeyUse>();
  /** CPU -> whether the open update's preprocess callback succeeded. */
  readonly preOk = new Map<number, boolean>();
}

export class NearMissObserver implements CheckRule {
  readonly ids: readonly string[] = [];
  readonly events: readonly string[] = ['read', 'free', 'retire', 'bucket_lock', 'bucket_unlock', 'op_begin', 'op_end',
    'epoch_enter', 'epoch_advance', 'preprocess_map_update_element', POST_DELETE, PRE_DELETE];
  private readonly state = new PerCheck(() => new State());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    const s = this.state.of(cx);
    switch (e.event) {
      case 'read': return this.onRead(s, e);
      case 'free': return this.onFree(s, e);
      case 'retire': s.windows.retires++; return;
      case 'bucket_lock': return this.onLock(s, e);
      case 'bucket_unlock': s.lastUnlock.set(`${str(e, 'map')}/${str(e, 'bucket')}`, [e.cpu, e.seq]); return;
      case 'op_begin': return this.onBegin(s, e, cx);
      case 'op_end': return this.onOpEnd(s, e);
      case 'epoch_advance': s.published = num(e, 'epoch'); return;
      case 'epoch_enter': if (e.irql === 'DISPATCH' && num(e, 'depth') === 1) s.windows.dispatchEpochs++; return;
      case 'preprocess_map_update_element': s.preOk.set(e.cpu, e['result'] === SUCCESS); return;
      default: s.windows.deleteCallbacks++;
    }
  }

  private onRead(s: State, e: TraceEvent): void {
    if (e['state'] === 'retired') s.near.retiredRead++;
    s.lastRead.set(num(e, 'block'), num(e, 'published'));
  }

  private onFree(s: State, e: TraceEvent): void {
    const block = num(e, 'block');
    const at = s.lastRead.get(block);
    if (at !== undefined && s.published - at <= 1) s.near.freeAfterRead++;
    s.lastRead.delete(block);
  }

  private onLock(s: State, e: TraceEvent): void {
    const last = s.lastUnlock.get(`${str(e, 'map')}/${str(e, 'bucket')}`);
    if (last !== undefined && last[0] !== e.cpu && e.seq - last[1] <= HANDOFF_EVENTS) s.near.lockHandoff++;
  }

  private onBegin(s: State, e: TraceEvent, cx: CheckContext): void {
    const op = str(e, 'op');
    const map = mapOf(e);
    if (map === undefined || e['key'] === undefined || op === 'batch') return;
    const key = `${map}/${str(e, 'key')}`;
    const write = WRITES.has(op);
    for (const [cpu, o] of s.open) if (cpu !== e.cpu && o.key === key && (write || o.write)) s.near.keyOverlap++;
    s.open.set(e.cpu, { key, write });
    this.noteKey(s, key, e.cpu, write);
    if (write && e['mode'] === 'helper' && cx.map(map).updatesOriginalValue) s.windows.helperWrites++;
    if (op === 'update') s.preOk.delete(e.cpu);
  }

  private noteKey(s: State, key: string, cpu: number, write: boolean): void {
    const bit = 1 << (cpu & 31);
    const u = s.keys.get(key) ?? { cpus: 0, writers: 0 };
    const wasShared = isShared(u);
    u.cpus |= bit;
    if (write) u.writers |= bit;
    s.keys.set(key, u);
    if (!wasShared && isShared(u)) s.windows.sharedKeys++;
  }

  private onOpEnd(s: State, e: TraceEvent): void {
    const op = str(e, 'op');
    if (op === 'map_cleanup' && num(e, 'entries') > 0) s.windows.cleanupEntries++;
    if (op === 'update' && e['result'] !== SUCCESS && s.preOk.get(e.cpu) === true) s.windows.failedUpdates++;
    const o = s.open.get(e.cpu);
    if (o !== undefined && mapOf(e) !== undefined && o.key === `${mapOf(e)}/${str(e, 'key')}`) s.open.delete(e.cpu);
  }

  /** The counts of the last run checked (for the run report). */
  summary(): Record<string, unknown> {
    const s = this.state.latest();
    return s === null ? {} : { nearMisses: { ...s.near }, windows: { ...s.windows } };
  }
}

/** Two CPUs or more touched the key, and at least one wrote it (a single writer alone races with nobody). */
function isShared(u: KeyUse): boolean {
  const two = (u.cpus & (u.cpus - 1)) !== 0;
  return two && u.writers !== 0;
}

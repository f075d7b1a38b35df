/**
 * The update flow (seed: preprocess_map_update_element and its notes;
 * reference 1.6, 6.3, 6.4):
 * - preprocess_map_update_element runs before the core update, i.e. before
 *   the operation's bucket_lock, and never gets the UPDATE flag;
 * - a replace gives exactly one delete callback with UPDATE naming the old
 *   value, after the bucket lock is released (an insert gives none);
 * - a core failure after a successful preprocess gives exactly one delete
 *   callback with UPDATE (the undo), after the core; without a successful
 *   preprocess an update runs no delete callback at all.
 * The delete-callback checks run at the update's op_end.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import {
  CpuSlots, PerCheck, SUCCESS, UPDATE, callbackNote, describeCallback, describeOp, hasDeleteCallback, hasFlag, mapOf, str, valueOf,
} from './util.js';

const PREPROCESS_FIRST = 'update.preprocess-first';
const NO_UPDATE_FLAG = 'update.no-update-flag';
const REPLACE_ONCE = 'update.replace-once';
const UNDO_ONCE = 'update.undo-once';

/** What one update operation did so far. */
interface UpdateOp {
  map: string;
  lockSeq: number;
  unlocked: boolean;
  core: string;
  /** The old value of a replace (bucket_unlock core 'replace'). */
  replaced: number;
  preOk: boolean;
  /** Every delete callback of the operation. */
  deletes: number;
  /** Delete callbacks with UPDATE, no bucket lock held, naming the replaced value, after the unlock. */
  replaceNotes: number;
  /** Delete callbacks with UPDATE and no bucket lock held, seen after the unlock / before any lock. */
  afterUnlock: number;
  beforeLock: number;
  /** The first delete callback, for messages. */
  first: TraceEvent | null;
}

const newOp = (map: string): UpdateOp => ({
  map, lockSeq: 0, unlocked: false, core: 'none', replaced: 0, preOk: false,
  deletes: 0, replaceNotes: 0, afterUnlock: 0, beforeLock: 0, first: null,
});

export class UpdateRule implements CheckRule {
  readonly ids = [PREPROCESS_FIRST, NO_UPDATE_FLAG, REPLACE_ONCE, UNDO_ONCE] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'preprocess_map_update_element', 'bucket_lock', 'bucket_unlock', 'preprocess_map_delete_element', 'postprocess_map_delete_element', 'op_end'];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = ['update'];
  private readonly state = new PerCheck(() => new CpuSlots<UpdateOp>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin':
        if (e['op'] === 'update') this.state.of(cx).set(e.cpu, newOp(mapOf(e) ?? ''));
        break;
      case 'preprocess_map_update_element':
        this.onPreprocess(e, cx);
        break;
      case 'bucket_lock': {
        const u = this.state.of(cx).get(e.cpu);
        if (u !== undefined && u.lockSeq === 0) u.lockSeq = e.seq;
        break;
      }
      case 'bucket_unlock': {
        const u = this.state.of(cx).get(e.cpu);
        if (u === undefined) break;
        u.unlocked = true;
        u.core = str(e, 'core');
        if (u.core === 'replace') u.replaced = valueOf(e);
        break;
      }
      case 'preprocess_map_delete_element':
      case 'postprocess_map_delete_element':
        this.onDelete(e, cx);
        break;
      case 'op_end':
        if (e['op'] === 'update') this.onUpdateEnd(e, cx);
        break;
      default:
        break;
    }
  }

  private onPreprocess(e: TraceEvent, cx: CheckContext): void {
    if (hasFlag(e, UPDATE)) {
      cx.violate(NO_UPDATE_FLAG, e, `${describeCallback(e)}: EBPF_MAP_OPERATION_UPDATE is never passed to preprocess_map_update_element`);
    }
    const op = cx.cpu(e.cpu).op;
    const u = op !== null && op.op === 'update' ? this.state.of(cx).get(e.cpu) : undefined;
    if (u === undefined) {
      const where = op === null ? 'outside any operation' : `in ${describeOp(op)}`;
      cx.violate(PREPROCESS_FIRST, e, `${describeCallback(e)} ${where}: it runs only before the core update of an update`);
      return;
    }
    if (u.lockSeq !== 0 || e['bucketLockHeld'] === true) {
      const when = u.lockSeq !== 0 ? `after the operation's bucket_lock (#${u.lockSeq})` : 'with a bucket lock held';
      cx.violate(PREPROCESS_FIRST, e, `${describeCallback(e)} ran ${when}: it must run before the core update takes the bucket lock`);
    }
    u.preOk = e['result'] === SUCCESS;
  }

  private onDelete(e: TraceEvent, cx: CheckContext): void {
    const u = this.state.of(cx).get(e.cpu);
    const op = cx.cpu(e.cpu).op;
    if (u === undefined || op === null || op.op !== 'update') return;
    u.deletes++;
    if (u.first === null) u.first = callbackNote(e); // a copy: e is a view the checker fills again later
    if (!hasFlag(e, UPDATE) || e['bucketLockHeld'] === true) return;
    if (u.unlocked) u.afterUnlock++;
    else if (u.lockSeq === 0) u.beforeLock++;
    if (u.unlocked && u.core === 'replace' && valueOf(e) === u.replaced) u.replaceNotes++;
  }

  private onUpdateEnd(e: TraceEvent, cx: CheckContext): void {
    const slots = this.state.of(cx);
    const u = slots.get(e.cpu);
    slots.delete(e.cpu);
    if (u === undefined) return;
    const expected = hasDeleteCallback(cx.map(u.map)) ? 1 : 0;
    if (u.core === 'replace') this.checkReplace(e, cx, u, expected);
    else if (e['result'] === SUCCESS) this.checkInsert(e, cx, u);
    else this.checkFailure(e, cx, u, expected);
  }

  private checkReplace(e: TraceEvent, cx: CheckContext, u: UpdateOp, expected: number): void {
    if (u.replaceNotes === expected && u.deletes === expected) return;
    const stray = u.deletes - u.replaceNotes;
    cx.violate(REPLACE_ONCE, e, `update of map ${u.map} replaced value ${u.replaced}: ${u.replaceNotes} delete callback(s) ` +
      `with UPDATE named it after the bucket unlock (expected ${expected})` +
      (stray > 0 ? `, and ${stray} other delete callback(s) ran (first: ${describeCallback(u.first!)})` : ''));
  }

  private checkInsert(e: TraceEvent, cx: CheckContext, u: UpdateOp): void {
    if (u.deletes === 0) return;
    cx.violate(REPLACE_ONCE, e, `update of map ${u.map} inserted a new key (core ${u.core}) yet ran ${u.deletes} ` +
      `delete callback(s) (first: ${describeCallback(u.first!)}); only a replace notifies the old value`);
  }

  private checkFailure(e: TraceEvent, cx: CheckContext, u: UpdateOp, expected: number): void {
    const result = String(e['result']);
    if (!u.preOk) {
      if (u.deletes > 0) {
        cx.violate(UNDO_ONCE, e, `update of map ${u.map} failed with ${result} without a successful ` +
          `preprocess_map_update_element, yet ran ${u.deletes} delete callback(s) ` +
          `(first: ${describeCallback(u.first!)}): there is nothing to undo`);
      }
      return;
    }
    const undos = u.afterUnlock + (u.lockSeq === 0 ? u.beforeLock : 0);
    if (undos === expected && u.deletes === expected) return;
    cx.violate(UNDO_ONCE, e, `update of map ${u.map} failed in the core (${result}, core ${u.core}) after a successful ` +
      `preprocess_map_update_element: ${undos} delete callback(s) with UPDATE after the core (expected ${expected})` +
      (u.deletes > undos ? `, ${u.deletes - undos} misplaced (first: ${describeCallback(u.first!)})` : ''));
  }
}

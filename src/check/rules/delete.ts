/**
 * Explicit deletes and the delete-callback registration (seed:
 * postprocess_map_delete_element; reference 1.1, 1.7):
 * - the deprecated preprocess_map_delete_element of an explicit delete runs
 *   before the entry is removed, under the bucket lock (before the bucket_unlock
 *   that removes the entry, or that ends a vetoed delete);
 * - postprocess_map_delete_element of an explicit delete runs after the entry
 *   was removed (bucket_unlock core 'remove', same value) and the lock released;
 * - a provider registers exactly one of them. "Both" is the provider's bug
 *   (seed: "not both") and is reported at its create whatever the result;
 *   "neither" is reported only when the map was created anyway (the
 *   documented runtime refuses it; the as-built one accepts it, reference 6.5).
 * - with UPDATE or MAP_CLEANUP the delete callback must not fail: only the
 *   deprecated preprocess variant returns a result, and it must be SUCCESS.
 */
import type { TraceEvent } from '../../trace/decode.js';
import type { CheckContext, CheckRule } from '../context.js';
import {
  CpuSlots, DELETE_OPS, MAP_CLEANUP, POST_DELETE, PRE_DELETE, PerCheck, SUCCESS, UPDATE, describeCallback, hasFlag,
  isExplicitDelete, mapOf, str, valueOf,
} from './util.js';

const PRE_UNDER_LOCK = 'delete.pre-under-lock';
const POST_AFTER_UNLOCK = 'delete.post-after-unlock';
const EXACTLY_ONE_REGISTERED = 'delete.exactly-one-registered';
const MUST_NOT_FAIL = 'delete.must-not-fail';

/** What one explicit delete did so far. */
interface DeleteOp {
  unlockSeq: number;
  core: string;
  removed: number;
}

export class DeleteRule implements CheckRule {
  readonly ids = [PRE_UNDER_LOCK, POST_AFTER_UNLOCK, EXACTLY_ONE_REGISTERED, MUST_NOT_FAIL] as const;
  /** The events onEvent looks at: the checker hands it no others. */
  readonly events: readonly string[] = ['op_begin', 'bucket_unlock', PRE_DELETE, POST_DELETE, 'op_end'];
  /** Of op_begin and op_end, only these operations'. */
  readonly ops: readonly string[] = ['delete', 'find_and_delete', 'create'];
  private readonly state = new PerCheck(() => new CpuSlots<DeleteOp>());

  onEvent(e: TraceEvent, cx: CheckContext): void {
    switch (e.event) {
      case 'op_begin':
        if (DELETE_OPS.has(String(e['op']))) this.state.of(cx).set(e.cpu, { unlockSeq: 0, core: 'none', removed: 0 });
        break;
      case 'bucket_unlock': {
        const d = this.state.of(cx).get(e.cpu);
        if (d === undefined) break;
        d.unlockSeq = e.seq;
        d.core = str(e, 'core');
        d.removed = d.core === 'remove' ? valueOf(e) : 0;
        break;
      }
      case PRE_DELETE:
        if (isExplicitDelete(e, cx.cpu(e.cpu).op)) this.onPre(e, cx);
        else this.checkResult(e, cx);
        break;
      case POST_DELETE:
        if (isExplicitDelete(e, cx.cpu(e.cpu).op)) this.onPost(e, cx);
        break;
      case 'op_end':
        if (DELETE_OPS.has(String(e['op']))) this.state.of(cx).delete(e.cpu);
        else if (e['op'] === 'create') this.onCreateEnd(e, cx);
        break;
      default:
        break;
    }
  }

  private onPre(e: TraceEvent, cx: CheckContext): void {
    const d = this.state.of(cx).get(e.cpu);
    const problems: string[] = [];
    if (e['bucketLockHeld'] !== true) problems.push('without the bucket lock held');
    if (d !== undefined && d.unlockSeq !== 0) problems.push(`after the bucket_unlock #${d.unlockSeq} (core ${d.core})`);
    if (problems.length === 0) return;
    cx.violate(PRE_UNDER_LOCK, e, `${describeCallback(e)} ran ${problems.join(' and ')}: ` +
      'the deprecated callback runs before the entry is removed, under the per-bucket lock');
  }

  private onPost(e: TraceEvent, cx: CheckContext): void {
    const d = this.state.of(cx).get(e.cpu);
    const problems: string[] = [];
    if (d === undefined || d.core !== 'remove') problems.push('before the entry was removed (no bucket_unlock with core remove yet)');
    else if (valueOf(e) !== d.removed) {
      problems.push(`naming value ${valueOf(e)}, while the entry removed at #${d.unlockSeq} held ${d.removed}`);
    }
    if (e['bucketLockHeld'] === true) problems.push('with the bucket lock held');
    if (problems.length === 0) return;
    cx.violate(POST_AFTER_UNLOCK, e, `${describeCallback(e)} ran ${problems.join(' and ')}: ` +
      'it runs after the entry has been removed and after the per-bucket lock has been released');
  }

  /** With UPDATE or MAP_CLEANUP (replace, undo, cleanup), the result is ignored: the provider must not fail. */
  private checkResult(e: TraceEvent, cx: CheckContext): void {
    const result = e['result'];
    if (result === undefined || result === SUCCESS || result === 'threw') return;
    if (!hasFlag(e, UPDATE) && !hasFlag(e, MAP_CLEANUP)) return;
    cx.violate(MUST_NOT_FAIL, e, `${describeCallback(e)} returned ${String(result)}: with UPDATE or MAP_CLEANUP ` +
      'the delete callback must not fail (the runtime ignores the result and the entry is gone anyway)');
  }

  private onCreateEnd(e: TraceEvent, cx: CheckContext): void {
    const registered = Array.isArray(e['registered']) ? (e['registered'] as string[]) : [];
    const pre = registered.includes(PRE_DELETE);
    const post = registered.includes(POST_DELETE);
    const created = e['result'] === SUCCESS;
    if (pre !== post || (!pre && !created)) return;
    const outcome = created ? 'the map was created anyway' : `the create returned ${String(e['result'])}`;
    cx.violate(EXACTLY_ONE_REGISTERED, e, `the provider of map ${mapOf(e) ?? '?'} registered ${pre ? 'both' : 'neither'} of ` +
      `preprocess_map_delete_element and postprocess_map_delete_element (${outcome}): exactly one is required`);
  }
}

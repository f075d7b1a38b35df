/**
 * Near misses and windows, counted from a synthetic trace: two CPUs in
 * operations on one key (one writing), a bucket lock handed from one CPU to
 * the other, a read of a retired block and its free one epoch later, and the
 * windows of the bug classes.
 */
import { expect } from 'chai';
import { ContractChecker } from '../../src/check/checker.js';
import { NearMissObserver } from '../../src/check/near-miss.js';
import type { TraceEvent } from '../../src/trace/decode.js';

let seq = 0;
const ev = (cpu: number, event: string, fields: Record<string, unknown> = {}, irql = 'PASSIVE'): TraceEvent =>
  ({ seq: ++seq, t: seq, cpu, irql, event, ...fields }) as TraceEvent;

function observe(events: TraceEvent[]): Record<string, unknown> {
  const checker = new ContractChecker([new NearMissObserver()], { rerun: 'test' });
  for (const e of events) checker.write(e);
  checker.close();
  return checker.summary().facts;
}

describe('check: near misses', () => {
  beforeEach(() => { seq = 0; });

  it('counts overlapping operations on one key when one writes, and shared keys once', () => {
    const k = { map: 'm', key: '01000000' };
    const facts = observe([
      ev(0, 'op_begin', { op: 'find', mode: 'user', ...k }),
      ev(1, 'op_begin', { op: 'update', mode: 'user', ...k }),
      ev(1, 'op_end', { op: 'update', result: 'EBPF_SUCCESS', ...k }),
      ev(0, 'op_end', { op: 'find', result: 'EBPF_SUCCESS', ...k }),
      // Two finds overlapping are no near miss; another key is not shared.
      ev(0, 'op_begin', { op: 'find', mode: 'user', ...k }),
      ev(1, 'op_begin', { op: 'find', mode: 'user', ...k }),
      ev(1, 'op_end', { op: 'find', result: 'EBPF_SUCCESS', ...k }),
      ev(0, 'op_end', { op: 'find', result: 'EBPF_SUCCESS', ...k }),
      ev(0, 'op_begin', { op: 'update', mode: 'user', map: 'm', key: '02000000' }),
      ev(0, 'op_end', { op: 'update', result: 'EBPF_SUCCESS', map: 'm', key: '02000000' }),
    ]);
    expect(facts['nearMisses']).to.include({ keyOverlap: 1, lockHandoff: 0, retiredRead: 0, freeAfterRead: 0 });
    expect(facts['windows']).to.include({ sharedKeys: 1 });
  });

  it('counts a bucket lock taken by another CPU right after an unlock, and not a re-lock by the same CPU', () => {
    const b = { map: 'm', bucket: 3 };
    const facts = observe([
      ev(0, 'bucket_lock', b, 'DISPATCH'), ev(0, 'bucket_unlock', { ...b, core: 'insert' }, 'DISPATCH'),
      ev(1, 'bucket_lock', b, 'DISPATCH'), ev(1, 'bucket_unlock', { ...b, core: 'none' }, 'DISPATCH'),
      ev(1, 'bucket_lock', b, 'DISPATCH'), ev(1, 'bucket_unlock', { ...b, core: 'none' }, 'DISPATCH'),
    ]);
    expect(facts['nearMisses']).to.include({ lockHandoff: 1 });
  });

  it('counts a read of a retired block, and its free within one epoch advance of the read', () => {
    const facts = observe([
      ev(1, 'retire', { map: 'm', block: 640, epoch: 3, tag: 'eVal' }),
      ev(0, 'read', { block: 640, state: 'retired', stamp: 3, readerEpoch: 2, published: 3, age: 0 }),
      ev(-1, 'epoch_advance', { epoch: 4, released: 2 }),
      ev(-1, 'free', { block: 640, stamp: 3, released: 3, tag: 'eVal' }),
      ev(0, 'read', { block: 700, state: 'live', stamp: 0, readerEpoch: 4, published: 4, age: 0 }),
      ev(-1, 'epoch_advance', { epoch: 5, released: 3 }), ev(-1, 'epoch_advance', { epoch: 6, released: 4 }),
      ev(-1, 'free', { block: 700, stamp: 5, released: 5, tag: 'eVal' }),
    ]);
    expect(facts['nearMisses']).to.include({ retiredRead: 1, freeAfterRead: 1 });
    expect(facts['windows']).to.include({ retires: 1 });
  });

  it('opens the windows of the other bug classes', () => {
    const facts = observe([
      ev(1, 'epoch_enter', { epoch: 3, state: 0, depth: 1 }, 'DISPATCH'),
      ev(1, 'op_begin', { op: 'update', mode: 'user', map: 'm', key: '01000000' }),
      ev(1, 'preprocess_map_update_element', { map: 'm', key: '01000000', result: 'EBPF_SUCCESS', flags: [] }),
      ev(1, 'postprocess_map_delete_element', { map: 'm', key: '01000000', flags: [] }),
      ev(1, 'op_end', { op: 'update', map: 'm', key: '01000000', result: 'EBPF_OUT_OF_SPACE' }),
      ev(-1, 'op_end', { op: 'map_cleanup', map: 'm', entries: 2, result: 'EBPF_SUCCESS' }),
    ]);
    expect(facts['windows']).to.include({ dispatchEpochs: 1, deleteCallbacks: 1, failedUpdates: 1, cleanupEntries: 1, helperWrites: 0 });
  });
});

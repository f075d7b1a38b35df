/**
 * Unit tests of the rules on the operations beyond CRUD (ops.no-callback,
 * ops.helper-stack-blocked) on synthetic traces: where each fires and where
 * it stays quiet, and that the per-key operations inside update_batch and
 * delete_batch are judged as operations of their own.
 */
import { expect } from 'chai';
import { HELPER, REG_POST, TraceBuilder, UPDATE, byRule } from './trace-builder.test.js';

const NOT_SUPPORTED = 'EBPF_OPERATION_NOT_SUPPORTED';
const INVALID = 'EBPF_INVALID_ARGUMENT';
const uov = () => new TraceBuilder().create(REG_POST, { updatesOriginalValue: true, preFreeMode: true }).insert('01', 100);

describe('check rules: operations beyond CRUD', () => {
  it('scenario 40: ops.no-callback fires on a provider callback during get_next_key, and stays quiet on a silent one', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'next_key').cb(0, 'postprocess_map_find_element', { key: '01' }).end(0, 'next_key', 'EBPF_SUCCESS', { key: '01' });
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({ 'ops.no-callback': 1, 'find.after-hit': 1 });
    const quiet = new TraceBuilder().create().insert('01', 100);
    quiet.begin(0, 'next_key', { key: '01' }).end(0, 'next_key', 'EBPF_NO_MORE_KEYS');
    expect(byRule(quiet.cleanup([100]).events)).to.deep.equal({});
  });

  it('scenario 35: ops.no-callback fires on postprocess_map_find_element inside find_element (find_element_function bypasses it)', () => {
    const t = uov();
    t.begin(1, 'find_element', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'DISPATCH');
    expect(byRule(t.end(1, 'find_element').cleanup([100]).events)).to.deep.equal({ 'ops.no-callback': 1, 'find.after-hit': 1 });
  });

  it('scenario 27: the per-key updates of update_batch are judged as updates (one undo is right, two are not)', () => {
    const batch = (undos: number): TraceBuilder => {
      const t = new TraceBuilder().create().insert('01', 100);
      t.begin(0, 'update_batch', { count: 1, option: 'NOEXIST' });
      t.ev(0, 'op_begin', { map: 'm', op: 'update', mode: 'user', key: '01', option: 'NOEXIST' });
      t.cb(0, 'preprocess_map_update_element', { key: '01' }).lock(0).unlock(0, 'none', 900);
      for (let i = 0; i < undos; i++) t.cb(0, 'postprocess_map_delete_element', { key: '01', flags: [UPDATE], value: 555 });
      t.retire(0, 900).ev(0, 'op_end', { map: 'm', op: 'update', result: 'EBPF_OBJECT_ALREADY_EXISTS', key: '01' });
      return t.end(0, 'update_batch', 'EBPF_OBJECT_ALREADY_EXISTS', { processed: 0 }).cleanup([100]);
    };
    expect(byRule(batch(1).events)).to.deep.equal({});
    expect(byRule(batch(2).events)).to.deep.equal({ 'update.undo-once': 1 });
  });

  it('scenario 34: ops.helper-stack-blocked fires on a helper pop of an object map that is not blocked', () => {
    const t = uov();
    t.begin(1, 'pop', { mode: 'helper' }).end(1, 'pop', INVALID);
    t.begin(1, 'push', { mode: 'helper' }).end(1, 'push', INVALID);
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({ 'ops.helper-stack-blocked': 2 });
  });

  it('scenario 34: ops.helper-stack-blocked stays quiet on blocked helper calls, user-mode calls and maps without updates_original_value', () => {
    const t = uov();
    for (const op of ['push', 'pop', 'peek']) t.begin(1, op, { mode: 'helper' }).end(1, op, NOT_SUPPORTED);
    for (const op of ['push', 'pop', 'peek']) t.begin(0, op).end(0, op, INVALID);
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({});
    const plain = new TraceBuilder().create().insert('01', 100);
    for (const op of ['push', 'pop', 'peek']) plain.begin(1, op, { mode: 'helper' }).end(1, op, INVALID);
    expect(byRule(plain.cleanup([100]).events)).to.deep.equal({});
  });

  it('scenario 35: ops.find-element-codes fires on a code outside the header\'s list, and stays quiet on the listed ones', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    for (const result of ['EBPF_SUCCESS', 'EBPF_KEY_NOT_FOUND', 'EBPF_INVALID_OBJECT']) {
      t.begin(1, 'find_element', { key: '01', mode: 'helper' }).end(1, 'find_element', result);
    }
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({});
    const built = new TraceBuilder().create().insert('01', 100);
    built.begin(1, 'find_element', { key: '02', mode: 'helper' }).end(1, 'find_element', 'EBPF_OBJECT_NOT_FOUND');
    built.begin(1, 'find_element', { key: '00', mode: 'helper', map: undefined }).end(1, 'find_element', INVALID, { map: undefined });
    expect(byRule(built.cleanup([100]).events)).to.deep.equal({ 'ops.find-element-codes': 2 });
  });
});

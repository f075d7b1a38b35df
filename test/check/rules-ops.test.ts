/**
 * Unit tests of the operation rules (lifecycle, find, update, delete,
 * blocking) on synthetic traces: for each rule, traces where it fires and
 * traces where it stays quiet. Every trace is otherwise well formed, so the
 * expected violation counts are exact.
 */
import { expect } from 'chai';
import {
  HELPER, MAP_CLEANUP, REG_POST, REG_PRE, SUCCESS, TraceBuilder, UPDATE, baseline, byRule,
} from './trace-builder.test.js';

const NOT_FOUND = 'EBPF_OBJECT_NOT_FOUND';
const NOT_SUPPORTED = 'EBPF_OPERATION_NOT_SUPPORTED';

/** An update that reaches the core and fails there (bucket_unlock core none, new value 900 retired). */
function failedUpdate(t: TraceBuilder, pre: 'ok' | 'none', undo: Array<Record<string, unknown>>): TraceBuilder {
  t.begin(0, 'update', { key: '05', option: 'ANY' });
  if (pre === 'ok') t.cb(0, 'preprocess_map_update_element', { key: '05' });
  t.lock(0).unlock(0, 'none', 900);
  for (const fields of undo) t.cb(0, 'postprocess_map_delete_element', { key: '05', flags: [UPDATE], value: 555, ...fields });
  return t.retire(0, 900).end(0, 'update', 'EBPF_OUT_OF_SPACE', { key: '05' });
}

describe('check rules: lifecycle', () => {
  it('lifecycle.create-first fires on a callback before preprocess_map_create, and on a second create', () => {
    const t = baseline();
    t.begin(1, 'find', { map: 'ghost', key: '01' }).cb(1, 'postprocess_map_find_element', { map: 'ghost' }).end(1, 'find');
    expect(byRule(t.events)).to.deep.equal({ 'lifecycle.create-first': 1 });
    const twice = new TraceBuilder().create().create().cleanup([]);
    expect(byRule(twice.events)).to.deep.equal({ 'lifecycle.create-first': 1 });
  });

  it('lifecycle.create-first and delete-last stay quiet on a failed create without callbacks', () => {
    const t = new TraceBuilder();
    t.begin(0, 'create').end(0, 'create', 'EBPF_EXTENSION_FAILED_TO_LOAD', { registered: REG_POST });
    expect(byRule(t.events)).to.deep.equal({});
  });

  it('lifecycle.delete-last fires on a callback or a second postprocess_map_delete after the first', () => {
    expect(byRule(baseline().find('02', true).events)).to.deep.equal({ 'lifecycle.delete-last': 1 });
    expect(byRule(baseline().cleanup([]).events)).to.deep.equal({ 'lifecycle.delete-last': 1 });
  });

  it('lifecycle.delete-last fires at the end of the run for a created map never deleted', () => {
    expect(byRule(new TraceBuilder().create().insert('01', 100).events)).to.deep.equal({ 'lifecycle.delete-last': 1 });
  });
});

describe('check rules: find', () => {
  it('find.after-hit fires on a callback after a core miss, a second callback, or one outside a lookup', () => {
    const miss = new TraceBuilder().create();
    miss.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element').end(0, 'find', NOT_FOUND).cleanup([]);
    expect(byRule(miss.events)).to.deep.equal({ 'find.after-hit': 1 });
    const twice = new TraceBuilder().create().insert('01', 100);
    twice.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element').cb(0, 'postprocess_map_find_element');
    twice.end(0, 'find').cleanup([100]);
    expect(byRule(twice.events)).to.deep.equal({ 'find.after-hit': 1 });
    const outside = new TraceBuilder().create();
    outside.begin(0, 'update', { key: '01' }).cb(0, 'preprocess_map_update_element').lock(0).unlock(0, 'insert', 100);
    outside.cb(0, 'postprocess_map_find_element').end(0, 'update').cleanup([100]);
    expect(byRule(outside.events)).to.deep.equal({ 'find.after-hit': 1 });
  });

  it('find.after-hit stays quiet when the provider itself returns OBJECT_NOT_FOUND', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element', { result: NOT_FOUND }).end(0, 'find', NOT_FOUND);
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({});
  });

  it('find.helper-flag fires when HELPER and the call mode disagree, and stays quiet when they agree', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', {}, 'DISPATCH').end(1, 'find');
    t.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element', { flags: [HELPER] }).end(0, 'find');
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({ 'find.helper-flag': 2 });
    const ok = new TraceBuilder().create().insert('01', 100);
    ok.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'DISPATCH');
    expect(byRule(ok.end(1, 'find').cleanup([100]).events)).to.deep.equal({});
  });
});

describe('check rules: update', () => {
  it('update.preprocess-first fires when preprocess runs after the bucket lock was taken', () => {
    const t = new TraceBuilder().create();
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'insert', 100).cb(0, 'preprocess_map_update_element');
    expect(byRule(t.end(0, 'update').cleanup([100]).events)).to.deep.equal({ 'update.preprocess-first': 1 });
  });

  it('update.no-update-flag fires on UPDATE passed to preprocess_map_update_element', () => {
    const t = new TraceBuilder().create();
    t.begin(0, 'update', { key: '01' }).cb(0, 'preprocess_map_update_element', { flags: [UPDATE] });
    t.lock(0).unlock(0, 'insert', 100).end(0, 'update');
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({ 'update.no-update-flag': 1 });
  });

  it('update.replace-once fires on a replace without its delete callback (the value also misses delete.exactly-once)', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'update', { key: '01' }).cb(0, 'preprocess_map_update_element').lock(0).unlock(0, 'replace', 100, 200);
    t.retire(0, 100).end(0, 'update').cleanup([200]);
    expect(byRule(t.events)).to.deep.equal({ 'update.replace-once': 1, 'delete.exactly-once': 1 });
  });

  it('update.replace-once fires on a replace callback under the lock, and on a delete callback after an insert', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'update', { key: '01' }).cb(0, 'preprocess_map_update_element').lock(0);
    t.cb(0, 'postprocess_map_delete_element', { flags: [UPDATE], value: 100, bucketLockHeld: true }, 'DISPATCH');
    t.unlock(0, 'replace', 100, 200).retire(0, 100).end(0, 'update').cleanup([200]);
    expect(byRule(t.events)).to.deep.equal({ 'update.replace-once': 1, 'irql.user-passive': 1 });
    const insert = new TraceBuilder().create();
    insert.begin(0, 'update', { key: '01' }).cb(0, 'preprocess_map_update_element').lock(0).unlock(0, 'insert', 100);
    insert.cb(0, 'postprocess_map_delete_element', { flags: [UPDATE], value: 555 }).end(0, 'update').cleanup([100]);
    expect(byRule(insert.events)).to.deep.equal({ 'update.replace-once': 1 });
  });

  it('update.undo-once fires on a core failure after preprocess with no undo, or with two', () => {
    expect(byRule(failedUpdate(new TraceBuilder().create(), 'ok', []).cleanup([]).events)).to.deep.equal({ 'update.undo-once': 1 });
    expect(byRule(failedUpdate(new TraceBuilder().create(), 'ok', [{}, {}]).cleanup([]).events))
      .to.deep.equal({ 'update.undo-once': 1 });
  });

  it('update.undo-once fires on an undo without preprocess (as built, reference 6.3)', () => {
    const t = failedUpdate(new TraceBuilder().create(REG_PRE), 'none', []);
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'none', 901);
    t.cb(0, 'preprocess_map_delete_element', { flags: [UPDATE], value: 555 }).retire(0, 901);
    t.end(0, 'update', 'EBPF_OBJECT_ALREADY_EXISTS').cleanup([], 'preprocess_map_delete_element');
    expect(byRule(t.events)).to.deep.equal({ 'update.undo-once': 1 });
  });

  it('update.undo-once stays quiet on one undo after the core, a failed preprocess, or a failure before the lock', () => {
    const t = failedUpdate(new TraceBuilder().create(), 'ok', [{}]);
    t.begin(0, 'update', { key: '06' }).cb(0, 'preprocess_map_update_element', { result: 'EBPF_NO_MEMORY' });
    t.end(0, 'update', 'EBPF_NO_MEMORY');
    t.begin(0, 'update', { key: '07' }).cb(0, 'preprocess_map_update_element');
    t.cb(0, 'postprocess_map_delete_element', { flags: [UPDATE], value: 555 }).end(0, 'update', 'EBPF_NO_MEMORY');
    expect(byRule(t.cleanup([]).events)).to.deep.equal({});
  });
});

describe('check rules: delete', () => {
  it('delete.pre-under-lock fires on the deprecated callback after unlink, without the lock (FREE mode as built)', () => {
    const t = new TraceBuilder().create(REG_PRE);
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'insert', 100).end(0, 'update');
    t.begin(0, 'delete', { key: '01' }).lock(0).unlock(0, 'remove', 100);
    t.cb(0, 'preprocess_map_delete_element', { value: 100 }).retire(0, 100).end(0, 'delete');
    expect(byRule(t.cleanup([], 'preprocess_map_delete_element').events)).to.deep.equal({ 'delete.pre-under-lock': 1 });
  });

  it('delete.pre-under-lock stays quiet under the lock before unlink, and on a veto', () => {
    const t = new TraceBuilder().create(REG_PRE);
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'insert', 100).end(0, 'update');
    t.begin(0, 'delete', { key: '01' }).lock(0);
    t.cb(0, 'preprocess_map_delete_element', { value: 100, bucketLockHeld: true, result: NOT_SUPPORTED }, 'DISPATCH');
    t.unlock(0, 'none').end(0, 'delete', NOT_SUPPORTED);
    t.begin(0, 'delete', { key: '01' }).lock(0).cb(0, 'preprocess_map_delete_element', { value: 100, bucketLockHeld: true }, 'DISPATCH');
    t.unlock(0, 'remove', 100).retire(0, 100).end(0, 'delete');
    expect(byRule(t.cleanup([], 'preprocess_map_delete_element').events)).to.deep.equal({});
  });

  it('delete.post-after-unlock fires on postprocess delete under the lock before unlink (PRE_FREE as built)', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'delete', { key: '01' }).lock(0);
    t.cb(0, 'postprocess_map_delete_element', { value: 100, bucketLockHeld: true }, 'DISPATCH');
    t.unlock(0, 'remove', 100).retire(0, 100).end(0, 'delete').cleanup([]);
    expect(byRule(t.events)).to.deep.equal({ 'delete.post-after-unlock': 1, 'irql.user-passive': 1 });
  });

  it('delete.post-after-unlock fires when the callback names another value than the removed one', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'delete', { key: '01' }).lock(0).unlock(0, 'remove', 100).cb(0, 'postprocess_map_delete_element', { value: 999 });
    t.retire(0, 100).end(0, 'delete').cleanup([]);
    expect(byRule(t.events)).to.deep.equal({ 'delete.post-after-unlock': 1, 'delete.exactly-once': 1 });
  });

  it('delete.exactly-one-registered fires on both (created or refused) and on neither when created', () => {
    const both = [...REG_POST, 'preprocess_map_delete_element'];
    const neither = REG_POST.filter((n) => n !== 'postprocess_map_delete_element');
    expect(byRule(new TraceBuilder().create(both).cleanup([]).events)).to.deep.equal({ 'delete.exactly-one-registered': 1 });
    expect(byRule(new TraceBuilder().create(neither).cleanup([]).events)).to.deep.equal({ 'delete.exactly-one-registered': 1 });
    const refused = new TraceBuilder().begin(0, 'create').end(0, 'create', 'EBPF_EXTENSION_FAILED_TO_LOAD', { registered: both });
    expect(byRule(refused.events)).to.deep.equal({ 'delete.exactly-one-registered': 1 });
  });

  it('delete.exactly-one-registered stays quiet when the runtime refuses a provider with neither', () => {
    const neither = REG_POST.filter((n) => n !== 'postprocess_map_delete_element');
    const t = new TraceBuilder().begin(0, 'create').end(0, 'create', 'EBPF_EXTENSION_FAILED_TO_LOAD', { registered: neither });
    expect(byRule(t.events)).to.deep.equal({});
  });

  it('delete.must-not-fail fires on a failing delete callback with MAP_CLEANUP or UPDATE, not on an explicit veto', () => {
    const t = new TraceBuilder().create(REG_PRE);
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'insert', 100).end(0, 'update');
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'replace', 100, 200);
    t.cb(0, 'preprocess_map_delete_element', { flags: [UPDATE], value: 100, result: NOT_SUPPORTED }).retire(0, 100).end(0, 'update');
    t.begin(-1, 'map_cleanup').cb(-1, 'preprocess_map_delete_element', { flags: [MAP_CLEANUP], value: 200, result: NOT_SUPPORTED });
    t.retire(-1, 200).cb(-1, 'postprocess_map_delete').end(-1, 'map_cleanup', SUCCESS, { entries: 1 });
    expect(byRule(t.events)).to.deep.equal({ 'delete.must-not-fail': 2 });
  });
});

describe('check rules: blocking', () => {
  const uov = () => new TraceBuilder().create(REG_POST, { updatesOriginalValue: true, preFreeMode: true }).insert('01', 100);

  it('blocking.helper-crud fires on a callback and a result other than NOT_SUPPORTED in a helper call', () => {
    const t = uov();
    t.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'DISPATCH');
    expect(byRule(t.end(1, 'find').cleanup([100]).events)).to.deep.equal({ 'blocking.helper-crud': 2 });
  });

  it('blocking.helper-crud stays quiet on blocked helper calls and on helper calls to other maps', () => {
    const t = uov();
    for (const op of ['find', 'update', 'delete', 'find_and_delete']) {
      t.begin(1, op, { key: '01', mode: 'helper' }).end(1, op, NOT_SUPPORTED);
    }
    t.cleanup([100]);
    expect(byRule(t.events)).to.deep.equal({});
    const plain = new TraceBuilder().create().insert('01', 100);
    plain.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'DISPATCH');
    expect(byRule(plain.end(1, 'find').cleanup([100]).events)).to.deep.equal({});
  });
});

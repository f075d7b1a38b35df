/**
 * Unit tests of the cleanup, exactly-once, IRQL, epoch, reclamation and age
 * rules on synthetic traces: for each rule, traces where it fires and traces
 * where it stays quiet, with exact violation counts.
 */
import { expect } from 'chai';
import { HELPER, MAP_CLEANUP, REG_PRE, SUCCESS, TraceBuilder, UPDATE, baseline, byRule, check } from './trace-builder.test.js';

/** A map_cleanup op on the system lane: `callbacks` are the values named, `retired` the values drained. */
function cleanupOp(t: TraceBuilder, callbacks: Array<Record<string, unknown>>, retired: number[], entries: number): TraceBuilder {
  t.begin(-1, 'map_cleanup');
  for (const fields of callbacks) t.cb(-1, 'postprocess_map_delete_element', { flags: [MAP_CLEANUP], ...fields });
  for (const v of retired) t.retire(-1, v);
  t.cb(-1, 'postprocess_map_delete');
  return t.end(-1, 'map_cleanup', SUCCESS, { entries });
}

describe('check rules: cleanup', () => {
  const filled = () => new TraceBuilder().create().insert('01', 100).insert('02', 200);

  it('cleanup.flags fires on MAP_CLEANUP combined with another flag, and on a count other than the entries', () => {
    const combined = cleanupOp(filled(), [{ value: 100, flags: [MAP_CLEANUP, HELPER] }, { value: 200 }], [100, 200], 2);
    expect(byRule(combined.events)).to.deep.equal({ 'cleanup.flags': 1 });
    expect(byRule(cleanupOp(filled(), [{ value: 100 }], [100], 2).events)).to.deep.equal({ 'cleanup.flags': 1 });
  });

  it('cleanup.flags fires on MAP_CLEANUP outside map cleanup', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'delete', { key: '01' }).lock(0).unlock(0, 'remove', 100);
    t.cb(0, 'postprocess_map_delete_element', { value: 100, flags: [MAP_CLEANUP] }).retire(0, 100).end(0, 'delete');
    expect(byRule(t.cleanup([]).events)).to.deep.equal({ 'cleanup.flags': 1 });
  });

  it('cleanup.flags fires on a delete callback after postprocess_map_delete, and on a cleanup without it', () => {
    const late = filled().begin(-1, 'map_cleanup').cb(-1, 'postprocess_map_delete_element', { flags: [MAP_CLEANUP], value: 100 });
    late.cb(-1, 'postprocess_map_delete').cb(-1, 'postprocess_map_delete_element', { flags: [MAP_CLEANUP], value: 200 });
    late.retire(-1, 100).retire(-1, 200).end(-1, 'map_cleanup', SUCCESS, { entries: 2 });
    expect(byRule(late.events)).to.deep.equal({ 'cleanup.flags': 1, 'lifecycle.delete-last': 1 });
    const none = filled().begin(-1, 'map_cleanup');
    for (const v of [100, 200]) none.cb(-1, 'postprocess_map_delete_element', { flags: [MAP_CLEANUP], value: v }).retire(-1, v);
    none.end(-1, 'map_cleanup', SUCCESS, { entries: 2 });
    expect(byRule(none.events)).to.deep.equal({ 'cleanup.flags': 1, 'lifecycle.delete-last': 1 });
  });

  it('cleanup.flags stays quiet on one MAP_CLEANUP callback per entry (either delete variant)', () => {
    expect(byRule(filled().cleanup([100, 200]).events)).to.deep.equal({});
    const legacy = new TraceBuilder().create(REG_PRE);
    legacy.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'insert', 100).end(0, 'update');
    expect(byRule(legacy.cleanup([100], 'preprocess_map_delete_element').events)).to.deep.equal({});
  });
});

describe('check rules: delete.exactly-once', () => {
  it('fires on drained values named twice or never', () => {
    const t = new TraceBuilder().create().insert('01', 100).insert('02', 200);
    expect(byRule(cleanupOp(t, [{ value: 100 }, { value: 100 }], [100, 200], 2).events)).to.deep.equal({ 'delete.exactly-once': 2 });
  });

  it('fires on a delete callback naming a value the update never published', () => {
    const t = new TraceBuilder().create();
    t.begin(0, 'update', { key: '01' }).cb(0, 'preprocess_map_update_element').lock(0).unlock(0, 'none', 900);
    t.cb(0, 'postprocess_map_delete_element', { flags: [UPDATE], value: 900 }).retire(0, 900);
    expect(byRule(t.end(0, 'update', 'EBPF_OUT_OF_SPACE').cleanup([]).events)).to.deep.equal({ 'delete.exactly-once': 1 });
  });

  it('fires when another CPU names a value that is leaving the map', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'delete', { key: '01' }).lock(0).unlock(0, 'remove', 100).cb(0, 'postprocess_map_delete_element', { value: 100 });
    t.begin(1, 'update', { key: '02' }).cb(1, 'preprocess_map_update_element').lock(1).unlock(1, 'none', 901);
    t.cb(1, 'postprocess_map_delete_element', { flags: [UPDATE], value: 100 }).retire(1, 901).end(1, 'update', 'EBPF_OUT_OF_SPACE');
    t.retire(0, 100).end(0, 'delete').cleanup([]);
    expect(byRule(t.events)).to.deep.equal({ 'delete.exactly-once': 1 });
  });

  it('stays quiet on replace, delete, cleanup and a PRE_FREE callback before the unlock', () => {
    const t = new TraceBuilder().create(REG_PRE);
    t.begin(0, 'update', { key: '01' }).lock(0).unlock(0, 'insert', 100).end(0, 'update');
    t.begin(0, 'delete', { key: '01' }).lock(0).cb(0, 'preprocess_map_delete_element', { value: 100, bucketLockHeld: true }, 'DISPATCH');
    t.unlock(0, 'remove', 100).retire(0, 100).end(0, 'delete').cleanup([], 'preprocess_map_delete_element');
    expect(byRule(t.events)).to.deep.equal({});
  });
});

describe('check rules: irql', () => {
  it('irql.user-passive fires on a user call callback and a cleanup callback at DISPATCH', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element', {}, 'DISPATCH').end(0, 'find');
    t.begin(-1, 'map_cleanup').cb(-1, 'postprocess_map_delete_element', { flags: [MAP_CLEANUP], value: 100 }, 'DISPATCH');
    t.retire(-1, 100).cb(-1, 'postprocess_map_delete').end(-1, 'map_cleanup', SUCCESS, { entries: 1 });
    expect(byRule(t.events)).to.deep.equal({ 'irql.user-passive': 2 });
  });

  it('irql.helper-max-dispatch fires above DISPATCH and stays quiet at DISPATCH', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'HIGH').end(1, 'find');
    t.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'DISPATCH').end(1, 'find');
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({ 'irql.helper-max-dispatch': 1 });
  });
});

describe('check rules: epoch', () => {
  it('epoch.callback-inside fires on a callback outside any epoch', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element', { inEpoch: false }).end(0, 'find');
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({ 'epoch.callback-inside': 1 });
  });

  it('epoch.paired fires on an operation that leaves an epoch open, and at the end of the run', () => {
    const t = new TraceBuilder().create();
    t.begin(0, 'find', { key: '01' }).enter(0).end(0, 'find', 'EBPF_OBJECT_NOT_FOUND');
    expect(byRule(t.cleanup([]).events)).to.deep.equal({ 'epoch.paired': 2 });
  });

  it('epoch.paired stays quiet on a program batch around helper calls and a stall inside it', () => {
    const t = new TraceBuilder().create().insert('01', 100);
    t.begin(1, 'batch', { mode: 'helper', map: undefined }).enter(1);
    t.begin(1, 'find', { key: '01', mode: 'helper' }).cb(1, 'postprocess_map_find_element', { flags: [HELPER] }, 'DISPATCH');
    t.end(1, 'find').ev(1, 'op_begin', { op: 'stall', mode: 'user' }, 'DISPATCH');
    t.ev(1, 'op_end', { op: 'stall', result: SUCCESS }, 'DISPATCH');
    t.exit(1).end(1, 'batch');
    expect(byRule(t.cleanup([100]).events)).to.deep.equal({});
  });
});

describe('check rules: memory.reclaim-bound', () => {
  const advance = (t: TraceBuilder, epoch: number, released: number) => t.ev(-1, 'epoch_advance', { epoch, released });

  it('fires when an eligible block is not freed within 3 further epoch advances', () => {
    const t = new TraceBuilder().retire(0, 7000);
    for (let released = 5; released <= 9; released++) advance(t, released + 1, released);
    t.ev(-1, 'free', { block: 7000, stamp: 5, released: 9, tag: 'eVal' });
    expect(byRule(t.events)).to.deep.equal({ 'memory.reclaim-bound': 1 });
  });

  it('stays quiet on a free within the bound, on a free recorded before its retire, and while not eligible', () => {
    const t = new TraceBuilder().retire(0, 7000);
    t.epoch = 20;
    t.retire(0, 7100);
    t.ev(-1, 'free', { block: 7200, stamp: 5, released: 5, tag: 'eVal' });
    t.epoch = 5;
    t.retire(0, 7200);
    for (let released = 5; released <= 7; released++) advance(t, released + 1, released);
    t.ev(-1, 'free', { block: 7000, stamp: 5, released: 7, tag: 'eVal' });
    for (let released = 8; released <= 12; released++) advance(t, released + 1, released);
    t.ev(-1, 'free', { block: 7100, stamp: 20, released: 20, tag: 'eVal' });
    expect(byRule(t.events)).to.deep.equal({});
  });
});

describe('check rules: age.window', () => {
  const read = (t: TraceBuilder, state: string, stamp: number, readerEpoch: number, age: number) =>
    t.ev(0, 'read', { block: 4000, state, stamp, readerEpoch, published: stamp + age, age });

  it('fires on a read of a block retired before the reader entered, and leaves freed reads to memory.use-after-free', () => {
    const t = new TraceBuilder();
    read(t, 'retired', 5, 6, 1);
    read(t, 'free', 0, 6, 0);
    expect(byRule(t.events)).to.deep.equal({ 'age.window': 1 });
  });

  it('stays quiet on live reads and retired reads by readers that entered before the retire; histograms ages', () => {
    const t = new TraceBuilder();
    read(t, 'live', 0, 6, 0);
    for (const age of [1, 2, 3, 4, 7, 12]) read(t, 'retired', 5, 5, age);
    const checker = check(t.events);
    expect(checker.summary().byRule).to.deep.equal({});
    expect(checker.summary().facts['ageHistogram']).to.deep.equal({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 1, '5-9': 1, '10+': 1 });
  });
});

describe('check rules: quiet baseline', () => {
  it('the baseline (insert, find, replace, miss, delete, cleanup) raises nothing', () => {
    expect(byRule(baseline().events)).to.deep.equal({});
  });
});

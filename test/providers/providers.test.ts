/**
 * Unit tests of the built-in providers' callbacks against a single-threaded
 * fake context (test/providers/fake-context.ts). The runtime's call order is
 * played by hand: create, then the element callbacks the runtime would make,
 * then map delete.
 */
import { expect } from 'chai';
import { EbpfResult } from '../../src/contract/ebpf-result.js';
import { MapOperationFlag } from '../../src/contract/map-operation.js';
import { REQUIRED_CALLBACKS, type MapProvider, type ProviderDispatchTable } from '../../src/providers/provider.js';
import { createProvider as createObject, MapContextField, ObjectField } from '../../src/providers/object.js';
import { createProvider as createPassthrough } from '../../src/providers/passthrough.js';
import { createProvider as createMinimal } from '../../src/providers/minimal.js';
import { createProvider as createLegacy } from '../../src/providers/legacy.js';
import {
  LEGACY_MAP_CONTEXT_TAG, MINIMAL_MAP_CONTEXT_TAG, OBJECT_MAP_CONTEXT_TAG, OBJECT_TAG, PASSTHROUGH_MAP_CONTEXT_TAG,
} from '../../src/providers/tags.js';
import { fourcc, tagName } from '../../src/contract/tags.js';
import { FakeContext, createOut } from './fake-context.js';

const HASH = 1; // BPF_MAP_TYPE_HASH; providers ignore the type
const { Helper, Update, MapCleanup } = MapOperationFlag;

/** The dispatch table's registered callback names, sorted. */
function registered(provider: MapProvider): string[] {
  const d = provider.dispatch as Record<string, unknown>;
  return Object.keys(d).filter((k) => typeof d[k] === 'function').sort();
}

/** A callback the test knows is registered. */
function cb<K extends keyof ProviderDispatchTable>(provider: MapProvider, name: K): NonNullable<ProviderDispatchTable[K]> {
  const fn = provider.dispatch[name];
  if (fn === undefined) throw new Error(`${provider.name} does not register ${name}`);
  return fn as NonNullable<ProviderDispatchTable[K]>;
}

/** Creates a map through the provider; returns its context pointer. */
function createMap(ctx: FakeContext, provider: MapProvider, keySize: number, valueSize: number, maxEntries = 16): number {
  const out = createOut();
  expect(cb(provider, 'preprocessMapCreate')(ctx, HASH, keySize, valueSize, maxEntries, out)).to.equal(EbpfResult.Success);
  return out.mapContext;
}

describe('providers/tags', () => {
  it('packs four ASCII characters little-endian, first character lowest', () => {
    expect(fourcc('abcd')).to.equal(0x64636261);
    expect(tagName(fourcc('ObOb'))).to.equal('ObOb');
  });

  it('rejects strings that are not four ASCII characters', () => {
    expect(() => fourcc('abc')).to.throw(RangeError);
    expect(() => fourcc('abcde')).to.throw(RangeError);
    expect(() => fourcc('ab\u00e9d')).to.throw(RangeError);
  });

  it('gives every block kind its own tag', () => {
    const tags = [OBJECT_MAP_CONTEXT_TAG, OBJECT_TAG, PASSTHROUGH_MAP_CONTEXT_TAG, MINIMAL_MAP_CONTEXT_TAG, LEGACY_MAP_CONTEXT_TAG];
    expect(new Set(tags).size).to.equal(tags.length);
  });
});

describe('providers/object', () => {
  const provider = createObject({});
  const create = cb(provider, 'preprocessMapCreate');
  const update = cb(provider, 'preprocessMapUpdateElement');
  const find = cb(provider, 'postprocessMapFindElement');
  const del = cb(provider, 'postprocessMapDeleteElement');
  const deleteMap = cb(provider, 'postprocessMapDelete');
  let ctx: FakeContext;
  let key: number;

  beforeEach(() => {
    ctx = new FakeContext();
    key = ctx.u32Buffer(7);
  });

  const counters = (map: number) => ({
    live: ctx.mem.readU32(map + MapContextField.LiveObjects),
    created: ctx.mem.readU32(map + MapContextField.CreatedObjects),
    released: ctx.mem.readU32(map + MapContextField.ReleasedObjects),
  });

  /** Plays the runtime's preprocess update into a fresh temporary buffer; returns that buffer. */
  function store(map: number, userValue: number): number {
    const stored = ctx.mem.scratch(8);
    expect(update(ctx, map, 4, key, 4, ctx.u32Buffer(userValue), 8, stored, 0)).to.equal(EbpfResult.Success);
    return stored;
  }

  /** Plays a user-mode lookup; returns the value written to the user's buffer. */
  function lookup(map: number, stored: number): number {
    const out = ctx.u32Buffer(0xdeadbeef);
    expect(find(ctx, map, 4, key, 8, stored, 4, out, 0)).to.equal(EbpfResult.Success);
    return ctx.mem.readU32(out);
  }

  it('is an updates_original_value provider with postprocess (not preprocess) delete', () => {
    expect(provider.name).to.equal('object');
    expect(provider.properties.updatesOriginalValue).to.equal(true);
    expect(registered(provider)).to.deep.equal([
      'postprocessMapDelete', 'postprocessMapDeleteElement', 'postprocessMapFindElement',
      'preprocessMapAssociateProgramType', 'preprocessMapCreate', 'preprocessMapUpdateElement',
    ]);
    for (const name of REQUIRED_CALLBACKS) expect(provider.dispatch[name]).to.be.a('function');
  });

  it('creates a map with an 8-byte stored value and a cache-aligned tagged context', () => {
    const out = createOut();
    expect(create(ctx, HASH, 4, 4, 0, out)).to.equal(EbpfResult.Success); // max_entries 0 is allowed
    expect(out.actualValueSize).to.equal(8);
    const block = ctx.mem.blocks.get(out.mapContext);
    expect(block).to.include({ aligned: true, tag: OBJECT_MAP_CONTEXT_TAG, live: true });
    expect(counters(out.mapContext)).to.deep.equal({ live: 0, created: 0, released: 0 });
  });

  it('rejects a zero key size and any value size but 4, allocating nothing', () => {
    for (const [keySize, valueSize] of [[0, 4], [4, 0], [4, 8], [4, 3]] as const) {
      const out = createOut();
      expect(create(ctx, HASH, keySize, valueSize, 16, out)).to.equal(EbpfResult.InvalidArgument);
      expect(out.mapContext).to.equal(-1);
    }
    expect(ctx.epoch.allocations).to.equal(0);
  });

  it('returns NO_MEMORY when the context cannot be allocated', () => {
    ctx.epoch.allocationsLeft = 0;
    expect(create(ctx, HASH, 4, 4, 16, createOut())).to.equal(EbpfResult.NoMemory);
  });

  it('stores a reference to a new object and finds the user value through it', () => {
    const map = createMap(ctx, provider, 4, 4);
    const stored = store(map, 1234);
    const obj = ctx.mem.readU32(stored);
    expect(ctx.mem.blocks.get(obj)).to.include({ tag: OBJECT_TAG, aligned: false, live: true, size: 16 });
    expect(ctx.mem.readU32(stored + 4)).to.equal(ctx.mem.generationOf(obj));
    expect(ctx.mem.readU32(obj + ObjectField.RefCount)).to.equal(1);
    expect(lookup(map, stored)).to.equal(1234);
    expect(counters(map)).to.deep.equal({ live: 1, created: 1, released: 0 });
    expect(ctx.mem.stale).to.deep.equal([]);
  });

  it('leaves out_value alone when it is NULL', () => {
    const map = createMap(ctx, provider, 4, 4);
    const stored = store(map, 5);
    expect(find(ctx, map, 4, key, 8, stored, 0, 0, 0)).to.equal(EbpfResult.Success);
    expect(ctx.mem.stale).to.deep.equal([]);
  });

  it('releases the object on an explicit delete', () => {
    const map = createMap(ctx, provider, 4, 4);
    const stored = store(map, 99);
    const obj = ctx.mem.readU32(stored);
    del(ctx, map, 4, key, 8, stored, 0);
    expect(ctx.epoch.frees).to.deep.equal([{ ptr: obj, aligned: false }]);
    expect(counters(map)).to.deep.equal({ live: 0, created: 1, released: 1 });
    expect(ctx.epoch.errors).to.deep.equal([]);
  });

  it('releases the displaced object on a replace and keeps the new one', () => {
    const map = createMap(ctx, provider, 4, 4);
    const oldStored = store(map, 1);
    const newStored = store(map, 2);
    del(ctx, map, 4, key, 8, oldStored, Update); // the runtime's replace notification
    expect(counters(map)).to.deep.equal({ live: 1, created: 2, released: 1 });
    expect(lookup(map, newStored)).to.equal(2);
    expect(ctx.mem.stale).to.deep.equal([]);
  });

  it('undoes a failed core update by releasing the new object', () => {
    const map = createMap(ctx, provider, 4, 4);
    const temp = store(map, 3); // preprocess succeeded, then the core update failed (e.g. OUT_OF_SPACE)
    const obj = ctx.mem.readU32(temp);
    del(ctx, map, 4, key, 8, temp, Update);
    expect(ctx.epoch.frees.map((f) => f.ptr)).to.deep.equal([obj]);
    expect(counters(map)).to.deep.equal({ live: 0, created: 1, released: 1 });
  });

  it('returns NO_MEMORY from update when the object cannot be allocated, changing nothing', () => {
    const map = createMap(ctx, provider, 4, 4);
    ctx.epoch.allocationsLeft = 0;
    const stored = ctx.mem.scratch(8);
    expect(update(ctx, map, 4, key, 4, ctx.u32Buffer(1), 8, stored, 0)).to.equal(EbpfResult.NoMemory);
    expect(ctx.mem.readBytes(stored, 8)).to.deep.equal(new Uint8Array(8));
    expect(counters(map)).to.deep.equal({ live: 0, created: 0, released: 0 });
  });

  it('releases every object under MAP_CLEANUP, then deletes the map without an invariant', () => {
    const map = createMap(ctx, provider, 4, 4);
    const values = [store(map, 10), store(map, 11), store(map, 12)];
    for (const v of values) del(ctx, map, 4, key, 8, v, MapCleanup);
    deleteMap(ctx, map);
    expect(ctx.invariants).to.deep.equal([]);
    expect(ctx.epoch.frees.at(-1)).to.deep.equal({ ptr: map, aligned: true });
    expect(ctx.mem.liveEpochBlocks()).to.deep.equal([]);
    expect(ctx.epoch.errors).to.deep.equal([]);
  });

  it('reports an invariant at map delete while an object is still referenced, and still frees the context', () => {
    const map = createMap(ctx, provider, 4, 4);
    store(map, 1);
    const released = store(map, 2);
    store(map, 3);
    del(ctx, map, 4, key, 8, released, 0);
    deleteMap(ctx, map);
    expect(ctx.invariants).to.deep.equal(['object map: 2 objects still referenced at map delete (created 3, released 1)']);
    expect(ctx.mem.blocks.get(map)?.live).to.equal(false);
  });

  it('detects a lookup through a reference whose object was released', () => {
    const map = createMap(ctx, provider, 4, 4);
    const stored = store(map, 8);
    const snapshot = ctx.mem.scratch(8);
    ctx.mem.copy(snapshot, stored, 8); // a reader that got the stored value before the delete
    del(ctx, map, 4, key, 8, stored, 0);
    find(ctx, map, 4, key, 8, snapshot, 4, ctx.u32Buffer(0), 0);
    expect(ctx.mem.stale).to.have.length(1);
    expect(ctx.mem.stale[0]).to.include({ ptr: ctx.mem.readU32(snapshot), write: false });
  });

  it('does not free twice when a released reference is deleted again', () => {
    const map = createMap(ctx, provider, 4, 4);
    const stored = store(map, 8);
    del(ctx, map, 4, key, 8, stored, 0);
    del(ctx, map, 4, key, 8, stored, 0);
    expect(ctx.epoch.frees).to.have.length(1);
    expect(ctx.mem.stale).to.have.length(1);
    expect(counters(map)).to.deep.equal({ live: 0, created: 1, released: 1 });
  });

  it('keeps objects of two maps apart', () => {
    const a = createMap(ctx, provider, 4, 4);
    const b = createMap(ctx, provider, 4, 4);
    const sa = store(a, 1);
    store(b, 2);
    del(ctx, a, 4, key, 8, sa, 0);
    expect(counters(a)).to.deep.equal({ live: 0, created: 1, released: 1 });
    expect(counters(b)).to.deep.equal({ live: 1, created: 1, released: 0 });
  });

  it('rejects associating the program types listed in rejectProgramTypes', () => {
    const p = createObject({ rejectProgramTypes: ['cgroup_sock_addr'] });
    const map = createMap(ctx, p, 4, 4);
    const associate = cb(p, 'preprocessMapAssociateProgramType');
    expect(associate(ctx, map, 'cgroup_sock_addr')).to.equal(EbpfResult.OperationNotSupported);
    expect(associate(ctx, map, 'sample')).to.equal(EbpfResult.Success);
    expect(cb(provider, 'preprocessMapAssociateProgramType')(ctx, map, 'cgroup_sock_addr')).to.equal(EbpfResult.Success);
  });

  it('refuses a malformed rejectProgramTypes option when built', () => {
    expect(() => createObject({ rejectProgramTypes: 'sample' })).to.throw(TypeError);
    expect(() => createObject({ rejectProgramTypes: [1] })).to.throw(TypeError);
  });
});

describe('providers/passthrough', () => {
  let ctx: FakeContext;
  beforeEach(() => {
    ctx = new FakeContext();
  });

  it('registers every element callback except the deprecated delete and keeps the original value', () => {
    const p = createPassthrough({});
    expect(p.name).to.equal('passthrough');
    expect(p.properties.updatesOriginalValue).to.equal(false);
    expect(registered(p)).to.deep.equal([
      'postprocessMapDelete', 'postprocessMapDeleteElement', 'postprocessMapFindElement',
      'preprocessMapAssociateProgramType', 'preprocessMapCreate', 'preprocessMapUpdateElement',
    ]);
  });

  it('stores the value unchanged, rejects zero sizes, and frees its context at map delete', () => {
    const p = createPassthrough({});
    const create = cb(p, 'preprocessMapCreate');
    expect(create(ctx, HASH, 0, 4, 16, createOut())).to.equal(EbpfResult.InvalidArgument);
    expect(create(ctx, HASH, 4, 0, 16, createOut())).to.equal(EbpfResult.InvalidArgument);
    const out = createOut();
    expect(create(ctx, HASH, 4, 12, 0, out)).to.equal(EbpfResult.Success);
    expect(out.actualValueSize).to.equal(12);
    expect(ctx.mem.blocks.get(out.mapContext)).to.include({ aligned: true, tag: PASSTHROUGH_MAP_CONTEXT_TAG });
    cb(p, 'postprocessMapDelete')(ctx, out.mapContext);
    expect(ctx.epoch.frees).to.deep.equal([{ ptr: out.mapContext, aligned: true }]);
    expect(ctx.epoch.errors).to.deep.equal([]);
  });

  it('returns NO_MEMORY when the context cannot be allocated', () => {
    ctx.epoch.allocationsLeft = 0;
    expect(cb(createPassthrough({}), 'preprocessMapCreate')(ctx, HASH, 4, 4, 16, createOut())).to.equal(EbpfResult.NoMemory);
  });

  it('fails preprocess update with INVALID_ARGUMENT exactly for failUpdateValue', () => {
    const p = createPassthrough({ failUpdateValue: 13 });
    const map = createMap(ctx, p, 4, 4);
    const update = cb(p, 'preprocessMapUpdateElement');
    const key = ctx.u32Buffer(1);
    expect(update(ctx, map, 4, key, 4, ctx.u32Buffer(13), 0, 0, 0)).to.equal(EbpfResult.InvalidArgument);
    expect(update(ctx, map, 4, key, 4, ctx.u32Buffer(13), 0, 0, Helper)).to.equal(EbpfResult.InvalidArgument);
    expect(update(ctx, map, 4, key, 4, ctx.u32Buffer(14), 0, 0, 0)).to.equal(EbpfResult.Success);
    const always = cb(createPassthrough({}), 'preprocessMapUpdateElement');
    expect(always(ctx, map, 4, key, 4, ctx.u32Buffer(13), 0, 0, 0)).to.equal(EbpfResult.Success);
  });

  it('matches a negative failUpdateValue as its u32 bit pattern', () => {
    const p = createPassthrough({ failUpdateValue: -1 });
    const map = createMap(ctx, p, 4, 4);
    const key = ctx.u32Buffer(1);
    expect(cb(p, 'preprocessMapUpdateElement')(ctx, map, 4, key, 4, ctx.u32Buffer(0xffffffff), 0, 0, 0))
      .to.equal(EbpfResult.InvalidArgument);
  });

  it('refuses a malformed failUpdateValue option when built', () => {
    expect(() => createPassthrough({ failUpdateValue: '13' })).to.throw(TypeError);
    expect(() => createPassthrough({ failUpdateValue: 1.5 })).to.throw(TypeError);
  });

  it('touches nothing in find and delete callbacks', () => {
    const p = createPassthrough({});
    const map = createMap(ctx, p, 4, 4);
    const key = ctx.u32Buffer(1);
    const value = ctx.u32Buffer(42);
    const before = ctx.mem.readBytes(0, ctx.mem.u8.length);
    expect(cb(p, 'postprocessMapFindElement')(ctx, map, 4, key, 4, value, 0, 0, 0)).to.equal(EbpfResult.Success);
    for (const flags of [0, Helper, Update, MapCleanup]) cb(p, 'postprocessMapDeleteElement')(ctx, map, 4, key, 4, value, flags);
    expect(ctx.mem.readBytes(0, ctx.mem.u8.length)).to.deep.equal(before);
    expect(ctx.epoch.frees).to.deep.equal([]);
    expect(ctx.epoch.allocations).to.equal(1); // only the map context
  });
});

describe('providers/minimal', () => {
  it('registers only the three required callbacks', () => {
    const p = createMinimal({});
    expect(p.name).to.equal('minimal');
    expect(p.properties.updatesOriginalValue).to.equal(false);
    expect(registered(p)).to.deep.equal([...REQUIRED_CALLBACKS].sort());
  });

  it('creates, associates and deletes a map', () => {
    const ctx = new FakeContext();
    const p = createMinimal({});
    const out = createOut();
    expect(cb(p, 'preprocessMapCreate')(ctx, HASH, 8, 16, 4, out)).to.equal(EbpfResult.Success);
    expect(out.actualValueSize).to.equal(16);
    expect(ctx.mem.blocks.get(out.mapContext)).to.include({ aligned: true, tag: MINIMAL_MAP_CONTEXT_TAG });
    expect(cb(p, 'preprocessMapAssociateProgramType')(ctx, out.mapContext, 'anything')).to.equal(EbpfResult.Success);
    cb(p, 'postprocessMapDelete')(ctx, out.mapContext);
    expect(ctx.mem.liveEpochBlocks()).to.deep.equal([]);
    expect(ctx.epoch.errors).to.deep.equal([]);
  });

  it('returns NO_MEMORY when the context cannot be allocated', () => {
    const ctx = new FakeContext();
    ctx.epoch.allocationsLeft = 0;
    expect(cb(createMinimal({}), 'preprocessMapCreate')(ctx, HASH, 4, 4, 16, createOut())).to.equal(EbpfResult.NoMemory);
  });
});

describe('providers/legacy', () => {
  let ctx: FakeContext;
  beforeEach(() => {
    ctx = new FakeContext();
  });

  /** A key buffer holding `bytes`. */
  function keyOf(bytes: number[]): number {
    const ptr = ctx.mem.scratch(bytes.length);
    ctx.mem.writeBytes(ptr, bytes);
    return ptr;
  }

  it('registers the deprecated preprocess delete and no other element callback', () => {
    const p = createLegacy({});
    expect(p.name).to.equal('legacy');
    expect(p.properties.updatesOriginalValue).to.equal(false);
    expect(registered(p)).to.deep.equal([...REQUIRED_CALLBACKS, 'preprocessMapDeleteElement'].sort());
  });

  it('creates and deletes a map with its own context tag', () => {
    const p = createLegacy({});
    const map = createMap(ctx, p, 4, 4);
    expect(ctx.mem.blocks.get(map)).to.include({ aligned: true, tag: LEGACY_MAP_CONTEXT_TAG });
    cb(p, 'postprocessMapDelete')(ctx, map);
    expect(ctx.mem.liveEpochBlocks()).to.deep.equal([]);
  });

  it('vetoes an explicit delete of exactly the listed integer keys', () => {
    const p = createLegacy({ vetoKeys: [1, 0x01020304] });
    const map = createMap(ctx, p, 4, 4);
    const del = cb(p, 'preprocessMapDeleteElement');
    const value = ctx.u32Buffer(0);
    const verdict = (key: number, flags = 0) => del(ctx, map, 4, key, 4, value, flags);
    expect(verdict(ctx.u32Buffer(1))).to.equal(EbpfResult.OperationNotSupported);
    expect(verdict(keyOf([4, 3, 2, 1]))).to.equal(EbpfResult.OperationNotSupported);
    expect(verdict(ctx.u32Buffer(1), Helper)).to.equal(EbpfResult.OperationNotSupported);
    for (const other of [0, 2, 0x100, 0x04030201]) expect(verdict(ctx.u32Buffer(other))).to.equal(EbpfResult.Success);
  });

  it('never vetoes under UPDATE or MAP_CLEANUP', () => {
    const p = createLegacy({ vetoKeys: [1] });
    const map = createMap(ctx, p, 4, 4);
    const del = cb(p, 'preprocessMapDeleteElement');
    const key = ctx.u32Buffer(1);
    const value = ctx.u32Buffer(0);
    for (const flags of [Update, Update | Helper, MapCleanup]) {
      expect(del(ctx, map, 4, key, 4, value, flags)).to.equal(EbpfResult.Success);
    }
  });

  it('matches hex keys zero-padded on the right', () => {
    const p = createLegacy({ vetoKeys: ['hex:0aFF'] });
    const map = createMap(ctx, p, 6, 4);
    const del = cb(p, 'preprocessMapDeleteElement');
    const value = ctx.u32Buffer(0);
    expect(del(ctx, map, 6, keyOf([0x0a, 0xff, 0, 0, 0, 0]), 4, value, 0)).to.equal(EbpfResult.OperationNotSupported);
    expect(del(ctx, map, 6, keyOf([0x0a, 0xff, 0, 0, 0, 1]), 4, value, 0)).to.equal(EbpfResult.Success);
    expect(del(ctx, map, 6, keyOf([0, 0, 0, 0, 0x0a, 0xff]), 4, value, 0)).to.equal(EbpfResult.Success);
  });

  it('encodes per key size, and a key that does not fit never matches', () => {
    const p = createLegacy({ vetoKeys: [300, 'hex:010203', 7] });
    const del = cb(p, 'preprocessMapDeleteElement');
    const value = ctx.u32Buffer(0);
    const map = createMap(ctx, p, 1, 4);
    expect(del(ctx, map, 1, keyOf([300 & 0xff]), 4, value, 0)).to.equal(EbpfResult.Success);
    expect(del(ctx, map, 1, keyOf([1]), 4, value, 0)).to.equal(EbpfResult.Success);
    expect(del(ctx, map, 1, keyOf([7]), 4, value, 0)).to.equal(EbpfResult.OperationNotSupported);
    expect(del(ctx, map, 2, keyOf([0x2c, 0x01]), 4, value, 0)).to.equal(EbpfResult.OperationNotSupported);
    expect(del(ctx, map, 8, keyOf([1, 2, 3, 0, 0, 0, 0, 0]), 4, value, 0)).to.equal(EbpfResult.OperationNotSupported);
    expect(del(ctx, map, 8, keyOf([7, 0, 0, 0, 0, 0, 0, 0]), 4, value, 0)).to.equal(EbpfResult.OperationNotSupported);
    expect(del(ctx, map, 1, keyOf([7]), 4, value, 0)).to.equal(EbpfResult.OperationNotSupported);
  });

  it('vetoes nothing without vetoKeys', () => {
    const p = createLegacy({});
    const map = createMap(ctx, p, 4, 4);
    expect(cb(p, 'preprocessMapDeleteElement')(ctx, map, 4, ctx.u32Buffer(0), 4, ctx.u32Buffer(0), 0)).to.equal(EbpfResult.Success);
  });

  it('refuses malformed vetoKeys when built', () => {
    expect(() => createLegacy({ vetoKeys: 1 })).to.throw(TypeError);
    expect(() => createLegacy({ vetoKeys: [-1] })).to.throw(TypeError);
    expect(() => createLegacy({ vetoKeys: [1.5] })).to.throw(TypeError);
    expect(() => createLegacy({ vetoKeys: ['hex:abc'] })).to.throw(TypeError);
    expect(() => createLegacy({ vetoKeys: ['hex:zz'] })).to.throw(TypeError);
    expect(() => createLegacy({ vetoKeys: ['0x01'] })).to.throw(TypeError);
  });
});

describe('providers: one instance per map per thread', () => {
  it('keeps all object-map state in epoch memory, so two instances share one map', () => {
    const ctx = new FakeContext();
    const cpu0 = createObject({});
    const cpu1 = createObject({});
    const map = createMap(ctx, cpu0, 4, 4);
    const key = ctx.u32Buffer(1);
    const stored = ctx.mem.scratch(8);
    cb(cpu0, 'preprocessMapUpdateElement')(ctx, map, 4, key, 4, ctx.u32Buffer(77), 8, stored, 0);
    const out = ctx.u32Buffer(0);
    cb(cpu1, 'postprocessMapFindElement')(ctx, map, 4, key, 8, stored, 4, out, 0);
    expect(ctx.mem.readU32(out)).to.equal(77);
    cb(cpu1, 'postprocessMapDeleteElement')(ctx, map, 4, key, 8, stored, 0);
    cb(cpu0, 'postprocessMapDelete')(ctx, map);
    expect(ctx.invariants).to.deep.equal([]);
    expect(ctx.mem.liveEpochBlocks()).to.deep.equal([]);
  });
});

/**
 * bounded-counter: a provider written in TypeScript, as a user of epochlab
 * writes one. Its maps store 4-byte values unchanged (updatesOriginalValue
 * false, so BPF helpers may update them in place), but preprocess update
 * rejects a value above `options.maxValue` with EBPF_INVALID_ARGUMENT.
 *
 * It also keeps books. Every value it accepts must leave the map through
 * exactly one delete callback: an explicit delete, the replace or undo of an
 * update (UPDATE set), or map cleanup (MAP_CLEANUP set). The counters live in
 * the map context, in epoch memory, because createProvider runs once per map
 * in every thread: a JavaScript variable would be one thread's copy. At map
 * delete, after cleanup, the books must balance; if they do not, the provider
 * reports an invariant violation.
 *
 * Compile with `npm run build:example`, then run
 * `node dist/src/cli/main.js run examples/typed-provider/scenario.json`.
 */
import {
  EbpfResult, MapOperationFlag, fourcc,
  type CreateOut, type EbpfResultCode, type ProviderContext, type ProviderDispatchTable, type ProviderFactory,
  type ProviderModule,
} from 'epochlab';

/** The pool tag of the map context, as poolmon would show it. */
const CONTEXT_TAG = fourcc('BdCt');
const CONTEXT_BYTES = 64;
const VALUE_BYTES = 4;

/** Byte offsets of the u32 counters in the map context. */
const Books = { Accepted: 0, Deleted: 4, Replaced: 8, Cleaned: 12 } as const;

/** Reads `maxValue` (default 1000); throws on a malformed option, which the scenario reports as bad input. */
function parseMaxValue(options: Record<string, unknown>): number {
  const v = options['maxValue'] ?? 1000;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new TypeError('bounded-counter: maxValue must be an integer from 0 to 4294967295');
  }
  return v;
}

/** PASSIVE, in the IOCTL epoch. Custom maps skip the runtime's size checks, so the provider checks. */
function preprocessMapCreate(ctx: ProviderContext, _mapType: number, keySize: number, valueSize: number,
  _maxEntries: number, out: CreateOut): EbpfResultCode {
  if (keySize === 0 || valueSize !== VALUE_BYTES) return EbpfResult.InvalidArgument;
  const mapContext = ctx.epoch.allocateCacheAlignedWithTag(CONTEXT_BYTES, CONTEXT_TAG);
  if (mapContext === 0) return EbpfResult.NoMemory;
  ctx.mem.fill(mapContext, 0, CONTEXT_BYTES);
  out.actualValueSize = valueSize;
  out.mapContext = mapContext;
  return EbpfResult.Success;
}

/**
 * Before every core update, no lock held, PASSIVE or DISPATCH. A rejection
 * means no core update and no undo. `maxValue` never changes, so a closure
 * may hold it; the counters change, so they live in the map context.
 */
function makeUpdate(maxValue: number): NonNullable<ProviderDispatchTable['preprocessMapUpdateElement']> {
  return function preprocessMapUpdateElement(ctx, mapContext, _keySize, _key, inValueSize, inValue): EbpfResultCode {
    if (inValue === 0 || inValueSize !== VALUE_BYTES) return EbpfResult.InvalidArgument;
    if (ctx.mem.readU32(inValue) > maxValue) return EbpfResult.InvalidArgument;
    ctx.mem.atomicAddU32(mapContext + Books.Accepted, 1);
    return EbpfResult.Success;
  };
}

/** After a successful lookup. The value is the user's own bytes: nothing to translate. */
function postprocessMapFindElement(): EbpfResultCode {
  return EbpfResult.Success;
}

/** Once for every value that left the map; the flags say why. Must not block (it may run at DISPATCH). */
function postprocessMapDeleteElement(ctx: ProviderContext, mapContext: number, _keySize: number, _key: number,
  _valueSize: number, _value: number, flags: number): void {
  const book = (flags & MapOperationFlag.MapCleanup) !== 0 ? Books.Cleaned
    : (flags & MapOperationFlag.Update) !== 0 ? Books.Replaced : Books.Deleted;
  ctx.mem.atomicAddU32(mapContext + book, 1);
}

/** Once, after cleanup (or after a failed create, with a NULL context): balance the books, then free them. */
function postprocessMapDelete(ctx: ProviderContext, mapContext: number): void {
  if (mapContext === 0) return;
  const read = (book: number): number => ctx.mem.readU32(mapContext + book);
  const accepted = read(Books.Accepted);
  const left = read(Books.Deleted) + read(Books.Replaced) + read(Books.Cleaned);
  if (accepted !== left) {
    ctx.reportInvariant(`bounded-counter: ${accepted} values accepted but ${left} delete callbacks`);
  }
  ctx.epoch.freeCacheAligned(mapContext);
}

/** Called for each map a program uses while it loads (PASSIVE). Any program type may use these maps. */
function preprocessMapAssociateProgramType(): EbpfResultCode {
  return EbpfResult.Success;
}

export const createProvider: ProviderFactory = (options) => {
  const dispatch: ProviderDispatchTable = {
    preprocessMapCreate,
    postprocessMapDelete,
    preprocessMapAssociateProgramType,
    preprocessMapUpdateElement: makeUpdate(parseMaxValue(options)),
    postprocessMapFindElement,
    postprocessMapDeleteElement,
  };
  return Object.freeze({
    name: 'bounded-counter',
    properties: Object.freeze({ updatesOriginalValue: false }),
    dispatch: Object.freeze(dispatch),
  });
};

/** The module's shape, checked by the compiler: what a scenario's `provider` path loads. */
export default { createProvider } satisfies ProviderModule;

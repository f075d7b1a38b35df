/**
 * The memory checker (in the style of AddressSanitizer and KASAN): the
 * `ctx.mem` a provider gets while the checker is on. Every access with a
 * pointer is checked against the block it falls in before it is made:
 *
 * - inside a live block (allocated, or retired and not yet freed) and within
 *   its requested size, or inside the lane's own scratch buffers: done;
 * - inside a freed block: memory.use-after-free, naming the block, its tag
 *   and size, and who freed it;
 * - past a block's requested size (its red zone), in a block header, in
 *   memory never allocated or outside the arena: memory.overflow for a write
 *   (naming the block that overflowed), memory.out-of-bounds for a read.
 *
 * A write that fails the check is not made, so no checked access can damage
 * a block header or the runtime's records; a read that fails returns what is
 * there (0 outside the buffer). The fast test reads the line map and the
 * block header: no allocation, no Atomics on the path of a good access.
 *
 * It also tracks one out-value (MSan style): the runtime names the bytes a
 * callback must write (expectOut), and asks afterwards how many it left
 * unwritten (unwrittenOut).
 */
import {
  BLOCK_HEADER_BYTES, BlockField, BlockState, Ctl, INFO_ALIGNED_BIT, LINE_BYTES, MAX_VALUE_BYTES, SCRATCH_BYTES,
  WORD_BYTES, scratchByte,
} from './layout.js';
import { Shm } from './shm.js';
import { Arena } from './arena.js';
import { Memory } from './memory.js';
import { Rule } from '../contract/rules.js';
import { type BlockSpan, blockAt, describeBlock, describeOutside } from './block-where.js';

/** log2(LINE_BYTES). */
const LINE_SHIFT = 6;

/** Told of each failed check: the rule (Rule.*), the block it names (its payload pointer, 0 for none), and what happened, in words. */
export type MemoryFaultHandler = (rule: number, block: number, message: string) => void;

export class CheckedMemory {
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly lineMap: Uint16Array;
  private readonly dv: DataView;
  private readonly base: number;
  private readonly baseWord: number;
  private readonly arenaBytes: number;
  private readonly scratchLo: number;
  private readonly scratchHi: number;
  /** The out-value being tracked: [outLo, outHi), empty when none. */
  private outLo = 0;
  private outHi = 0;
  private readonly outWritten = new Uint8Array(MAX_VALUE_BYTES);

  constructor(private readonly shm: Shm, private readonly arena: Arena, private readonly plain: Memory,
    lane: number, private readonly onFault: MemoryFaultHandler) {
    this.u8 = shm.u8;
    this.i32 = shm.i32;
    this.lineMap = shm.lineMap;
    this.dv = new DataView(shm.sab);
    this.base = shm.layout.arenaBase;
    this.baseWord = this.base / WORD_BYTES;
    this.arenaBytes = shm.layout.arenaEnd - this.base;
    this.scratchLo = scratchByte(shm.layout, lane, 0);
    this.scratchHi = this.scratchLo + SCRATCH_BYTES;
  }

  readU8(ptr: number): number {
    return this.ok(ptr, 1, false) || this.inBuffer(ptr, 1) ? this.u8[ptr] as number : 0;
  }

  writeU8(ptr: number, value: number): void {
    if (this.ok(ptr, 1, true)) this.u8[ptr] = value;
  }

  readU32(ptr: number): number {
    return this.ok(ptr, 4, false) || this.inBuffer(ptr, 4) ? this.dv.getUint32(ptr, true) : 0;
  }

  writeU32(ptr: number, value: number): void {
    if (this.ok(ptr, 4, true)) this.dv.setUint32(ptr, value >>> 0, true);
  }

  copy(dst: number, src: number, length: number): void {
    if (this.ok(src, length, false) && this.ok(dst, length, true)) this.u8.copyWithin(dst, src, src + length);
  }

  fill(ptr: number, value: number, length: number): void {
    if (this.ok(ptr, length, true)) this.u8.fill(value, ptr, ptr + length);
  }

  atomicAddU32(ptr: number, delta: number): number {
    return this.ok(ptr, 4, true) ? this.plain.atomicAddU32(ptr, delta) : 0;
  }

  readBytes(ptr: number, length: number): Uint8Array {
    return this.ok(ptr, length, false) || this.inBuffer(ptr, length) ? this.u8.slice(ptr, ptr + length) : new Uint8Array(Math.max(0, length | 0));
  }

  isLive(ptr: number, generation: number): boolean {
    return this.plain.isLive(ptr, generation);
  }

  generationOf(ptr: number): number {
    return this.arena.isBlockPointer(ptr) ? this.plain.generationOf(ptr) : 0;
  }

  readU32Ref(ptr: number, generation: number, offset: number): number {
    if (!this.refOk(ptr, generation, offset, false)) return 0;
    return this.plain.readU32Ref(ptr, generation, offset);
  }

  writeU32Ref(ptr: number, generation: number, offset: number, value: number): void {
    if (this.refOk(ptr, generation, offset, true)) this.plain.writeU32Ref(ptr, generation, offset, value);
  }

  atomicAddU32Ref(ptr: number, generation: number, offset: number, delta: number): number {
    return this.refOk(ptr, generation, offset, true) ? this.plain.atomicAddU32Ref(ptr, generation, offset, delta) : -1;
  }

  /** Starts tracking the out-value [ptr, ptr + length): none of it written yet. */
  expectOut(ptr: number, length: number): void {
    const n = Math.min(length, MAX_VALUE_BYTES);
    this.outWritten.fill(0, 0, n);
    this.outLo = ptr;
    this.outHi = ptr + n;
  }

  /** Bytes of the tracked out-value never written since expectOut; ends the tracking. */
  unwrittenOut(): number {
    let missing = 0;
    for (let i = 0, n = this.outHi - this.outLo; i < n; i++) if (this.outWritten[i] === 0) missing++;
    this.outLo = 0;
    this.outHi = 0;
    return missing;
  }

  /**
   * The check. Fast path: the lane's own scratch, or one live block's
   * payload found through the line map. Anything else is reported (slow path).
   */
  private ok(ptr: number, length: number, write: boolean): boolean {
    if (length === 0) return true; // no byte is touched
    if ((ptr | 0) !== ptr || (length | 0) !== length || length < 0) {
      this.report(ptr, length, write);
      return false;
    }
    if (ptr >= this.scratchLo && ptr + length <= this.scratchHi) {
      if (write && ptr < this.outHi && ptr + length > this.outLo) this.markOut(ptr, length);
      return true;
    }
    const off = ptr - this.base; // an integer here: the shifts below are exact
    if (off >= 0 && off < this.arenaBytes) {
      const line = off >> LINE_SHIFT;
      const start = (line - (this.lineMap[line] as number)) << LINE_SHIFT; // arena-relative
      const info = this.i32[this.baseWord + (start >> 2) + BlockField.Info] as number;
      const payload = start + ((info & INFO_ALIGNED_BIT) !== 0 ? LINE_BYTES : BLOCK_HEADER_BYTES);
      const h = this.baseWord + ((payload - BLOCK_HEADER_BYTES) >> 2);
      // SYNC: the block's header was published to this lane by the Atomics
      // store that made the pointer reachable (setBlockState at allocation);
      // a free seen late is seen by the next access, as in isLive.
      if (off >= payload && off + length <= payload + (this.i32[h + BlockField.Size] as number)
        && this.i32[h + BlockField.State] !== BlockState.Free) return true;
    }
    this.report(ptr, length, write);
    return false;
  }

  private markOut(ptr: number, length: number): void {
    const from = Math.max(ptr, this.outLo);
    const to = Math.min(ptr + length, this.outHi);
    this.outWritten.fill(1, from - this.outLo, to - this.outLo);
  }

  /** True when [ptr, ptr + length) lies inside the shared buffer (a failed read still reads it). */
  private inBuffer(ptr: number, length: number): boolean {
    return Number.isInteger(ptr) && ptr >= 0 && length >= 0 && ptr + length <= this.u8.length;
  }

  /** Reference access: the block must be a block, and [ptr + offset, +4) inside it; a stale one is the plain path's report. */
  private refOk(ptr: number, generation: number, offset: number, write: boolean): boolean {
    if (!this.arena.isBlockPointer(ptr)) {
      const what = ptr === 0 ? 'a NULL reference' : `${ptr}, which is no block's payload pointer`;
      this.onFault(Rule.OutOfBounds, 0, `${write ? 'write' : 'read'} through ${what} (generation ${generation}, offset ${offset})`);
      return false;
    }
    if (!this.plain.isLive(ptr, generation)) return true; // the plain path reports the use after free
    return this.ok(ptr + offset, 4, write);
  }

  /** Classifies a failed access and tells the handler. */
  private report(ptr: number, length: number, write: boolean): void {
    const what = `${write ? 'write' : 'read'} of ${length} byte${length === 1 ? '' : 's'} at ${ptr}`;
    const bump = this.shm.load(Ctl.ArenaBump);
    if (!Number.isInteger(ptr) || !Number.isInteger(length) || length < 0 || ptr < this.base || ptr >= bump) {
      this.onFault(Rule.OutOfBounds, 0, `${what}: ${describeOutside(this.shm, ptr)}`);
      return;
    }
    const b = blockAt(this.shm, ptr);
    const inPayload = ptr >= b.ptr && ptr < b.ptr + b.size;
    if (inPayload && b.state === BlockState.Free) {
      this.onFault(Rule.UseAfterFree, b.ptr, `${what}, ${ptr - b.ptr} bytes into ${describeBlock(this.shm, b)}`);
      return;
    }
    const bad = inPayload ? b.ptr + b.size : ptr; // the first byte outside the payload
    const rule = write ? Rule.Overflow : Rule.OutOfBounds;
    if (bad >= b.ptr + b.size && bad < b.end) {
      this.onFault(rule, b.ptr, `${what}: ${bad - b.ptr - b.size} bytes past the end of ${describeBlock(this.shm, b)}`);
    } else if (bad >= bump) {
      this.onFault(rule, b.ptr, `${what}: runs past the end of ${describeBlock(this.shm, b)} into arena memory never allocated`);
    } else {
      this.reportHeader(what, rule, bad, inPayload ? b : blockAt(this.shm, bad));
    }
  }

  /** `bad` is in the pad or header of block `b`: past the end of the block before it, if any. */
  private reportHeader(what: string, rule: number, bad: number, b: BlockSpan): void {
    const header = `in the header of ${describeBlock(this.shm, b)}`;
    if (b.start === this.base) {
      this.onFault(Rule.OutOfBounds, b.ptr, `${what}: ${header}`);
      return;
    }
    const prev = blockAt(this.shm, b.start - 1);
    this.onFault(rule, prev.ptr, `${what}: ${bad - prev.ptr - prev.size} bytes past the end of ${describeBlock(this.shm, prev)}, ${header}`);
  }
}

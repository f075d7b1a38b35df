/**
 * Where an address falls in the shared buffer, in words for a memory
 * checker report: the arena block it is in (found in O(1) through the line
 * map, Layout.lineMapBase), that block's payload, red zone and header, or a
 * region that is no arena memory at all. Cold path: only called once an
 * access has failed the checker's fast test.
 */
import {
  BLOCK_HEADER_BYTES, BlockField, BlockState, Ctl, INFO_ALIGNED_BIT, LINE_BYTES, OWNER_FREED_AT_ONCE,
  OWNER_FREER_SHIFT, SCRATCH_BYTES, SIZE_CLASS_MIN_BYTES, WORD_BYTES, blockWord,
} from './layout.js';
import { Shm } from './shm.js';
import { tagName } from '../contract/tags.js';

/** One carved block, as the checker sees it. */
export interface BlockSpan {
  /** First byte of the block (its pad or header). */
  start: number;
  /** Payload pointer. */
  ptr: number;
  /** Requested payload bytes. */
  size: number;
  /** One past the block's last byte. */
  end: number;
  state: number;
}

/** The block that holds arena byte `at` (the caller checked that it is below the bump pointer). */
export function blockAt(shm: Shm, at: number): BlockSpan {
  const base = shm.layout.arenaBase;
  const line = ((at - base) / LINE_BYTES) | 0;
  const start = base + (line - (shm.lineMap[line] as number)) * LINE_BYTES;
  const i32 = shm.i32;
  const info = i32[start / WORD_BYTES + BlockField.Info] as number;
  const ptr = start + ((info & INFO_ALIGNED_BIT) !== 0 ? LINE_BYTES : BLOCK_HEADER_BYTES);
  const h = blockWord(ptr, 0);
  return {
    start, ptr, size: i32[h + BlockField.Size] as number,
    end: start + (SIZE_CLASS_MIN_BYTES << (info & 0xff)),
    // SYNC: State is written with Atomics.store; this report may see it late, like isLive.
    state: i32[h + BlockField.State] as number,
  };
}

/** "CPU n", or the system lane (the epoch manager's). */
export function laneName(shm: Shm, lane: number): string {
  return lane === shm.layout.lanes - 1 ? 'the system lane' : `CPU ${lane}`;
}

/** Who freed a freed block, as far as its header tells. */
function freedBy(shm: Shm, ptr: number): string {
  const i32 = shm.i32;
  const owner = i32[blockWord(ptr, BlockField.Owner)] as number;
  const freer = ((owner >>> OWNER_FREER_SHIFT) & 0x7fff) - 1;
  if (freer < 0) return 'freed';
  if ((owner & OWNER_FREED_AT_ONCE) !== 0) return `freed at once (poolFree) by ${laneName(shm, freer)}`;
  const stamp = i32[blockWord(ptr, BlockField.FreedEpoch)] as number;
  return `freed: retired by ${laneName(shm, freer)} at epoch ${stamp}, freed by the epoch manager`;
}

/** "block 1807200 (tag ObOb, 16 bytes, allocated)" and its state in words. */
export function describeBlock(shm: Shm, b: BlockSpan): string {
  const tag = tagName(shm.i32[blockWord(b.ptr, BlockField.Tag)] as number);
  let state = 'allocated';
  if (b.state === BlockState.Retired) state = 'retired, not yet freed';
  else if (b.state === BlockState.Free) state = freedBy(shm, b.ptr);
  return `block ${b.ptr} (tag ${tag}, ${b.size} bytes, ${state})`;
}

/** Names a region outside every carved block: the runtime's records, a lane's scratch, unallocated arena. */
export function describeOutside(shm: Shm, at: number): string {
  const l = shm.layout;
  if (!Number.isInteger(at) || at < 0 || at >= shm.u8.length) return 'outside the shared buffer';
  if (at >= l.scratchBase && at < l.scratchBase + l.lanes * SCRATCH_BYTES) {
    return `in the scratch buffers of ${laneName(shm, Math.floor((at - l.scratchBase) / SCRATCH_BYTES))}, which this lane does not own`;
  }
  if (at < l.arenaBase) return 'in the runtime\'s own records, not arena memory';
  const bump = shm.load(Ctl.ArenaBump);
  if (bump === l.arenaBase) return 'in arena memory never allocated (no block exists yet)';
  const last = blockAt(shm, bump - 1);
  return `in arena memory never allocated, ${at - last.end} bytes past the last block, ${describeBlock(shm, last)}`;
}

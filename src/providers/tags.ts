/**
 * Pool tags for the built-in providers' epoch allocations.
 *
 * A pool tag is four ASCII characters packed into a uint32 with the first
 * character in the lowest byte, so a little-endian memory dump (and the trace's
 * tag column, decoded byte by byte) reads the characters in order, as poolmon
 * shows Windows pool tags. Every tag below is distinct, so a leaked or
 * double-freed block names the provider and the kind of block it was.
 */

/** Packs four ASCII characters into a uint32 pool tag (first character = lowest byte). */
export function fourcc(s: string): number {
  if (s.length !== 4) throw new RangeError(`fourcc: "${s}" is not exactly 4 characters`);
  let tag = 0;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new RangeError(`fourcc: "${s}" has a non-ASCII character at ${i}`);
    tag |= c << (8 * i);
  }
  return tag >>> 0;
}

/** The inverse of fourcc, for messages and trace readers. */
export function tagName(tag: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += String.fromCharCode((tag >>> (8 * i)) & 0xff);
  return s;
}

/** Object map: the per-map context (live/created/released object counters). */
export const OBJECT_MAP_CONTEXT_TAG = fourcc('ObMc');
/** Object map: one reference-counted object ([refCount, userValue]). */
export const OBJECT_TAG = fourcc('ObOb');
/** Passthrough provider: the per-map context block. */
export const PASSTHROUGH_MAP_CONTEXT_TAG = fourcc('PtMc');
/** Minimal provider: the per-map context block. */
export const MINIMAL_MAP_CONTEXT_TAG = fourcc('MnMc');
/** Legacy (deprecated preprocess delete) provider: the per-map context block. */
export const LEGACY_MAP_CONTEXT_TAG = fourcc('LgMc');

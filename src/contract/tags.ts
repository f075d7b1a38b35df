/**
 * Pool tags: four ASCII characters packed into a uint32 with the first
 * character in the lowest byte, so a little-endian memory dump (and the
 * trace's tag column, decoded byte by byte) reads the characters in order,
 * as poolmon shows Windows pool tags. Every block in the arena carries one,
 * so a leaked or double-freed block names who allocated it.
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

/** A tag as text, for reports and the trace: characters that do not print become '.'. */
export function tagName(t: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = (t >>> (8 * i)) & 0xff;
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : '.';
  }
  return s;
}

/** The runtime's own allocations: a stored value, a bucket, a deferred work item. */
export const TAG_VALUE = fourcc('eVal');
export const TAG_BUCKET = fourcc('eBkt');
export const TAG_WORK_ITEM = fourcc('eWrk');

/** Pool tags of the runtime's own allocations (four ASCII characters, little-endian). */
const tag = (s: string): number =>
  (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;

export const TAG_VALUE = tag('eVal');
export const TAG_BUCKET = tag('eBkt');
export const TAG_WORK_ITEM = tag('eWrk');
export const TAG_NAMES: Record<number, string> = {
  [TAG_VALUE]: 'eVal',
  [TAG_BUCKET]: 'eBkt',
  [TAG_WORK_ITEM]: 'eWrk',
};

/** A tag as text (for reports). */
export function tagName(t: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = (t >>> (8 * i)) & 0xff;
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : '.';
  }
  return s;
}

/** The timeline's palette and its layout, shared by the drawing, the hit tests and the legend. */

export const COLOR = {
  PASSIVE: '#d7e6f5',
  DISPATCH: '#f3b26b',
  epoch: '#8e7cc3',
  lock: '#3c3c3c',
  callback: '#3d85c6',
  retire: '#c0392b',
  free: '#2e7d32',
  read: '#777777',
  advance: '#674ea7',
  violation: '#e00000',
  published: '#674ea7',
  released: '#2e7d32',
  open: '#bdbdbd',
  gap: '#eeeeee',
  cursor: '#111111',
  highlight: '#ffd54f',
  grid: '#e6e6e6',
  text: '#222222',
  muted: '#777777',
} as const;

/** An operation's colour by its result. */
export function resultColor(result: string): string {
  switch (result) {
    case 'EBPF_SUCCESS': return '#6aa84f';
    case 'EBPF_OBJECT_NOT_FOUND':
    case 'EBPF_KEY_NOT_FOUND': return '#9fb4cc';
    case 'EBPF_OPERATION_NOT_SUPPORTED': return '#e0b04a';
    case 'open': case '': return COLOR.open;
    default: return '#d9534f';
  }
}

/** Pixel layout of the canvas. */
export const LAYOUT = {
  labelWidth: 108,
  rulerHeight: 22,
  epochHeight: 70,
  laneHeight: 74,
  /** Rows inside a lane: top offset and height. */
  irql: [3, 6],
  epoch: [11, 10],
  op: [23, 15],
  inner: [40, 10],
  callback: [52, 8],
  marks: [62, 10],
} as const;

/**
 * The stall window of `epochlab bench`'s reclamation section, read from a
 * per-tick series (src/bench/reclaim.ts): the hold-back climbs one a tick
 * while a CPU holds its epoch; garbage before, during and after it.
 */
import { expect } from 'chai';
import { stallWindow } from '../../src/bench/reclaim.js';
import type { ReclamationSeries } from '../../src/runtime/reclamation.js';

/** 100 ticks of 1 ms: hold-back 2 and garbage 10, but from tick 40 a stall of 30 ticks (hold-back 2..31, garbage growing). */
function stalledSeries(): ReclamationSeries {
  const s: ReclamationSeries = { stride: 1, garbage: [], holdBack: [], ms: [] };
  for (let i = 0; i < 100; i++) {
    const stalled = i >= 40 && i < 70;
    s.holdBack.push(stalled ? 2 + (i - 40) : 2);
    s.garbage.push(stalled ? 10 + 100 * (i - 40) : i === 70 ? 500 : 10);
    s.ms.push(i);
  }
  return s;
}

describe('bench: the stall window from the per-tick series', () => {
  it('finds the stall where the hold-back climbs and reports garbage before, at its peak and after it', () => {
    const w = stallWindow(stalledSeries(), 0);
    expect(w.happened).to.equal(true);
    expect(w.before).to.equal(10);
    expect(w.peak).to.equal(10 + 100 * 29);
    expect(w.after).to.equal(10);
    expect(w.final).to.equal(10);
    expect(w.ticks).to.equal(30);
    expect(w.ms).to.equal(29);
    expect(w.backlogTickMs).to.equal(1);
  });

  it('finds none in a steady series', () => {
    const s: ReclamationSeries = { stride: 1, garbage: [5, 7, 6, 9], holdBack: [2, 3, 2, 2], ms: [0, 1, 2, 3] };
    const w = stallWindow(s, 0);
    expect(w.happened).to.equal(false);
    expect(w.ticks).to.equal(0);
    expect(w.peak).to.equal(9);
  });
});

/**
 * The per-lane pairing behind the Perfetto export: begins and ends become
 * complete slices, a callback known only at its return takes the children
 * that fell inside it, markers last until just before the lane's next
 * event, and wherever the input does not nest the output still does
 * (clipped, and said so). A seeded random test holds the nesting contract
 * over many shapes of input.
 */
import { expect } from 'chai';
import { LaneTrack, MARK_TICKS, type Slice } from '../../src/view/lane-track.js';
import { Prng } from '../../src/contract/prng.js';
import { nestingProblems } from '../support/trace-event-json.js';

function track(): { lane: LaneTrack; slices: Slice[]; placed: Array<[string, number, number]> } {
  const slices: Slice[] = [];
  return { lane: new LaneTrack((s) => slices.push(s)), slices, placed: [] };
}

const spans = (slices: Slice[]): Array<[string, number, number]> => slices.map((s) => [s.name, s.start, s.end]);
const sortedSpans = (slices: Slice[]) => spans(slices).sort((a, b) => a[1] - b[1] || b[2] - a[2]);

describe('view/lane-track', () => {
  it('pairs begins and ends into nested slices; a marker lasts until just before the next event', () => {
    const { lane, slices, placed } = track();
    lane.open('op', 'update', 'update m 01', 'op', 100, {});
    lane.open('epoch', '0', 'epoch 3', 'epoch', 200, {});
    lane.mark('retire eVal', 'reclaim', 300, {}, (s, e) => placed.push(['retire', s, e]));
    lane.close('epoch', '0', 700, {});
    lane.close('op', 'update', 5000, { result: 'EBPF_SUCCESS' });
    lane.finish(5000);
    expect(sortedSpans(slices)).to.deep.equal([['update m 01', 100, 5000], ['epoch 3', 200, 700], ['retire eVal', 300, 699]]);
    expect(placed).to.deep.equal([['retire', 300, 699]]);
    expect(slices.find((s) => s.name === 'update m 01')!.args).to.deep.equal({ result: 'EBPF_SUCCESS' });
    expect(lane.clipped).to.equal(0);
  });

  it('a marker with room lasts MARK_TICKS', () => {
    const { lane, slices } = track();
    lane.mark('advance 2', 'epoch', 1000, {}, () => {});
    lane.mark('advance 3', 'epoch', 9000, {}, () => {});
    lane.finish(9000);
    expect(spans(slices)).to.deep.equal([['advance 2', 1000, 1000 + MARK_TICKS], ['advance 3', 9000, 9000 + MARK_TICKS]]);
  });

  it('a callback reported at its return takes the markers and slices inside it as children', () => {
    const { lane, slices } = track();
    lane.open('op', 'delete', 'delete m 01', 'op', 0, {});
    lane.open('lock', 'm#1', 'bucket_lock m#1', 'lock', 1000, {});
    lane.close('lock', 'm#1', 2000);
    lane.mark('retire ObOb', 'reclaim', 5000, {}, () => {});
    lane.complete('postprocess_map_delete_element', 'callback', 4000, 8000, {});
    lane.close('op', 'delete', 9000);
    lane.finish(9000);
    expect(sortedSpans(slices)).to.deep.equal([
      ['delete m 01', 0, 9000], ['bucket_lock m#1', 1000, 2000], ['postprocess_map_delete_element', 4000, 8000], ['retire ObOb', 5000, 6000],
    ]);
    expect(lane.clipped).to.equal(0);
  });

  it('a marker that began before a callback is shortened to end before the callback begins', () => {
    const { lane, slices, placed } = track();
    lane.mark('retire eBkt', 'reclaim', 1000, {}, (s, e) => placed.push(['retire', s, e]));
    lane.mark('retire ObOb', 'reclaim', 1800, {}, () => {});
    lane.complete('postprocess_map_delete_element', 'callback', 1500, 2500, {});
    lane.finish(2500);
    expect(sortedSpans(slices)).to.deep.equal([['retire eBkt', 1000, 1499], ['postprocess_map_delete_element', 1500, 2500], ['retire ObOb', 1800, 2499]]);
    expect(placed).to.deep.equal([['retire', 1000, 1499]]);
    expect(lane.clipped).to.equal(0);
  });

  it('a callback whose start falls inside an earlier closed slice starts after it, clipped', () => {
    const { lane, slices } = track();
    lane.open('lock', 'm#1', 'bucket_lock m#1', 'lock', 1000, {});
    lane.close('lock', 'm#1', 3000);
    lane.complete('postprocess_map_delete_element', 'callback', 2000, 4000, {});
    lane.finish(4000);
    const cb = slices.find((s) => s.name === 'postprocess_map_delete_element')!;
    expect([cb.start, cb.end]).to.deep.equal([3001, 4000]);
    expect(cb.args['clipped']).to.be.a('string');
    expect(lane.clipped).to.equal(1);
  });

  it('an end that skips an open inner slice closes both, the inner one clipped; an end with no begin is ignored', () => {
    const { lane, slices } = track();
    lane.open('epoch', '0', 'epoch 1', 'epoch', 0, {});
    lane.open('op', 'find', 'find m 01', 'op', 100, {});
    expect(lane.close('epoch', '0', 500)).to.equal(true);
    expect(lane.close('op', 'find', 600)).to.equal(false);
    lane.finish(600);
    expect(sortedSpans(slices)).to.deep.equal([['epoch 1', 0, 501], ['find m 01', 100, 500]]);
    expect(slices.find((s) => s.name === 'find m 01')!.args['clipped']).to.be.a('string');
    expect([lane.clipped, lane.unmatched]).to.deep.equal([1, 1]);
  });

  it('keeps equal times apart by a tick: a child ends before its parent, siblings do not touch', () => {
    const { lane, slices } = track();
    lane.open('op', 'a', 'a', 'op', 10, {});
    lane.open('op', 'b', 'b', 'op', 20, {});
    lane.close('op', 'b', 30);
    lane.close('op', 'a', 30);
    lane.open('op', 'c', 'c', 'op', 30, {});
    lane.close('op', 'c', 30);
    lane.finish(30);
    expect(sortedSpans(slices)).to.deep.equal([['a', 10, 31], ['b', 20, 30], ['c', 32, 32]]);
  });

  it('random shapes of input always come out properly nested', () => {
    const rng = new Prng(2024);
    const kinds = ['op', 'epoch', 'lock'];
    for (let round = 0; round < 300; round++) {
      const { lane, slices } = track();
      let t = 0;
      for (let step = 0; step < 60; step++) {
        t += rng.below(3) === 0 ? 0 : rng.below(2500);
        const kind = kinds[rng.below(kinds.length)]!;
        switch (rng.below(5)) {
          case 0: case 1: lane.open(kind, kind, kind, kind, t, {}); break;
          case 2: lane.close(kind, kind, t); break;
          case 3: lane.mark('mark', 'reclaim', t, {}, () => {}); break;
          default: lane.complete('callback', 'callback', Math.max(0, t - rng.below(4000)), t, {}); break;
        }
      }
      lane.finish(t);
      for (const s of slices) expect(s.end, s.name).to.be.at.least(s.start);
      const problems = nestingProblems(slices.map((s) => ({ tid: 1, name: s.name, ts: s.start / 1000, dur: (s.end - s.start) / 1000 })));
      expect(problems, `round ${round}`).to.deep.equal([]);
    }
  });
});

/**
 * The checker's reused shape of an event (src/trace/event-view.ts) against
 * the trace's own decoder: for records of every kind, with words chosen to
 * reach every optional field, a view holds exactly the fields decodeAt
 * gives (the rest undefined), and toEvent rebuilds the same object, key
 * order included (the JSON Lines text and the digest depend on it).
 */
import { expect } from 'chai';
import { TRACE_RECORD_WORDS, TraceWord } from '../../src/shm/layout.js';
import { DecodeContext, decodeAt } from '../../src/trace/decode.js';
import { EventView, TraceRecord, toEvent } from '../../src/trace/event-view.js';
import { Ev, OP_NAMES } from '../../src/trace/events.js';
import { Prng } from '../../src/contract/prng.js';

const ctx: DecodeContext = { cpus: 2, mapNames: ['m0', 'm1'], text: (lane, start, length) => `text ${lane}/${start}/${length}` };

/** Interesting values of each word: zero, small codes, flags, big and negative numbers. */
const CHOICES = [0, 0, 1, 2, 3, 5, 6, 7, 10, 15, 255, 65536, -1, 0x7fffffff];

function randomRecord(p: Prng, ev: number): Int32Array {
  const rec = new Int32Array(TRACE_RECORD_WORDS);
  const pick = (): number => CHOICES[p.below(CHOICES.length)] as number;
  rec[TraceWord.Seq] = 1 + p.below(1000);
  rec[TraceWord.Event] = ev;
  for (const f of [TraceWord.Irql, TraceWord.Code, TraceWord.Flags, TraceWord.Result, TraceWord.A, TraceWord.B, TraceWord.C, TraceWord.D, TraceWord.Duration]) rec[f] = pick();
  rec[TraceWord.Map] = [-1, 0, 1, 5][p.below(4)] as number;
  rec[TraceWord.Code] = p.below(2) === 0 ? p.below(OP_NAMES.length) : pick();
  rec[TraceWord.KeyLen] = [0, 4, 8, 3, 64][p.below(5)] as number;
  for (let i = 0; i < 16; i++) rec[TraceWord.Key + i] = p.nextU32() | 0;
  rec[TraceWord.TimeLo] = p.nextU32() | 0;
  rec[TraceWord.TimeHi] = p.below(3);
  return rec;
}

describe('trace/event-view: the checker reads what the trace says', () => {
  const kinds = [...Object.values(Ev), 0, 13, 99];

  it('a view has exactly the fields decodeAt gives, and toEvent rebuilds the same object in the same order', () => {
    const p = new Prng(12, 7);
    const reused = new EventView();
    for (const ev of kinds) {
      for (let i = 0; i < 150; i++) {
        const rec = randomRecord(p, ev);
        const lane = p.below(3);
        const expected = decodeAt(rec, 0, lane, ctx);
        const r = new TraceRecord(ctx);
        r.moveTo(rec, 0, lane);
        const view = r.view();
        const fields = view as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(expected)) expect(fields[k], `${expected.event} ${k}`).to.deep.equal(v);
        for (const k of Object.keys(view)) if (!(k in expected)) expect(fields[k], `${expected.event} ${k}`).to.equal(undefined);
        expect(Object.keys(view), `${expected.event}: no field outside EventView`).to.deep.equal(Object.keys(new EventView()));
        expect(JSON.stringify(toEvent(view))).to.equal(JSON.stringify(expected));
        expect(JSON.stringify(r.event())).to.equal(JSON.stringify(expected));
        // A reused view, filled last time by a record of another kind, ends up the same as a new one.
        expect(r.view(reused)).to.deep.equal(view);
      }
    }
  });
});

/**
 * Unit tests for the shared-buffer layout (src/shm/layout.ts): computeLayout
 * and validateLayout over a spread of configurations.
 */
import { expect } from 'chai';
import {
  CONTROL_WORDS, EPOCH_STATE_SLOTS, EPOCH_STATE_WORDS, LANE_WORDS, LINE_BYTES, LINE_MAP_ENTRY_BYTES, LINE_WORDS, Lane,
  Layout, LayoutConfig, MAP_HEADER_WORDS, MAX_KEY_BYTES, SCRATCH_BYTES, SLOT_WORDS, TEXT_RING_BYTES,
  TRACE_RECORD_WORDS, TraceWord, WORD_BYTES, computeLayout, laneWord, stateWord, traceRecordWord,
  validateLayout, counterWord, COUNTER_COUNT,
} from '../../src/shm/layout.js';

interface Region { name: string; start: number; end: number } // byte offsets, [start, end)

const CPU_COUNTS = [1, 2, 8, 64];
const MAP_SETS: number[][] = [
  [],
  [1],
  [64, 2],
  [65536, 1, 1024],
  [8, 65536, 16, 4],
];
const ARENA_SIZES = [64, 1000, 1 << 20, 64 << 20];
const TRACE_RECORDS = [64, 4096];

/** Every combination we check (small enough to enumerate). */
function configs(): LayoutConfig[] {
  const out: LayoutConfig[] = [];
  for (const cpus of CPU_COUNTS) {
    for (const mapBuckets of MAP_SETS) {
      for (const arenaBytes of ARENA_SIZES) {
        for (const traceRecords of TRACE_RECORDS) out.push({ cpus, mapBuckets, arenaBytes, traceRecords });
      }
    }
  }
  return out;
}

const label = (c: LayoutConfig): string =>
  `cpus ${c.cpus}, buckets [${c.mapBuckets.join(',')}], arena ${c.arenaBytes}, trace ${c.traceRecords}`;

const arenaLines = (l: Layout): number => (l.arenaEnd - l.arenaBase) / LINE_BYTES;

/** The regions of a layout, in the documented order, as byte ranges. */
function regions(l: Layout): Region[] {
  const w = (words: number): number => words * WORD_BYTES;
  const out: Region[] = [
    { name: 'control', start: 0, end: w(CONTROL_WORDS) },
    { name: 'lanes', start: w(l.laneBase), end: w(l.laneBase + l.lanes * LANE_WORDS) },
    { name: 'map headers', start: w(l.mapBase), end: w(l.mapBase + l.config.mapBuckets.length * MAP_HEADER_WORDS) },
  ];
  l.config.mapBuckets.forEach((buckets, i) => {
    const base = l.slotBases[i] as number;
    out.push({ name: `slots of map ${i}`, start: w(base), end: w(base + buckets * SLOT_WORDS) });
  });
  out.push(
    { name: 'trace rings', start: w(l.traceBase), end: w(l.traceBase + l.lanes * l.config.traceRecords * TRACE_RECORD_WORDS) },
    { name: 'text rings', start: l.textBase, end: l.textBase + l.lanes * TEXT_RING_BYTES },
    { name: 'scratch', start: l.scratchBase, end: l.scratchBase + l.lanes * SCRATCH_BYTES },
    { name: 'block-start map', start: w(l.blockMapBase), end: w(l.blockMapBase + Math.ceil(arenaLines(l) / 32)) },
    { name: 'line map', start: l.lineMapBase, end: l.lineMapBase + arenaLines(l) * LINE_MAP_ENTRY_BYTES },
    { name: 'arena', start: l.arenaBase, end: l.arenaEnd },
  );
  return out;
}

const lineOfWord = (word: number): number => Math.floor(word / LINE_WORDS);

describe('shm/layout', () => {
  it('computes one lane per CPU plus the system lane', () => {
    for (const c of configs()) expect(computeLayout(c).lanes, label(c)).to.equal(c.cpus + 1);
  });

  it('reports no problems for any supported configuration', () => {
    for (const c of configs()) expect(validateLayout(computeLayout(c)), label(c)).to.deep.equal([]);
  });

  it('places the regions in the documented order without overlap, ending at totalBytes', () => {
    for (const c of configs()) {
      const l = computeLayout(c);
      const rs = regions(l);
      for (let i = 0; i < rs.length; i++) {
        const r = rs[i] as Region;
        expect(r.end, `${label(c)}: ${r.name} has a negative size`).to.be.at.least(r.start);
        if (i > 0) {
          const prev = rs[i - 1] as Region;
          expect(r.start, `${label(c)}: ${r.name} starts inside ${prev.name}`).to.be.at.least(prev.end);
        }
      }
      expect(l.totalBytes, label(c)).to.equal(l.arenaEnd);
    }
  });

  it('starts every lane record, every map slot array and the arena on a 64-byte line', () => {
    for (const c of configs()) {
      const l = computeLayout(c);
      for (let lane = 0; lane < l.lanes; lane++) {
        expect(laneWord(l, lane, 0) * WORD_BYTES % LINE_BYTES, `${label(c)}: lane ${lane}`).to.equal(0);
      }
      for (const base of l.slotBases) expect(base * WORD_BYTES % LINE_BYTES, label(c)).to.equal(0);
      expect(l.traceBase * WORD_BYTES % LINE_BYTES, label(c)).to.equal(0);
      expect(l.textBase % LINE_BYTES, label(c)).to.equal(0);
      expect(l.scratchBase % LINE_BYTES, label(c)).to.equal(0);
      expect(l.arenaBase % LINE_BYTES, label(c)).to.equal(0);
      expect(l.arenaEnd % LINE_BYTES, label(c)).to.equal(0);
    }
  });

  it('gives the arena at least the requested number of bytes', () => {
    for (const c of configs()) {
      const l = computeLayout(c);
      expect(l.arenaEnd - l.arenaBase, label(c)).to.be.at.least(c.arenaBytes);
      expect(l.arenaEnd - l.arenaBase, label(c)).to.be.below(c.arenaBytes + LINE_BYTES);
    }
  });

  it('keeps every lane\'s hot line (fields 0..15) on a line no other lane touches', () => {
    const hotFields = Object.values(Lane).filter((f) => f < LINE_WORDS);
    expect(hotFields).to.include.members([Lane.Irql, Lane.Announce, Lane.Heartbeat, Lane.LastOp]);
    for (const c of configs()) {
      const l = computeLayout(c);
      const owner = new Map<number, number>(); // line -> lane
      const shared: string[] = [];
      const offHot: string[] = [];
      for (let lane = 0; lane < l.lanes; lane++) {
        for (let word = 0; word < LANE_WORDS; word++) {
          const line = lineOfWord(laneWord(l, lane, word));
          const seen = owner.get(line);
          if (seen !== undefined && seen !== lane) shared.push(`line ${line}: lanes ${seen} and ${lane}`);
          owner.set(line, lane);
        }
        const hot = lineOfWord(laneWord(l, lane, 0));
        for (const f of [...hotFields, LINE_WORDS - 1]) {
          if (lineOfWord(laneWord(l, lane, f)) !== hot) offHot.push(`lane ${lane} field ${f}`);
        }
      }
      expect(shared, label(c)).to.deep.equal([]);
      expect(offHot, label(c)).to.deep.equal([]);
    }
  });

  it('keeps the epoch states and counters of a lane inside its record', () => {
    const l = computeLayout({ cpus: 8, mapBuckets: [16], arenaBytes: 1 << 20, traceRecords: 64 });
    for (let lane = 0; lane < l.lanes; lane++) {
      const start = laneWord(l, lane, 0);
      const end = start + LANE_WORDS;
      expect(stateWord(l, lane, 0)).to.be.at.least(start + LINE_WORDS);
      expect(stateWord(l, lane, EPOCH_STATE_SLOTS - 1) + EPOCH_STATE_WORDS).to.be.at.most(counterWord(l, lane, 0));
      expect(counterWord(l, lane, COUNTER_COUNT - 1)).to.be.below(laneWord(l, lane, Lane.TraceHead));
      expect(laneWord(l, lane, Lane.TraceDropped)).to.be.below(end);
    }
  });

  it('fits every trace record, with its inline key, inside the trace region', () => {
    const fields = Object.values(TraceWord);
    expect(Math.max(...fields)).to.be.below(TRACE_RECORD_WORDS);
    expect(TraceWord.Key + MAX_KEY_BYTES / WORD_BYTES).to.be.at.most(TraceWord.TimeLo);
    for (const c of configs()) {
      const l = computeLayout(c);
      const first = traceRecordWord(l, 0, 0);
      const last = traceRecordWord(l, l.lanes - 1, c.traceRecords - 1);
      expect(first, label(c)).to.equal(l.traceBase);
      expect((last + TRACE_RECORD_WORDS) * WORD_BYTES, label(c)).to.be.at.most(l.textBase);
      // Consecutive records of one lane, and the first of the next lane, never overlap.
      expect(traceRecordWord(l, 0, 1) - traceRecordWord(l, 0, 0)).to.equal(TRACE_RECORD_WORDS);
      if (l.lanes > 1) expect(traceRecordWord(l, 1, 0), label(c)).to.equal(traceRecordWord(l, 0, c.traceRecords - 1) + TRACE_RECORD_WORDS);
    }
  });

  it('is pure: the same configuration gives the same layout', () => {
    const c: LayoutConfig = { cpus: 8, mapBuckets: [64, 2], arenaBytes: 1 << 20, traceRecords: 64 };
    expect(computeLayout({ ...c, mapBuckets: [...c.mapBuckets] })).to.deep.equal(computeLayout(c));
  });

  it('reports a bucket count that is not a power of two', () => {
    const problems = validateLayout(computeLayout({ cpus: 2, mapBuckets: [64, 3], arenaBytes: 1 << 20, traceRecords: 64 }));
    expect(problems).to.deep.equal(['map 1: bucket count 3 not a power of two']);
  });
});

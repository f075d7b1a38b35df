/**
 * A small seeded PRNG (Mulberry32, seeded through a SplitMix32 mix of the
 * seed and a stream number). Every random choice in a run (workload streams,
 * hash seeds) derives from the scenario seed through one of these, so a seed
 * names a run. The state stays a small integer (no heap numbers): this sits
 * on the workload's hot path.
 */
export class Prng {
  private state: number;

  constructor(seed: number, stream = 0) {
    let z = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) | 0;
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.nextU32() / 4294967296) * n);
  }
}

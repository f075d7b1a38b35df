/**
 * The generated workload: a seeded random mix of find / insert / update / delete over
 * the workload's maps and a key range, per CPU. PASSIVE CPUs make user-mode
 * calls; DISPATCH CPUs run program batches of `batchSize` helper calls, one
 * epoch per batch. The stream of a CPU depends only on (seed, cpu).
 */
import { Cpu } from './cpu.js';
import type { WorkloadPlan } from './plan.js';
import type { MapRt } from './callbacks.js';
import { Prng } from '../contract/prng.js';
import { OpCode } from '../trace/events.js';
import { UpdateOption } from '../contract/map-operation.js';

const CLOCK_EVERY = 64;

/** Writes integer `n` little-endian into `size` (at most 4) bytes at `ptr`. */
function writeInt(u8: Uint8Array, ptr: number, size: number, n: number): void {
  for (let i = 0; i < size; i++) u8[ptr + i] = (n >>> (8 * i)) & 0xff;
}

export class WorkloadRunner {
  private readonly rng: Prng;
  private readonly maps: MapRt[];
  private readonly deadline: number;
  private done = 0;
  private readonly limit: number;

  constructor(private readonly cpu: Cpu, private readonly w: WorkloadPlan, seed: number) {
    this.rng = new Prng(seed, cpu.lane.lane + 1);
    this.maps = w.maps.map((i) => cpu.maps[i] as MapRt);
    const controlled = cpu.lane.shm.controlled;
    this.deadline = w.durationMs > 0 && !controlled ? performance.now() + w.durationMs : Infinity;
    // Controlled mode has no wall clock: an operation budget stands for the duration.
    this.limit = controlled ? Math.min(w.opsPerCpu, w.controlledOpsPerCpu) : w.opsPerCpu;
  }

  /** Runs until opsPerCpu operations are done, the duration is up, or the run stops. */
  run(dispatch: boolean): number {
    while (this.more()) {
      if (dispatch) this.runBatch();
      else this.runUserOp();
    }
    return this.done;
  }

  /** Checks the run state and the clock once every CLOCK_EVERY operations. */
  private more(): boolean {
    if (this.done >= this.limit) return false;
    if (this.done % CLOCK_EVERY !== 0) return true;
    return this.cpu.running() && performance.now() < this.deadline;
  }

  private runUserOp(): void {
    const op = this.nextOp();
    this.cpu.userCall(op, this.currentMap, this.currentOption);
    this.done++;
  }

  private runBatch(): void {
    const state = this.cpu.batchBegin();
    for (let i = 0; i < this.w.batchSize && this.done < this.limit; i++) {
      const op = this.nextOp();
      this.cpu.helperCall(op, this.currentMap, this.currentOption, 0);
      this.done++;
    }
    this.cpu.batchEnd(state);
  }

  private currentMap!: MapRt;
  /** The UpdateOption of the op nextOp last returned (meaningful for an update only). */
  private currentOption: number = UpdateOption.Any;

  /** Picks map, op, key and value; loads key and value into the CPU's scratch. */
  private nextOp(): number {
    const rng = this.rng;
    const m = this.maps.length === 1 ? this.maps[0] as MapRt : this.maps[rng.below(this.maps.length)] as MapRt;
    this.currentMap = m;
    writeKey(this.cpu, m, rng.below(this.w.keyRange));
    const r = rng.below(100);
    // With insertPct 0 the thresholds, and so the draws, are those of a find/update/delete mix.
    const w = this.w;
    if (r < w.findPct) return OpCode.Find;
    const inserts = w.findPct + w.insertPct;
    if (r < inserts + w.updatePct) {
      writeInt(this.cpu.lane.shm.u8, this.cpu.valuePtr, Math.min(4, m.info === null ? 4 : m.info.valueSize), rng.nextU32());
      this.currentOption = r < inserts ? UpdateOption.NoExist : w.updateOption;
      return OpCode.Update;
    }
    return OpCode.Delete;
  }
}

/**
 * Writes integer key `k` into the key scratch as the map's zero-padded key
 * words (little-endian in keySize bytes), without touching the rest.
 */
function writeKey(cpu: Cpu, m: MapRt, k: number): void {
  const i32 = cpu.lane.shm.i32;
  const w = cpu.keyPtr >> 2;
  const words = (m.keySize + 3) >> 2;
  i32[w] = m.keySize >= 4 ? k : k & ((1 << (8 * m.keySize)) - 1);
  for (let i = 1; i < words; i++) i32[w + i] = 0;
}

/** Inserts keys 0..count-1 into a map with user-mode updates (prefill). */
export function prefill(cpu: Cpu, m: MapRt, count: number, seed: number): void {
  const rng = new Prng(seed, 0x7e11);
  const u8 = cpu.lane.shm.u8;
  const valueSize = m.info === null ? 4 : m.info.valueSize;
  for (let k = 0; k < count && cpu.running(); k++) {
    writeKey(cpu, m, k);
    writeInt(u8, cpu.valuePtr, Math.min(4, valueSize), rng.nextU32());
    cpu.userCall(OpCode.Update, m, UpdateOption.Any);
  }
}

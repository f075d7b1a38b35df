/**
 * The generated workload: a seeded random mix of find / update / delete over
 * the workload's maps and a key range, per CPU. PASSIVE CPUs make user-mode
 * calls; DISPATCH CPUs run program batches of `batchSize` helper calls, one
 * epoch per batch. The stream of a CPU depends only on (seed, cpu).
 */
import { Cpu } from './cpu.js';
import type { WorkloadPlan } from './plan.js';
import type { MapRt } from './callbacks.js';
import { Prng } from '../sched/prng.js';
import { MAX_KEY_BYTES } from '../shm/layout.js';
import { OpCode, UpdateOption } from '../trace/events.js';

const CLOCK_EVERY = 64;

/** Writes integer `n` little-endian into `size` bytes at `ptr` (zero beyond 4 bytes). */
function writeInt(u8: Uint8Array, ptr: number, size: number, n: number): void {
  for (let i = 0; i < size; i++) u8[ptr + i] = i < 4 ? (n >>> (8 * i)) & 0xff : 0;
}

export class WorkloadRunner {
  private readonly rng: Prng;
  private readonly maps: MapRt[];
  private readonly deadline: number;
  private done = 0;

  constructor(private readonly cpu: Cpu, private readonly w: WorkloadPlan, seed: number) {
    this.rng = new Prng(seed, cpu.lane.lane + 1);
    this.maps = w.maps.map((i) => cpu.maps[i] as MapRt);
    this.deadline = w.durationMs > 0 ? performance.now() + w.durationMs : Infinity;
  }

  /** Runs until opsPerCpu operations are done, the duration is up, or the run stops. */
  run(dispatch: boolean): number {
    while (this.more()) {
      if (dispatch) this.runBatch();
      else this.runUserOp();
    }
    return this.done;
  }

  private more(): boolean {
    if (this.done >= this.w.opsPerCpu || !this.cpu.running()) return false;
    return this.done % CLOCK_EVERY !== 0 || performance.now() < this.deadline;
  }

  private runUserOp(): void {
    const op = this.nextOp();
    this.cpu.userCall(op, this.currentMap, UpdateOption.Any);
    this.done++;
  }

  private runBatch(): void {
    const state = this.cpu.batchBegin();
    for (let i = 0; i < this.w.batchSize && this.done < this.w.opsPerCpu; i++) {
      const op = this.nextOp();
      this.cpu.helperCall(op, this.currentMap, UpdateOption.Any, 0);
      this.done++;
    }
    this.cpu.batchEnd(state);
  }

  private currentMap!: MapRt;

  /** Picks map, op, key and value; loads key and value into the CPU's scratch. */
  private nextOp(): number {
    const rng = this.rng;
    const m = this.maps.length === 1 ? this.maps[0] as MapRt : this.maps[rng.below(this.maps.length)] as MapRt;
    this.currentMap = m;
    const u8 = this.cpu.lane.shm.u8;
    u8.fill(0, this.cpu.keyPtr, this.cpu.keyPtr + MAX_KEY_BYTES);
    writeInt(u8, this.cpu.keyPtr, m.keySize, rng.below(this.w.keyRange));
    const r = rng.below(100);
    if (r < this.w.findPct) return OpCode.Find;
    if (r < this.w.findPct + this.w.updatePct) {
      const valueSize = m.info === null ? 4 : m.info.valueSize;
      writeInt(u8, this.cpu.valuePtr, valueSize, rng.nextU32());
      return OpCode.Update;
    }
    return OpCode.Delete;
  }
}

/** Inserts keys 0..count-1 into a map with user-mode updates (prefill). */
export function prefill(cpu: Cpu, m: MapRt, count: number, seed: number): void {
  const rng = new Prng(seed, 0x7e11);
  const u8 = cpu.lane.shm.u8;
  const valueSize = m.info === null ? 4 : m.info.valueSize;
  for (let k = 0; k < count && cpu.running(); k++) {
    u8.fill(0, cpu.keyPtr, cpu.keyPtr + MAX_KEY_BYTES);
    writeInt(u8, cpu.keyPtr, m.keySize, k);
    writeInt(u8, cpu.valuePtr, valueSize, rng.nextU32());
    cpu.userCall(OpCode.Update, m, UpdateOption.Any);
  }
}

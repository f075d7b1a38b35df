/**
 * The released epoch as eBPF for Windows computes it (reference 2.2-2.5),
 * for the profile switch perCpuEpochs: per-CPU current and released epochs,
 * and a message walked around the ring of CPUs.
 *
 *   PROPOSE, CPU 0 first: CPU 0 advances the published epoch to E and sets
 *   proposed = E; every CPU sets its current_epoch to E, then proposed =
 *   min(proposed, the oldest epoch among its active states). After the last
 *   CPU the message turns into
 *   COMMIT, CPU 0 first: every CPU sets released_epoch = proposed - 1 and
 *   drains its own free list from the head while the head's stamp is <= it.
 *
 * The ring is every lane: the simulated CPUs, then the system lane (the
 * PASSIVE worker that runs deferred cleanups lives on a CPU of the real
 * ring). The epoch manager thread plays the timer DPC that starts a PROPOSE
 * at each tick (the timer is taken as always armed) and each CPU's
 * messenger: it runs every hop on that CPU's behalf, reading the CPU's
 * announced oldest epoch (an atomic the CPU keeps for its active list) and
 * draining the CPU's free list under its FreeLock, so no hop waits for a
 * busy CPU. step() is one hop; a manager tick runs them all (EpochManager),
 * and every hop passes the scheduling gate, so in controlled mode CPUs run
 * between hops as they do between the runtime's lazy work-queue messages.
 * The message in flight lives in Ctl.Ring*.
 *
 * Safety is the reference's argument: a CPU sets its current_epoch only
 * after CPU 0's advance, so a retire stamped max(published, current_epoch)
 * during a computation is stamped >= E > released. Stamping with a lagging
 * current_epoch alone (issue 4920, Mutant.PercpuLocalStamp) gives E - 1 on a
 * CPU the PROPOSE has not reached yet, which the COMMIT frees while a reader
 * that entered at E on CPU 0 may still hold the block.
 */
import { Ctl, EpochMessage } from '../shm/layout.js';
import { Shm } from '../shm/shm.js';
import { TraceWriter } from '../shm/trace-ring.js';
import { Ev } from '../trace/events.js';
import { Mutant } from '../contract/mutants.js';

/** What a hop needs from the epoch manager. */
export interface RingHost {
  /** CPU 0 published a new epoch. */
  published(epoch: number): void;
  /** Frees the eligible prefix of `lane`'s free list; returns how many blocks. */
  drain(lane: number, released: number): number;
  /** Warns when `lane` holds an epoch far behind the published one. */
  stall(lane: number, announced: number, published: number): void;
  /** The COMMIT left the last CPU: every CPU's released_epoch is `released`. */
  cycleEnded(published: number, released: number): void;
}

export class EpochRing {
  private readonly lanes: number;

  constructor(
    private readonly shm: Shm,
    private readonly trace: TraceWriter,
    private readonly mutant: number,
    private readonly host: RingHost,
  ) {
    this.lanes = shm.layout.lanes;
  }

  /** One hop of the computation (starting one if none is in progress); returns the blocks freed. */
  step(): number {
    const i32 = this.shm.i32;
    // SYNC: the Ring words are plain, written and read by the manager thread only.
    if (i32[Ctl.RingMessage] === EpochMessage.None) {
      i32[Ctl.RingMessage] = EpochMessage.Propose;
      i32[Ctl.RingCpu] = 0;
    }
    const cpu = i32[Ctl.RingCpu] as number;
    if (i32[Ctl.RingMessage] === EpochMessage.Propose) {
      this.propose(cpu);
      return 0;
    }
    return this.commit(cpu);
  }

  /** The PROPOSE message at `cpu`. */
  private propose(cpu: number): void {
    const i32 = this.shm.i32;
    let epoch = i32[Ctl.RingEpoch] as number;
    let proposed = i32[Ctl.RingProposed] as number;
    if (cpu === 0) {
      epoch = this.shm.advancePublishedEpoch();
      this.host.published(epoch);
      proposed = epoch;
      i32[Ctl.RingEpoch] = epoch;
    }
    this.shm.storeCurrentEpoch(cpu, epoch);
    if (cpu !== 0 || this.mutant !== Mutant.SkipCpu) {
      const announced = this.shm.loadAnnounce(cpu);
      if (announced !== 0 && announced < proposed) proposed = announced;
      this.host.stall(cpu, announced, epoch);
    }
    i32[Ctl.RingProposed] = proposed;
    if (this.trace.on) this.trace.emit(Ev.EpochPropose, 0, -1, 0, 0, cpu, epoch, 0, 0, proposed);
    this.forward(cpu, EpochMessage.Commit);
  }

  /** The COMMIT message at `cpu`: its released_epoch, then its own free list. */
  private commit(cpu: number): number {
    const i32 = this.shm.i32;
    const proposed = i32[Ctl.RingProposed] as number;
    const released = this.mutant === Mutant.ReleaseOffByOne ? proposed : proposed - 1;
    this.shm.storeLaneReleased(cpu, released);
    if (this.trace.on) this.trace.emit(Ev.EpochCommit, 0, -1, 0, 0, cpu, released, 0, 0);
    this.forward(cpu, EpochMessage.None);
    const freed = this.host.drain(cpu, released);
    if (cpu === this.lanes - 1) this.host.cycleEnded(i32[Ctl.RingEpoch] as number, released);
    return freed;
  }

  /** Sends the message on to the next CPU, or after the last one turns it into `after` at CPU 0. */
  private forward(cpu: number, after: number): void {
    const i32 = this.shm.i32;
    if (cpu + 1 < this.lanes) {
      i32[Ctl.RingCpu] = cpu + 1;
      return;
    }
    i32[Ctl.RingMessage] = after;
    i32[Ctl.RingCpu] = 0;
  }

  /** True while a computation is on its way round (a PROPOSE or a COMMIT is in flight). */
  get inProgress(): boolean {
    return this.shm.i32[Ctl.RingMessage] !== EpochMessage.None;
  }
}

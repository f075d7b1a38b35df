/**
 * Faults from a scenario's `faults` take effect: a CPU stalls inside an
 * epoch (and the epoch manager names it in a stall warning), epoch manager
 * ticks are dropped or start late, and bucket-lock compare-exchanges fail
 * spuriously, while the contract still holds. Controlled mode makes the
 * counts exact.
 */
import { expect } from 'chai';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runOnce } from '../../src/hunt/hunt.js';
import type { RunPlan } from '../../src/runtime/plan.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import type { TraceSink } from '../../src/trace/jsonl.js';

/** A sink that keeps every event. */
class Collect implements TraceSink {
  readonly events: TraceEvent[] = [];
  write(e: TraceEvent): void { this.events.push(e); }
  close(): void {}
}

/** A small controlled run (two CPUs, random strategy, seed 5) with the given tick delays. */
async function delayPlan(delayTicks: Array<{ tick: number; steps: number }>): Promise<RunPlan> {
  const plan = await compileScenario({
    name: 'delay', cpus: 2, seed: 5,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 16 } },
    workload: { findPct: 40, updatePct: 40, deletePct: 20, keyRange: 4, opsPerCpu: 40, batchSize: 4, irql: 'mixed' },
    faults: { delayTicks },
  }, 'test', process.cwd(), {});
  plan.mode = 'controlled';
  plan.strategy = 'random';
  return plan;
}

describe('runtime: injected faults', function () {
  this.timeout(120_000);

  it('stalls a CPU in an epoch, drops ticks and fails lock attempts spuriously, and the run stays correct', async () => {
    const plan = await compileScenario({
      name: 'faults', cpus: 2, seed: 5, stallEpochs: 5,
      maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 16 } },
      workload: { findPct: 40, updatePct: 40, deletePct: 20, keyRange: 4, opsPerCpu: 40, batchSize: 4, irql: 'mixed' },
      faults: { stall: [{ cpu: 0, atOp: 3, steps: 400 }], dropTicks: [1, 2, 3], spuriousLockFailAt: [1, 2, 5] },
    }, 'test', process.cwd(), {});
    plan.mode = 'controlled';
    plan.strategy = 'random';
    const run = await runOnce(plan, 'test');
    expect(run.rules).to.deep.equal({});
    expect(run.report.faults).to.deep.equal({ spuriousLockFailures: 3, droppedTicks: 3, delayedTicks: 0, stalls: 1 });
    expect(run.report.stallWarnings).to.be.at.least(1);
    expect(run.report.verdict).to.equal('pass');
  });

  it('delays epoch manager ticks by scheduling points in controlled mode: counted exactly, still correct, reproducible', async () => {
    const steps = 300;
    const base = await delayPlan([]);
    const delayed = await delayPlan([{ tick: 2, steps }, { tick: 4, steps }]);
    const plain = await runOnce(base, 'test');
    const first = await runOnce(delayed, 'test');
    const again = await runOnce(delayed, 'test');
    for (const run of [plain, first, again]) {
      expect(run.rules).to.deep.equal({});
      expect(run.report.verdict).to.equal('pass');
    }
    expect(plain.report.faults.delayedTicks).to.equal(0);
    expect(first.report.faults).to.deep.equal({ spuriousLockFailures: 0, droppedTicks: 0, delayedTicks: 2, stalls: 0 });
    // Same seed, same workload: the same operations run, only their interleaving with the ticks moves.
    expect(first.report.ops).to.equal(plain.report.ops);
    // The CPUs ran on under the old epoch while the manager waited: the trace changed.
    expect(first.digest).to.not.equal(plain.digest);
    // Virtual time: the delayed run itself is deterministic.
    expect(again.digest).to.equal(first.digest);
    expect(again.schedule).to.deep.equal(first.schedule);
  });

  it('delays a final-drain tick by exactly its steps: the manager runs alone, so each step is one decision', async () => {
    const steps = 250;
    const plainEvents = new Collect();
    const plain = await runOnce(await delayPlan([]), 'test', [plainEvents]);
    // Every tick of this run advanced the epoch (none dropped), and the last tick is a drain tick (the drain ends with quiet ticks).
    const lastTick = plain.report.epochsAdvanced;
    const delayedEvents = new Collect();
    const delayed = await runOnce(await delayPlan([{ tick: lastTick, steps }]), 'test', [delayedEvents]);
    expect(delayed.rules).to.deep.equal({});
    expect(delayed.report.faults.delayedTicks).to.equal(1);
    expect(delayed.report.epochsAdvanced).to.equal(lastTick);
    expect(delayed.report.schedule!.decisions).to.equal(plain.report.schedule!.decisions + steps);
    // The same schedule with `steps` more choices of the manager's lane (lane `cpus`) inserted in the drain.
    const managerLane = 2;
    let i = 0;
    while (i < plain.schedule.length && plain.schedule[i] === delayed.schedule[i]) i++;
    expect(delayed.schedule.slice(i, i + steps)).to.deep.equal(new Array<number>(steps).fill(managerLane));
    expect(delayed.schedule.slice(i + steps)).to.deep.equal(plain.schedule.slice(i));
    // A delay emits nothing and nothing else ran meanwhile: the trace is the same
    // but for its clock (the decision index), which jumps by `steps` at the delayed tick.
    const untimed = (c: Collect): unknown[] => c.events.map(({ t: _t, ...rest }) => rest);
    expect(untimed(delayedEvents)).to.deep.equal(untimed(plainEvents));
    const shifts = delayedEvents.events.map((e, k) => e.t - plainEvents.events[k]!.t);
    const first = shifts.findIndex((d) => d !== 0);
    expect(first, 'the delay moves the clock of the last tick').to.be.greaterThan(0);
    expect(new Set(shifts.slice(first))).to.deep.equal(new Set([steps]));
  });

  it('rejects two delays of the same tick, naming the second', async () => {
    let message = '';
    try {
      await delayPlan([{ tick: 3, steps: 1 }, { tick: 3, steps: 2 }]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/faults\.delayTicks\[1\]\.tick/);
  });

  it('rejects a stall fault for a CPU the scenario does not have', async () => {
    let message = '';
    try {
      await compileScenario({
        cpus: 1, maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
        threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'find', map: 'm', key: 1 }] }],
        faults: { stall: [{ cpu: 3, atOp: 1, steps: 1 }] },
      }, 'test.json', process.cwd(), {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/faults\.stall\[0\]\.cpu/);
  });
});

describe('runtime: the cleanup work item is allocated when the map is created', () => {
  const scenario = (allocFailAt: number[]): Record<string, unknown> => ({
    name: 'work-item', cpus: 1,
    maps: { m: { provider: 'passthrough', keySize: 4, valueSize: 4, maxEntries: 4 } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 2 }, { op: 'delete_map', map: 'm' }] }],
    faults: { allocFailAt },
  });
  const run = async (allocFailAt: number[]): Promise<{ events: TraceEvent[]; rules: Record<string, number> }> => {
    const plan = await compileScenario(scenario(allocFailAt), 'test', process.cwd(), {});
    plan.mode = 'controlled';
    const sink = new Collect();
    const r = await runOnce(plan, 'test', [sink]);
    return { events: sink.events, rules: r.rules };
  };
  const ends = (events: TraceEvent[]): string[] => events.filter((e) => e.event === 'op_end').map((e) => `${String(e['op'])} ${String(e['result'])}`);

  it('so that closing the last handle cannot fail: a map whose work item cannot be allocated is deleted again, and creation fails', async () => {
    // Allocation 1 is the map's create; 2 is its work item.
    const r = await run([2]);
    expect(r.rules).to.deep.equal({});
    expect(ends(r.events)).to.deep.equal(['create EBPF_NO_MEMORY', 'update EBPF_INVALID_OBJECT', 'delete_map EBPF_INVALID_OBJECT']);
    const callbacks = r.events.filter((e) => e.event === 'preprocess_map_create' || e.event === 'postprocess_map_delete').map((e) => e.event);
    expect(callbacks).to.deep.equal(['preprocess_map_create', 'postprocess_map_delete']);
  });

  it('and an allocation failure later leaves the deferred cleanup to run as usual', async () => {
    const r = await run([3, 4, 5]);
    expect(r.rules).to.deep.equal({});
    expect(ends(r.events)).to.include('map_cleanup EBPF_SUCCESS');
    expect(r.events.filter((e) => e.event === 'postprocess_map_delete')).to.have.length(1);
  });
});

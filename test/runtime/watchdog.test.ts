/**
 * The watchdog ends a run only when nothing moves, names lanes as the trace
 * does (CPU n, the system lane (cpu -1), the epoch manager) with the
 * callback a stuck lane is in, and adds no violation that only follows from
 * ending the run. Each run is a child process of the CLI with a short
 * watchdog period (the scenario's watchdogMs), so a long batch outlasts it.
 */
import { expect } from 'chai';
import { fixtureProvider, runJson } from '../support/cli-run.js';
import type { CheckedReport } from '../../src/harness/checked-run.js';

const WATCHDOG_MS = 150;

/** Rules reported: the checker's and those found after the trace (leak, watchdog). */
function rules(report: CheckedReport): string[] {
  const all = new Set(Object.keys(report.check?.byRule ?? {}));
  for (const v of report.violations) all.add(v.rule);
  return [...all].sort();
}

function passthrough(): Record<string, unknown> {
  return { provider: 'passthrough', keySize: 4, valueSize: 8, maxEntries: 4 };
}

describe('runtime/watchdog: ends a run only when nothing moves, and says who is stuck where', function () {
  this.timeout(120_000);

  it('long program batches after a map cleanup are progress (issue 10: "CPU 2 made no progress")', function () {
    // CPU 1 deletes a map early; its cleanup runs on the system lane between
    // CPU 0's batches; each batch then holds its epoch for many watchdog periods.
    const { status, report } = runJson<CheckedReport>({
      name: 'long-batches', cpus: 2, watchdogMs: WATCHDOG_MS,
      maps: { gone: passthrough(), values: passthrough() },
      threads: [
        { cpu: 1, irql: 'PASSIVE', ops: [{ op: 'delete_map', map: 'gone' }] },
        { cpu: 0, irql: 'DISPATCH', repeat: 2, ops: [
          { op: 'update', map: 'values', key: 1, value: 5 },
          { op: 'batch', count: 15_000, ops: [{ op: 'find', map: 'values', key: 1, add: 1 }] },
        ] },
      ],
    });
    expect(report.watchdog?.reason ?? null).to.equal(null);
    expect(status).to.equal(0);
    expect(report.verdict).to.equal('pass');
    expect(report.callbacks['postprocess_map_find_element']).to.equal(30_000);
  });

  it('a batch of invocations that run no op at all is progress too', function () {
    const { status, report } = runJson<CheckedReport>({
      name: 'empty-batch', cpus: 1, watchdogMs: WATCHDOG_MS, maps: { values: passthrough() },
      threads: [{ cpu: 0, irql: 'DISPATCH', ops: [{ op: 'batch', count: 15_000_000, ops: [] }] }],
    }, ['--no-check']);
    expect(report.watchdog?.reason ?? null).to.equal(null);
    expect(status).to.equal(0);
  });

  it('a CPU stuck in a callback: named with the callback, and the only violation is run.watchdog', function () {
    const { status, report } = runJson<CheckedReport>({
      name: 'stuck-find', cpus: 2, watchdogMs: WATCHDOG_MS,
      maps: { m: { ...passthrough(), provider: fixtureProvider('never-returns'), options: { callback: 'find' } } },
      threads: [{ cpu: 1, irql: 'PASSIVE', ops: [
        { op: 'update', map: 'm', key: 1, value: 5 },
        { op: 'find', map: 'm', key: 1 },
      ] }],
    });
    expect(status).to.equal(1);
    expect(report.verdict).to.equal('aborted');
    expect(report.watchdog!.reason).to.match(/^CPU 1 \(inside postprocess_map_find_element\) made no progress for \d+ ms \(watchdog 150 ms\)$/);
    const cpu1 = report.watchdog!.cpus.find((c) => c.cpu === 1)!;
    expect([cpu1.lane, cpu1.lastOp, cpu1.lastMap, cpu1.callback]).to.deep.equal(['CPU 1', 'find', 'm', 'postprocess_map_find_element']);
    expect(report.violations.find((v) => v.rule === 'run.watchdog')?.cpu, 'the violation is on the stuck CPU').to.equal(1);
    expect(rules(report), 'no leak, no unfinished map or epoch: those follow from the abort').to.deep.equal(['run.watchdog']);
  });

  it('controlled mode: a livelock names the CPU and the callback it spins in', function () {
    const { status, report } = runJson<CheckedReport>({
      name: 'livelock', cpus: 2, watchdogMs: WATCHDOG_MS,
      maps: { m: { ...passthrough(), provider: fixtureProvider('never-returns'), options: { callback: 'find' } } },
      threads: [{ cpu: 0, irql: 'PASSIVE', ops: [
        { op: 'update', map: 'm', key: 1, value: 5 },
        { op: 'find', map: 'm', key: 1 },
      ] }],
    }, ['--mode', 'controlled']);
    expect(status).to.equal(1);
    expect(report.watchdog!.reason).to.match(
      /^no CPU started an operation while the scheduler made \d+ decisions \(a livelock; CPU 0 is inside postprocess_map_find_element\) for \d+ ms/);
    expect(rules(report)).to.deep.equal(['run.watchdog']);
  });

  it('the system lane stuck in a map cleanup: named as the system lane (cpu -1), never as a CPU number', function () {
    const { status, report } = runJson<CheckedReport>({
      name: 'stuck-cleanup', cpus: 2, watchdogMs: WATCHDOG_MS,
      maps: { m: { ...passthrough(), provider: fixtureProvider('never-returns'), options: { callback: 'delete' } } },
      threads: [{ cpu: 0, irql: 'PASSIVE', ops: [
        { op: 'update', map: 'm', key: 1, value: 5 },
        { op: 'delete_map', map: 'm' },
      ] }],
    });
    expect(status).to.equal(1);
    expect(report.watchdog!.reason).to.match(
      /^the system lane \(cpu -1\) \(inside postprocess_map_delete\) made no progress for \d+ ms/);
    expect(report.watchdog!.reason).not.to.match(/CPU 2/);
    const system = report.watchdog!.cpus.find((c) => c.cpu === -1)!;
    expect([system.lane, system.lastOp, system.callback]).to.deep.equal(['the system lane (cpu -1)', 'map_cleanup', 'postprocess_map_delete']);
    expect(rules(report)).to.deep.equal(['run.watchdog']);
  });
});

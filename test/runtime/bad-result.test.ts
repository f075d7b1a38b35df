/**
 * provider.bad-result: a callback result that is no ebpf_result_t code is a
 * violation naming the callback, the CPU, the map and the value (on one
 * line); the operation takes it as EBPF_FAILED and the run stops (exit 1).
 * The fixture provider (test/fixtures/providers/bad-result.ts) returns the
 * value its map options name from the callback they name.
 */
import { expect } from 'chai';
import { fixtureProvider, runJson } from '../support/cli-run.js';
import type { CheckedReport } from '../../src/harness/checked-run.js';
import { EBPF_FAILED, isResultCode, resultCode, resultName } from '../../src/contract/ebpf-result.js';
import { oneLine, renderValue } from '../../src/contract/safe-text.js';

function scenario(callback: string, returns: string): Record<string, unknown> {
  return {
    name: `bad-result-${callback}-${returns}`,
    cpus: 2,
    maps: { m: { provider: fixtureProvider('bad-result'), keySize: 4, valueSize: 4, maxEntries: 16, options: { callback, returns } } },
    threads: [
      { cpu: 1, irql: 'DISPATCH', ops: [
        { op: 'update', map: 'm', key: 1, value: 10 },
        { op: 'find', map: 'm', key: 1 },
        { op: 'find', map: 'm', key: 1 },
      ] },
    ],
  };
}

function badResults(report: CheckedReport): CheckedReport['violations'] {
  return report.violations.filter((v) => v.rule === 'provider.bad-result');
}

describe('runtime/bad-result: callback results are ebpf_result_t codes', function () {
  this.timeout(120_000);

  it('a find callback returning undefined: provider.bad-result on CPU 1, taken as EBPF_FAILED, the run stops', function () {
    const { status, stderr, report } = runJson<CheckedReport>(scenario('find', 'undefined'));
    expect(stderr).to.equal('');
    expect(status).to.equal(1);
    expect(report.verdict).to.equal('fail');
    const bad = badResults(report);
    expect(bad, 'one violation: the run stopped after the first').to.have.length(1);
    expect(bad[0]!.cpu).to.equal(1);
    expect(bad[0]!.map).to.equal('m');
    expect(bad[0]!.message).to.equal('postprocess_map_find_element returned undefined on CPU 1 (map m), '
      + 'which is no ebpf_result_t code; taken as EBPF_FAILED, and the run stops');
    expect(report.callbacks['postprocess_map_find_element'], 'the second find never ran').to.equal(1);
    expect(report.results['EBPF_FAILED'], 'the find operation returned EBPF_FAILED').to.equal(1);
  });

  it('the last codes (32 to 35) are no bad result, and each is counted under its own name', function () {
    const { status, report } = runJson<CheckedReport>(scenario('find', 'try-again'));
    expect(status).to.equal(0);
    expect(badResults(report)).to.have.length(0);
    expect(report.results).to.deep.equal({ EBPF_SUCCESS: 1, [resultName(35)]: 2 });
  });

  it('a program load answered with NaN is no PASS: provider.bad-result, and the load failed with EBPF_FAILED', function () {
    const { status, report } = runJson<CheckedReport>(scenario('associate', 'nan'));
    expect(status).to.equal(1);
    expect(report.verdict).to.equal('fail');
    expect(report.programLoadFailures).to.deep.equal(['cpu 1: EBPF_FAILED']);
    const bad = badResults(report);
    expect(bad).to.have.length(1);
    expect(bad[0]!.cpu).to.equal(1);
    expect(bad[0]!.message).to.match(/^preprocess_map_associate_program_type returned NaN on CPU 1 \(map m\),/);
  });

  it('a string with a line break is shown escaped, on one line', function () {
    const { status, report } = runJson<CheckedReport>(scenario('update', 'newline'));
    expect(status).to.equal(1);
    const bad = badResults(report);
    expect(bad).to.have.length(1);
    expect(bad[0]!.message).to.contain('preprocess_map_update_element returned "line one\\nline two" on CPU 1 (map m)');
    expect(bad[0]!.message).not.to.match(/[\n\r]/);
  });
});

describe('contract/ebpf-result and safe-text: what counts as a result, and how a value is shown', function () {
  it('accepts exactly the integers 0 to 35 (EBPF_SUCCESS to EBPF_TRY_AGAIN)', function () {
    for (let code = 0; code <= 35; code++) expect(isResultCode(code), String(code)).to.equal(true);
    for (const v of [-1, 36, 99, 0.5, Number.NaN, Infinity, -0.25, '0', undefined, null, {}, [], 0n, true]) {
      expect(isResultCode(v), renderValue(v)).to.equal(false);
    }
    expect(resultName(EBPF_FAILED)).to.equal('EBPF_FAILED');
    expect(resultName(35)).to.equal('EBPF_TRY_AGAIN');
    expect(resultName(99)).to.equal('EBPF_RESULT_99');
    expect(resultCode('EBPF_KEY_NOT_FOUND')).to.equal(19);
    expect(resultCode('EBPF_NONSENSE')).to.equal(undefined);
  });

  it('renders values as short one-line JSON-like text and never throws', function () {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const hostile = { toJSON(): never { throw new Error('no'); } };
    expect([undefined, Number.NaN, 1.5, -0, 99, 12n, true, null, 'a\nb', { result: 0 }, [1, 2], cyclic, hostile, () => 0, Symbol('s')]
      .map((v) => renderValue(v)))
      .to.deep.equal(['undefined', 'NaN', '1.5', '-0', '99', '12n', 'true', 'null', '"a\\nb"', '{"result":0}', '[1,2]',
        'an object', 'an object', 'a function', 'a symbol']);
    const long = renderValue('x'.repeat(500));
    expect(long).to.have.length(60);
    expect(long.endsWith('...')).to.equal(true);
    expect(oneLine('a\u0000b\u2028c\r')).to.equal('a\\u0000b\\u2028c\\r');
  });
});

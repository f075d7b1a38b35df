/**
 * provider.invariant on real threads: a provider declares its own
 * end-of-run invariant by calling ctx.reportInvariant from
 * postprocess_map_delete (the `object` provider checks its reference counts
 * there). The rule fires when the provider says so, and only then.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { ContractChecker } from '../../src/check/checker.js';
import { createRules } from '../../src/check/rules/index.js';

const PROVIDER = `
export function createProvider(options) {
  return {
    name: 'counting',
    properties: { updatesOriginalValue: false },
    dispatch: {
      preprocessMapCreate(ctx, type, keySize, valueSize, maxEntries, out) {
        out.actualValueSize = valueSize;
        out.mapContext = ctx.epoch.allocateCacheAlignedWithTag(64, 0x746e6f43);
        return out.mapContext === 0 ? 12 : 0;
      },
      postprocessMapDelete(ctx, mapContext) {
        const inserted = ctx.mem.readU32(mapContext);
        if (options.claimEmpty && inserted !== 0) ctx.reportInvariant('counting map: ' + inserted + ' entries were never released');
        ctx.epoch.freeCacheAligned(mapContext);
      },
      preprocessMapAssociateProgramType() { return 0; },
      preprocessMapUpdateElement(ctx, mapContext) { ctx.mem.atomicAddU32(mapContext, 1); return 0; },
      postprocessMapDeleteElement() {},
    },
  };
}
`;

async function run(claimEmpty: boolean): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'epochlab-invariant-'));
  writeFileSync(join(dir, 'counting.mjs'), PROVIDER);
  const plan = await compileScenario({
    cpus: 1,
    maps: { m: { provider: './counting.mjs', keySize: 4, valueSize: 4, maxEntries: 8, options: { claimEmpty } } },
    threads: [{ cpu: 0, irql: 'PASSIVE', ops: [{ op: 'update', map: 'm', key: 1, value: 1 }] }],
  }, join(dir, 'counting.json'), dir, {});
  plan.trace = true;
  const checker = new ContractChecker(createRules(), { rerun: 'test' });
  await runPlan(plan, { sinks: [checker] });
  checker.close();
  return checker.summary().byRule;
}

describe('check: provider.invariant', function () {
  this.timeout(60_000);

  it('fires when a provider reports its own invariant broken at map delete', async () => {
    expect(await run(true)).to.deep.equal({ 'provider.invariant': 1 });
  });

  it('stays quiet when the provider does not', async () => {
    expect(await run(false)).to.deep.equal({});
  });
});

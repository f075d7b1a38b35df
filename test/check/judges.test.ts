/**
 * Each rule names the events it looks at, and the checker hands it only
 * those: a rule sees exactly its events, in order; and the lists are
 * complete, because handing every rule every event finds the same
 * violations, at the same events, with the same messages, on real runs that
 * break many rules. The timeline page's "judged by" comes from these lists.
 */
import { expect } from 'chai';
import { ContractChecker } from '../../src/check/checker.js';
import { createRules } from '../../src/check/rules/index.js';
import type { CheckRule } from '../../src/check/context.js';
import { eventJudges } from '../../src/check/judges.js';
import { loadScenario } from '../../src/scenario/scenario.js';
import { runPlan } from '../../src/runtime/runner.js';
import { MemorySink } from '../../src/trace/jsonl.js';
import type { TraceEvent } from '../../src/trace/decode.js';
import type { MutantName } from '../../src/contract/mutants.js';
import type { ProfileName } from '../../src/runtime/profile.js';

async function controlledTrace(name: string, profile: ProfileName, mutant: MutantName | null): Promise<TraceEvent[]> {
  const plan = await loadScenario(name, {});
  Object.assign(plan, { mode: 'controlled', profile, mutant, trace: true });
  const sink = new MemorySink();
  await runPlan(plan, { sinks: [sink] });
  return sink.events;
}

function check(rules: readonly CheckRule[], events: TraceEvent[]): string[] {
  const checker = new ContractChecker(rules, { rerun: 'test', maxReports: 10_000 });
  for (const e of events) checker.write(e);
  checker.close();
  return checker.summary().reports.map((r) => `${r.rule} #${r.seq} ${r.message}`);
}

/** The same rules, each told every event of the trace. */
const toldEverything = (names: string[]): CheckRule[] => createRules().map((r) => ({
  ids: r.ids, events: names, onEvent: (e, cx) => r.onEvent(e, cx),
  ...(r.onEnd ? { onEnd: (cx: Parameters<NonNullable<CheckRule['onEnd']>>[0], last: TraceEvent) => r.onEnd!(cx, last) } : {}),
}));

describe('check/judges: the events each rule looks at', function () {
  this.timeout(120_000);

  it('the checker hands a rule exactly the events it names, in order', async () => {
    const events = await controlledTrace('object-churn', 'documented', null);
    const seen: number[] = [];
    const spy: CheckRule = { ids: [], events: ['retire', 'free'], onEvent: (e) => { seen.push(e.seq); } };
    check([spy], events);
    expect(seen).to.deep.equal(events.filter((e) => e.event === 'retire' || e.event === 'free').map((e) => e.seq));
    expect(seen.length).to.be.greaterThan(0);
  });

  const runs: Array<[string, ProfileName, MutantName | null]> = [
    ['smoke', 'documented', 'callback-under-lock'], ['smoke', 'documented', 'double-delete-callback'],
    ['smoke', 'documented', 'cleanup-flags'], ['contention', 'documented', 'helper-not-blocked'],
    ['diff-delete-under-lock', 'ebpf-for-windows', null], ['diff-cleanup-at-dispatch', 'ebpf-for-windows', null],
    ['diff-undo-without-preprocess', 'ebpf-for-windows', null], ['diff-neither-delete-callback', 'ebpf-for-windows', null], ['retire-before-unlink', 'ebpf-for-windows', null],
  ];
  it('the lists are complete: told every event, the rules find the same violations', async () => {
    let found = 0;
    for (const [name, profile, mutant] of runs) {
      const events = await controlledTrace(name, profile, mutant);
      const names = [...new Set(events.map((e) => e.event))];
      const normal = check(createRules(), events);
      expect(check(toldEverything(names), events), `${name} ${profile} ${mutant ?? ''}`).to.deep.equal(normal);
      found += normal.length;
    }
    expect(found).to.be.greaterThan(runs.length);
  });

  it('eventJudges: for each event name, the ids of the rules that look at it', () => {
    const j = eventJudges();
    for (const rule of createRules()) for (const name of rule.events) expect(j.byEvent[name]).to.include.members([...rule.ids]);
    expect(j.byEvent['read']).to.deep.equal(['age.window']);
    expect(j.byEvent['epoch_advance']).to.deep.equal(['memory.reclaim-bound']);
    expect(j.runtime).to.include('memory.use-after-free').and.not.include('age.window');
  });
});

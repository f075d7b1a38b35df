#!/usr/bin/env node
/**
 * The `epochlab` command. Exit codes: 0 run complete with no violation,
 * 1 violations (or an aborted run), 2 bad input (one line on stderr).
 */
import { parseCli } from './args.js';
import { BadInput } from '../scenario/bad-input.js';
import { listScenarios } from '../scenario/builtins.js';
import { runCommand } from './run.js';
import { contractDiffCommand } from './contract-diff.js';
import { stressCommand } from './stress.js';
import { replayCommand } from './replay.js';
import { mutantsCommand } from './mutants-cmd.js';
import { RULES, familyOf } from '../contract/rules.js';

const HELP = `usage:
  epochlab run [SCENARIO.json | BUILTIN] [--cpus N] [--seed N] [--duration 10s] [--trace FILE] [--no-trace] [--json]
               [--profile documented|ebpf-for-windows] [--no-check] [--mode free|controlled]
               [--strategy random|round-robin|pct] [--check-determinism] [--mutant NAME]
  epochlab scenarios     list the built-in scenarios
  epochlab rules [--json]  list the contract rules the checker enforces
  epochlab contract-diff [--json]  run every built-in scenario under both profiles; table of the as-built departures
  epochlab stress SCENARIO [--runs N | --time 60s] [--strategy random|round-robin|pct|dfs] [--pct-depth D] [--pct-steps K]
                  [--switch-every N] [--preemption-bound B] [--seed-start S] [--shard i/n] [--mode controlled|free]
                  [--mutant NAME] [--profile P] [--rule a,b] [--no-shrink] [--junit FILE] [--out FILE] [--json]
                         controlled runs, one seed each, until the first violation: shrunk, written to a failure file
  epochlab replay FILE [--trace out.jsonl]  re-run a failure file exactly; exit 1 if the violation reproduced
  epochlab mutants [--runs N] [--json]  plant each known bug, hunt it and shrink it; table of what was detected
  epochlab help`;

/** The rule catalog, grouped by family. */
function formatRules(): string {
  const lines: string[] = [];
  const families = [...new Set(RULES.map((r) => familyOf(r.id)))];
  for (const family of families) {
    lines.push('', `${family}:`);
    for (const r of RULES.filter((x) => familyOf(x.id) === family)) {
      lines.push(`  ${r.id}`, `      ${r.sentence}`, `      source: ${r.source}`);
    }
  }
  return lines.join('\n').trimStart();
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCli(argv);
  switch (cmd.kind) {
    case 'help':
      console.log(HELP);
      return 0;
    case 'scenarios': {
      const list = listScenarios();
      const width = Math.max(...list.map((s) => s.name.length)) + 2;
      for (const s of list) console.log(`${s.name.padEnd(width)}${s.description}`);
      return 0;
    }
    case 'rules':
      console.log(cmd.json ? JSON.stringify(RULES, null, 2) : formatRules());
      return 0;
    case 'run':
      return runCommand(cmd);
    case 'contract-diff':
      return contractDiffCommand(cmd);
    case 'stress':
      return stressCommand(cmd);
    case 'replay':
      return replayCommand(cmd);
    case 'mutants':
      return mutantsCommand(cmd);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  if (err instanceof BadInput) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`epochlab: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});

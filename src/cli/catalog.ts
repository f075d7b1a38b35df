/** `epochlab scenarios` and `epochlab rules`: the catalog (src/api/catalog.ts) as text or JSON. */
import { rules, scenarios } from '../api/catalog.js';
import { familyOf } from '../contract/rules.js';

/** The rule catalog, grouped by family. */
function formatRules(): string {
  const lines: string[] = [];
  const all = rules();
  for (const family of [...new Set(all.map((r) => familyOf(r.id)))]) {
    lines.push('', `${family}:`);
    for (const r of all.filter((x) => x.family === family)) lines.push(`  ${r.id}`, `      ${r.sentence}`, `      source: ${r.source}`);
  }
  return lines.join('\n').trimStart();
}

function formatScenarios(): string {
  const list = scenarios();
  const width = Math.max(...list.map((s) => s.name.length)) + 2;
  return list.map((s) => `${s.name.padEnd(width)}${s.description}`).join('\n');
}

export function scenariosCommand(cmd: { json: boolean }): number {
  console.log(cmd.json ? JSON.stringify(scenarios(), null, 2) : formatScenarios());
  return 0;
}

export function rulesCommand(cmd: { json: boolean }): number {
  console.log(cmd.json ? JSON.stringify(rules(), null, 2) : formatRules());
  return 0;
}

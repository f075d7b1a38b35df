/** What epochlab offers, as data: the built-in scenarios and the rule catalog (`epochlab scenarios`, `epochlab rules`). */
import { BUILTIN_SCENARIOS, builtinScenario } from '../scenario/builtins.js';
import { RULES, familyOf, type RuleInfo } from '../contract/rules.js';

export interface ScenarioInfo {
  name: string;
  description: string;
  /** The scenario object itself, as a file would hold it (the CPU count of this machine filled in). */
  scenario: Record<string, unknown>;
}

/** The built-in scenarios, in order. */
export function scenarios(): ScenarioInfo[] {
  return Object.entries(BUILTIN_SCENARIOS).map(([name, b]) => ({ name, description: b.description, scenario: builtinScenario(name)! }));
}

/** The rule catalog, each rule with its family. */
export function rules(): Array<RuleInfo & { family: string }> {
  return RULES.map((r) => ({ ...r, family: familyOf(r.id) }));
}

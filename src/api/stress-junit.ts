/** The JUnit report of a stress run: one test case per seed, the failing one with its report and replay command. */
import { writeFileSync } from 'node:fs';
import { BadInput } from '../contract/bad-input.js';
import { hasAnyViolation } from '../hunt/hunt.js';
import type { StressResult } from '../hunt/stress-loop.js';
import { formatViolationReport } from '../check/violation-report.js';
import { classPart, junitXml, type JunitCase } from './junit.js';
import type { StressViolation } from './stress-report.js';

const firing = (rules: Record<string, number>): string[] => Object.keys(rules).filter((k) => (rules[k] ?? 0) > 0);

export function writeStressJunit(path: string, scenario: string, strategy: string, result: StressResult, violation: StressViolation | null): void {
  const classname = `${classPart(scenario)}.${classPart(strategy)}`;
  const cases: JunitCase[] = result.records.map((r) => {
    const c: JunitCase = { name: `seed ${r.seed}`, classname, time: r.elapsedMs / 1000 };
    if (!hasAnyViolation(r.rules)) return c;
    const mine = violation !== null && violation.seed === r.seed;
    const text = mine && violation.report ? formatViolationReport(violation.report) : firing(r.rules).join(', ');
    c.failure = { message: firing(r.rules).join(' '), text };
    if (mine) c.systemOut = `failure file: ${violation.failureFile}\nreplay: ${violation.replay}`;
    return c;
  });
  const started = new Date(Date.now() - result.elapsedMs);
  try {
    writeFileSync(path, junitXml({ name: `epochlab stress ${scenario}`, timestamp: started, time: result.elapsedMs / 1000, cases }));
  } catch (err) {
    throw new BadInput('epochlab', '--junit', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

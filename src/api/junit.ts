/**
 * JUnit XML for `epochlab stress --junit FILE`: a <testsuites> root with
 * one <testsuite> (with its timestamp), one <testcase> per run, a
 * <failure> for a run with a violation, and the replay command in that
 * case's <system-out>. No dependency: a tiny escaping function is all it
 * needs.
 */

export interface JunitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time: number;
  failure?: { message: string; text: string };
  /** Shown by CI under the case: for a failure, the command that replays it. */
  systemOut?: string;
}

export interface JunitSuite {
  name: string;
  /** When the suite started (ISO 8601, as JUnit wants it: no time zone suffix). */
  timestamp: Date;
  /** Seconds. */
  time: number;
  cases: JunitCase[];
}

/** Escapes text for XML content and attribute values; drops characters XML 1.0 does not allow. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A JUnit class name part: a scenario name or file name without the dots that viewers read as packages. */
export const classPart = (name: string): string => name.replace(/[^A-Za-z0-9_-]+/g, '_');

const secs = (s: number): string => s.toFixed(3);
const isoLocal = (d: Date): string => d.toISOString().slice(0, 19);

function caseXml(c: JunitCase): string[] {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${secs(c.time)}"`;
  if (c.failure === undefined && c.systemOut === undefined) return [`${open}/>`];
  const lines = [`${open}>`];
  if (c.failure) lines.push(`      <failure message="${xmlEscape(c.failure.message)}" type="violation">${xmlEscape(c.failure.text)}</failure>`);
  if (c.systemOut !== undefined) lines.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}

export function junitXml(suite: JunitSuite): string {
  const failures = suite.cases.filter((c) => c.failure !== undefined).length;
  const counts = `tests="${suite.cases.length}" failures="${failures}" errors="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite.name)}" ${counts} time="${secs(suite.time)}">`,
    `  <testsuite name="${xmlEscape(suite.name)}" ${counts} skipped="0" time="${secs(suite.time)}" timestamp="${isoLocal(suite.timestamp)}">`,
    ...suite.cases.flatMap(caseXml),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

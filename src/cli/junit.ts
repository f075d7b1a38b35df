/**
 * A minimal JUnit XML writer for `epochlab stress --junit FILE`: one
 * <testsuite>, one <testcase> per run, a <failure> for a run with a
 * violation. No dependency: a tiny escaping function is all it needs.
 */

export interface JunitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time: number;
  failure?: { message: string; text: string };
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

const secs = (s: number): string => s.toFixed(3);

export function junitXml(suite: string, cases: JunitCase[], totalSeconds: number): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${secs(totalSeconds)}">`,
  ];
  for (const c of cases) {
    const open = `  <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${secs(c.time)}"`;
    if (c.failure === undefined) {
      lines.push(`${open}/>`);
    } else {
      lines.push(`${open}>`,
        `    <failure message="${xmlEscape(c.failure.message)}" type="violation">${xmlEscape(c.failure.text)}</failure>`,
        '  </testcase>');
    }
  }
  lines.push('</testsuite>', '');
  return lines.join('\n');
}

/**
 * The fuzzer's oracle for one CLI child process: a clean outcome is exit 0,
 * 1 or 2 within the time allowed, never a stack trace or an internal error;
 * exit 2 is exactly one line on stderr and nothing on stdout; exit 0 and 1
 * print a report on stdout.
 */

export interface ChildResult { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }

/** What is wrong with a child's outcome, or null when it is clean. */
export function outcomeProblem(r: ChildResult, timeoutMs: number): string | null {
  if (r.timedOut) return `no exit within ${timeoutMs} ms (a hang)`;
  if (r.signal !== null) return `ended by ${r.signal}`;
  if (r.status !== 0 && r.status !== 1 && r.status !== 2) return `exit ${String(r.status)}`;
  const all = `${r.stdout}\n${r.stderr}`;
  if (/^ {4}at /m.test(all)) return 'a stack trace';
  if (all.includes('internal error')) return 'an internal error';
  if (r.status === 2) {
    if (r.stdout !== '') return 'exit 2 with output on stdout';
    if (!/^[^\n]+\n$/.test(r.stderr)) return `exit 2 without exactly one line on stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  } else if (r.stdout === '') {
    return `exit ${r.status} with nothing on stdout`;
  }
  return null;
}


/**
 * Test helper: run a scenario object through the `epochlab` CLI as a child
 * process (as a user would), with fixture providers named by their file name
 * in test/fixtures/providers/ and resolved to the compiled module here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** <outDir>/: this file is <outDir>/test/support/cli-run.js. */
const OUT_DIR = new URL('../../', import.meta.url);
export const MAIN = fileURLToPath(new URL('src/cli/main.js', OUT_DIR));

/** The compiled fixture provider `name` (test/fixtures/providers/NAME.ts), as an absolute path. */
export function fixtureProvider(name: string): string {
  return fileURLToPath(new URL(`test/fixtures/providers/${name}.js`, OUT_DIR));
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The error spawnSync gave (a timeout), if any. */
  error: Error | undefined;
}

/** Runs `node main.js ARGS...`, at most `timeoutMs`. */
export function cli(args: string[], timeoutMs = 60_000): CliRun {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/** Writes `text` as FILE in a fresh temporary directory, runs `run FILE ARGS...`, removes the directory. */
export function runFile(fileName: string, text: string, args: string[] = [], timeoutMs = 60_000): CliRun {
  const dir = mkdtempSync(join(tmpdir(), 'epochlab-cli-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, text);
    return cli(['run', file, ...args], timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a scenario object with `--json` and parses the report (stdout must be one JSON document). */
export function runJson<R>(scenario: unknown, args: string[] = [], timeoutMs = 60_000): CliRun & { report: R } {
  const r = runFile('scenario.json', JSON.stringify(scenario, null, 2), ['--json', ...args], timeoutMs);
  if (r.error) throw r.error;
  let report: R;
  try {
    report = JSON.parse(r.stdout) as R;
  } catch {
    throw new Error(`no JSON report (exit ${String(r.status)}); stderr:\n${r.stderr}`);
  }
  return { ...r, report };
}

#!/usr/bin/env node
/**
 * The `epochlab` command. Exit codes: 0 run complete with no violation,
 * 1 violations (or an aborted run), 2 bad input (one line on stderr).
 * `epochlab --help` lists the commands; `epochlab COMMAND --help` one
 * command's options, defaults and environment variables (src/cli/help.ts).
 */
import { parseCli, type Command } from './args.js';
import { BadInput } from '../contract/bad-input.js';
import { VERSION } from '../api/version.js';
import { docOf } from './docs.js';
import { commandHelp, overviewHelp } from './help.js';
import { rulesCommand, scenariosCommand } from './catalog.js';
import { runCommand } from './run.js';
import { contractDiffCommand } from './contract-diff.js';
import { stressCommand } from './stress.js';
import { replayCommand } from './replay.js';
import { mutantsCommand } from './mutants-cmd.js';
import { lessonCommand } from './lesson.js';
import { exportCommand } from './export.js';
import { timelineCommand } from './timeline.js';
import { viewCommand } from './view.js';
import { benchCommand } from './bench.js';

function help(cmd: Extract<Command, { kind: 'help' }>): number {
  const doc = cmd.command === undefined ? undefined : docOf(cmd.command);
  console.log(doc ? commandHelp(doc) : overviewHelp());
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCli(argv, process.env);
  switch (cmd.kind) {
    case 'help':
      return help(cmd);
    case 'version':
      console.log(VERSION);
      return 0;
    case 'scenarios':
      return scenariosCommand(cmd);
    case 'rules':
      return rulesCommand(cmd);
    case 'run':
      return runCommand(cmd);
    case 'contract-diff':
      return contractDiffCommand(cmd);
    case 'stress':
      return stressCommand(cmd);
    case 'bench':
      return benchCommand(cmd);
    case 'replay':
      return replayCommand(cmd);
    case 'export':
      return exportCommand(cmd);
    case 'timeline':
      return timelineCommand(cmd);
    case 'view':
      return viewCommand(cmd);
    case 'mutants':
      return mutantsCommand(cmd);
    case 'lesson':
      return lessonCommand(cmd);
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

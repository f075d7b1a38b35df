/**
 * `epochlab timeline TRACE.jsonl [--from SEQ --to SEQ] [--cpus 0,1,m]`: the
 * terminal timeline (src/view/timeline.ts) on stdout. Colour only when
 * stdout is a terminal and NO_COLOR is unset (an empty NO_COLOR counts as
 * unset, like every variable here); a reader that stops early (`| head`)
 * ends the command quietly.
 */
import type { Command } from './args.js';
import { timeline } from '../view/timeline.js';

type TimelineCmd = Extract<Command, { kind: 'timeline' }>;

/** Colour: a terminal, and no NO_COLOR. */
export const wantsColour = (isTty: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean =>
  isTty === true && (env['NO_COLOR'] ?? '') === '';

export async function timelineCommand(cmd: TimelineCmd): Promise<number> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  await timeline(cmd.file, {
    ...(cmd.from !== undefined ? { from: cmd.from } : {}), ...(cmd.to !== undefined ? { to: cmd.to } : {}),
    lanes: cmd.lanes, json: cmd.json, colour: !cmd.json && wantsColour(process.stdout.isTTY, process.env),
    write: (chunk) => process.stdout.write(chunk),
  });
  return 0;
}

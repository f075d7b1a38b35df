/**
 * Reading a JSON Lines trace back (`--trace FILE`, `replay --trace`): one
 * event per line, streamed, so a long run's file is never held as text.
 * A line that is not an event is bad input naming the file and the line.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { BadInput } from '../contract/bad-input.js';
import type { TraceEvent } from '../trace/decode.js';

const isEvent = (x: unknown): x is TraceEvent => typeof x === 'object' && x !== null && !Array.isArray(x)
  && typeof (x as TraceEvent).seq === 'number' && typeof (x as TraceEvent).event === 'string' && typeof (x as TraceEvent).cpu === 'number';

/**
 * Calls `onEvent` for every event of the file, in file order, until it
 * returns false (the rest of the file is not read). Returns the lines read.
 */
export async function readTraceFile(path: string, onEvent: (e: TraceEvent) => void | boolean): Promise<number> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new BadInput(path, null, `cannot read trace file (${err.code ?? 'error'})`)));
  });
  await opened;
  try {
    return await readLines(path, stream, onEvent);
  } catch (err) {
    if (err instanceof BadInput) throw err;
    throw new BadInput(path, null, `cannot read trace file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function readLines(path: string, stream: ReadStream, onEvent: (e: TraceEvent) => void | boolean): Promise<number> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (err) {
      throw new BadInput(path, `line ${line}`, `invalid JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!isEvent(parsed)) throw new BadInput(path, `line ${line}`, 'not a trace event (an object with seq, cpu and event)');
    if (onEvent(parsed) === false) {
      stream.destroy();
      break;
    }
  }
  if (line === 0) throw new BadInput(path, null, 'empty trace file');
  return line;
}

/** Every event of a (small) trace file. */
export async function loadTraceFile(path: string): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  await readTraceFile(path, (e) => {
    events.push(e);
  });
  return events;
}

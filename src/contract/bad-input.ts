/**
 * BadInput: a user error in a scenario file or on the command line. Its
 * message is one line, `FILE: FIELD: problem` (or `FILE: problem` when the
 * whole file is at fault); the CLI prints it alone on stderr and exits 2.
 */
import { oneLine } from './safe-text.js';

const MAX_FILE = 300;
const MAX_FIELD = 200;
const MAX_PROBLEM = 600;

export class BadInput extends Error {
  /** The scenario file, `builtin:NAME`, or `epochlab` for command-line errors. */
  readonly file: string;
  /** A field path such as `threads[0].ops[3].key`, or null for the whole file. */
  readonly field: string | null;
  readonly problem: string;

  constructor(file: string, field: string | null, problem: string) {
    // One line whatever the parts hold: line breaks in the problem become
    // spaces; any control character left, in any part, is escaped.
    const text = oneLine(problem.replace(/\s*[\r\n]+\s*/g, ' ').trim(), MAX_PROBLEM);
    const safeFile = oneLine(file, MAX_FILE);
    const safeField = field === null ? null : oneLine(field, MAX_FIELD);
    super(safeField ? `${safeFile}: ${safeField}: ${text}` : `${safeFile}: ${text}`);
    this.name = 'BadInput';
    this.file = safeFile;
    this.field = safeField;
    this.problem = text;
  }
}

/**
 * BadInput: a user error in a scenario file or on the command line. Its
 * message is one line, `FILE: FIELD: problem` (or `FILE: problem` when the
 * whole file is at fault); the CLI prints it alone on stderr and exits 2.
 */

export class BadInput extends Error {
  /** The scenario file, `builtin:NAME`, or `epochlab` for command-line errors. */
  readonly file: string;
  /** A field path such as `threads[0].ops[3].key`, or null for the whole file. */
  readonly field: string | null;
  readonly problem: string;

  constructor(file: string, field: string | null, problem: string) {
    const oneLine = problem.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    super(field ? `${file}: ${field}: ${oneLine}` : `${file}: ${oneLine}`);
    this.name = 'BadInput';
    this.file = file;
    this.field = field;
    this.problem = oneLine;
  }
}

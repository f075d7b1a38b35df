/**
 * A live progress line for long commands (run, stress, mutants,
 * contract-diff). It is painted on stderr, and only when stderr is a
 * terminal: piped or redirected, nothing is written at all, so logs and
 * `--json` output stay clean. Each paint is a carriage return, the line (cut
 * to the terminal's width, so it never wraps) and clear-to-end-of-line;
 * `done()` leaves the last line on screen and ends it with a newline.
 */

/** What the line is written to: process.stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const CLEAR_TO_END = '\u001b[K';

export class ProgressLine {
  /** Whether anything will be painted (the stream is a terminal). */
  readonly live: boolean;
  private text = '';
  private painted = false;
  private lastPaint = -Infinity;

  constructor(private readonly stream: ProgressStream = process.stderr, private readonly everyMs = 100,
    private readonly now: () => number = () => performance.now()) {
    this.live = stream.isTTY === true;
  }

  /** Sets the line; repaints unless the last paint is under `everyMs` old (`force`: repaint anyway). */
  update(text: string, force = false): void {
    if (!this.live) return;
    this.text = text;
    const t = this.now();
    if (!force && t - this.lastPaint < this.everyMs) return;
    this.lastPaint = t;
    this.paint();
  }

  /** Paints the last line (or `text`) once more and moves to the next line; nothing if no line was ever set. */
  done(text?: string): void {
    if (!this.live) return;
    if (text !== undefined) this.text = text;
    if (this.text === '' && !this.painted) return;
    this.paint();
    this.stream.write('\n');
    this.painted = false;
    this.text = '';
  }

  private paint(): void {
    const width = (this.stream.columns ?? 0) - 1;
    const line = width > 0 && this.text.length > width ? this.text.slice(0, width) : this.text;
    this.stream.write(`\r${line}${CLEAR_TO_END}`);
    this.painted = true;
  }
}

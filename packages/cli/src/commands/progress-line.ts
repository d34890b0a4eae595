/** Where progress goes: standard error, or anything shaped like it. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * One line of progress redrawn in place, like "importing 12 collections… 5/12". It is
 * drawn only on a terminal: in a pipe or a log file every redraw would be a line of
 * its own, and the one-line summary the commands print says all of it.
 * @example const progress = new ProgressLine(process.stderr, 'importing', !quiet); progress.update(5, 12); progress.end();
 */
export class ProgressLine {
  readonly #stream: ProgressStream;
  readonly #verb: string;
  readonly #enabled: boolean;
  #drawn = false;

  constructor(stream: ProgressStream, verb: string, enabled = true) {
    this.#stream = stream;
    this.#verb = verb;
    this.#enabled = enabled && stream.isTTY === true;
  }

  /** Redraws the line with `done` of `total` collections. */
  update(done: number, total: number): void {
    if (!this.#enabled) return;
    this.#stream.write(`\r${this.#verb} ${countOf(total, 'collection')}… ${done}/${total}`);
    this.#drawn = true;
  }

  /** Erases the line, so that what is written next starts at the left margin. */
  end(): void {
    if (!this.#drawn) return;
    this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}

/** "1 collection", "12 collections". */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * A JSON Lines metrics log: one JSON object per line, each line written with a single
 * `write` on a file opened for appending, so a crash loses at most the line being written and
 * never interleaves half lines.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgumentError, describeValue } from '@contrastive/core';

/** An append-only JSONL file. */
export class MetricsLog {
  readonly path: string;
  #fd: number | null;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /**
   * Opens (creating directories and the file if needed) `path` for appending. Existing lines
   * are kept, so a resumed run continues the same log; readers should take the last record per
   * step.
   *
   * @example
   * ```ts
   * const log = MetricsLog.open('runs/simclr/metrics.jsonl');
   * log.write({ type: 'step', step: 1, loss: 5.2 });
   * log.close();
   * ```
   */
  static open(path: string): MetricsLog {
    if (typeof path !== 'string' || path.length === 0) {
      throw new ArgumentError(`MetricsLog.open: argument 'path' must be a file path, received ${describeValue(path)}`, {
        argument: 'path',
        expected: 'a file path',
        received: path,
      });
    }
    mkdirSync(dirname(path), { recursive: true });
    return new MetricsLog(path, openSync(path, 'a'));
  }

  /** Appends one record as one line. Non-finite numbers are written as `null` (JSON has no NaN). */
  write(record: Readonly<Record<string, unknown>>): void {
    if (this.#fd === null) throw new ArgumentError(`MetricsLog.write: the log ${this.path} is closed`, { argument: 'this' });
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    let done = 0;
    // One write call normally; a short write (rare, e.g. a full disk) finishes the line.
    while (done < line.byteLength) done += writeSync(this.#fd, line, done, line.byteLength - done);
  }

  /** Closes the file; later writes throw. */
  close(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
  }
}

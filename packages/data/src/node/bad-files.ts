/**
 * What a reader does with a file it cannot decode, and the record of the files it skipped.
 */
import { ArgumentError, describeValue } from '@contrastive/core';

/**
 * `'skip'`: leave the file out, count it, remember its name among the first few;
 * `'error'`: throw the {@link DataFormatError} that names the file.
 */
export type BadFilePolicy = 'skip' | 'error';

/** One skipped file and why. */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

/** The files skipped so far: how many, and the first few. */
export interface SkippedFilesReport {
  readonly count: number;
  /** The first `maxReported` of them, in the order they were met. */
  readonly first: readonly SkippedFile[];
}

/** Checks a {@link BadFilePolicy} option. */
export function assertBadFilePolicy(where: string, name: string, value: unknown): asserts value is BadFilePolicy {
  if (value !== 'skip' && value !== 'error') {
    throw new ArgumentError(`${where}: argument '${name}' must be 'skip' or 'error', received ${describeValue(value)}`, { argument: name, expected: "'skip' | 'error'", received: value });
  }
}

/** Counts skipped files once each and keeps the first `maxReported`. */
export class SkippedFiles {
  readonly #max: number;
  readonly #first: SkippedFile[] = [];
  #count = 0;

  constructor(maxReported: number) {
    this.#max = maxReported;
  }

  /** Records a skipped file. */
  record(file: string, reason: string): void {
    this.#count++;
    if (this.#first.length < this.#max) this.#first.push({ file, reason });
  }

  /** The report so far (a copy). */
  report(): SkippedFilesReport {
    return { count: this.#count, first: [...this.#first] };
  }
}

/**
 * A data file that exists but cannot be read (EACCES, EISDIR, EIO...) is a
 * {@link DataFormatError} naming the file, as the docs promise, not a raw file-system error.
 */
import { DataFormatError } from '@contrastive/core';

/** The error for a `what` file (e.g. `'CIFAR-10 batch'`) that could not be opened or read. */
export function unreadableFile(file: string, what: string, cause: unknown): DataFormatError {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : cause instanceof Error ? cause.message : String(cause);
  return new DataFormatError(`${file}: cannot read the ${what} file (${reason})`, file, undefined, { expected: 'a readable file', received: code ?? reason, cause });
}

/**
 * Typed errors of the data package. All are {@link DataFormatError}s from `@contrastive/core`
 * (code `DATA_FORMAT`), so a caller that handles "bad data" handles these too; the subclasses
 * say *which* check failed and carry the values a person needs to act on it.
 */
import { DataFormatError, type ErrorDetails } from '@contrastive/core';

/**
 * A downloaded file does not have the expected checksum (corrupted transfer, wrong mirror, or
 * a wrong `sha256`/`md5` option). Nothing is extracted or kept when this is thrown.
 */
export class ChecksumError extends DataFormatError {
  /** `'sha256'` or `'md5'`. */
  readonly algorithm: 'sha256' | 'md5';
  /** The expected digest, lower-case hex. */
  readonly expectedDigest: string;
  /** The digest of the bytes received, lower-case hex. */
  readonly actualDigest: string;

  constructor(file: string, algorithm: 'sha256' | 'md5', expectedDigest: string, actualDigest: string, details: ErrorDetails = {}) {
    super(
      `${file}: ${algorithm} mismatch: expected ${expectedDigest}, received ${actualDigest} (corrupted download or wrong mirror; nothing was kept)`,
      file,
      undefined,
      { expected: expectedDigest, received: actualDigest, ...details },
    );
    this.algorithm = algorithm;
    this.expectedDigest = expectedDigest;
    this.actualDigest = actualDigest;
  }
}

/**
 * An archive holds an entry that would be written outside the extraction directory
 * (`../` segments, an absolute path, a link pointing outside) or an entry type that a data
 * set never needs (device, FIFO). The whole archive is refused: nothing is extracted.
 */
export class UnsafeArchiveError extends DataFormatError {
  /** The offending entry's path as stored in the archive. */
  readonly entry: string;

  constructor(file: string, entry: string, reason: string, byteOffset?: number) {
    super(`${file}: refusing to extract archive: entry ${JSON.stringify(entry)} ${reason}`, file, byteOffset, {
      argument: 'entry',
      expected: 'a relative path inside the target directory',
      received: entry,
    });
    this.entry = entry;
  }
}

/**
 * A download failed: HTTP error status, connection reset, or fewer bytes than the server
 * announced (`byteOffset` is then the number of bytes received).
 */
export class DownloadError extends DataFormatError {
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(url: string, message: string, status?: number, byteOffset?: number, details: ErrorDetails = {}) {
    super(`${url}: download failed: ${message}`, url, byteOffset, details);
    this.status = status;
  }
}

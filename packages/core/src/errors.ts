/**
 * Typed errors shared by every package. Each error carries a machine-readable `code`, the
 * name of the offending argument where there is one, and the value received, so that a
 * caller can branch on `err.code` and a person reading the message sees what went wrong.
 *
 * @example
 * ```ts
 * try { ntXent(z1, z2, { temperature: 0 }); }
 * catch (e) { if (e instanceof ArgumentError) console.log(e.argument, e.received); }
 * ```
 */

/** Machine-readable error codes. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'BACKEND'
  | 'MEMORY_LIMIT'
  | 'CHECKPOINT'
  | 'DATA_FORMAT'
  | 'CONFIG'
  | 'DISPOSED'
  | 'NOT_IMPLEMENTED';

/** Fields every {@link ContrastiveError} may carry besides its message. */
export interface ErrorDetails {
  /** Name of the offending argument, e.g. `'temperature'` or `'options.scale'`. */
  readonly argument?: string;
  /** The value received (for tensors: a short description such as `Tensor[4,3] float32`). */
  readonly received?: unknown;
  /** What was expected, in words, e.g. `'a finite number > 0'`. */
  readonly expected?: string;
  /** The underlying error, if this one wraps another. */
  readonly cause?: unknown;
}

/** Base class of every error thrown by the contrastive packages. */
export class ContrastiveError extends Error {
  readonly code: ErrorCode;
  readonly argument: string | undefined;
  readonly received: unknown;
  readonly expected: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.argument = details.argument;
    this.received = details.received;
    this.expected = details.expected;
  }
}

/** An argument has a bad value (wrong type, out of range, not one of the allowed options). */
export class ArgumentError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('INVALID_ARGUMENT', message, details);
  }
}

/** A tensor argument has the wrong rank, shape or dtype, or two arguments disagree. */
export class ShapeError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('SHAPE_MISMATCH', message, details);
  }
}

/** A tensor or scalar holds NaN or ±Infinity where finite values are required. */
export class NonFiniteError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('NON_FINITE', message, details);
  }
}

/** The compute engine could not be set up or lacks something that is needed. */
export class BackendError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('BACKEND', message, details);
  }
}

/** A computation would exceed the engine's memory (e.g. the 4 GiB wasm heap). */
export class MemoryLimitError extends ContrastiveError {
  /** Bytes the computation was estimated (or observed) to need. */
  readonly requiredBytes: number;
  /** Bytes available under the limit. */
  readonly limitBytes: number;

  constructor(message: string, requiredBytes: number, limitBytes: number, details: ErrorDetails = {}) {
    super('MEMORY_LIMIT', message, details);
    this.requiredBytes = requiredBytes;
    this.limitBytes = limitBytes;
  }
}

/** A checkpoint is missing, corrupt, or does not match the model or configuration. */
export class CheckpointError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('CHECKPOINT', message, details);
  }
}

/** A data file is truncated or malformed. Carries the file and the byte offset. */
export class DataFormatError extends ContrastiveError {
  readonly file: string;
  readonly byteOffset: number | undefined;

  constructor(message: string, file: string, byteOffset?: number, details: ErrorDetails = {}) {
    super('DATA_FORMAT', message, details);
    this.file = file;
    this.byteOffset = byteOffset;
  }
}

/** A configuration file or object is invalid; `argument` holds the path of the bad key. */
export class ConfigError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('CONFIG', message, details);
  }
}

/**
 * An object was used after its `dispose()` (a strategy, a trainer): its tensors are gone.
 * `argument` names the method that was called.
 */
export class DisposedError extends ContrastiveError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('DISPOSED', message, details);
  }
}

/**
 * Memory estimates before allocating from user-given sizes. A queue of `size × dim` floats,
 * a dense layer of `inputDim × hiddenDim` weights, a network's parameters: each is checked
 * against the memory the process can still get before any engine is asked for it, and refused
 * with a {@link MemoryLimitError} (needed vs available, and which argument to lower) instead of
 * growing to many gigabytes and dying, or failing later with an engine's untyped
 * `RangeError: Invalid typed array length`.
 *
 * The limit is the smallest of: the memory available to the process (Node.js:
 * `process.availableMemory()`; elsewhere 2 GiB unless set), the largest typed array (one
 * tensor is one typed array, 2^32 - 1 bytes counted conservatively), and a budget set with
 * {@link setMemoryBudget} (e.g. the 4 GiB wasm heap, set by the backend).
 */
import { MemoryLimitError } from './errors.js';

/** One tensor is one typed array; V8's limit on its length, in bytes (conservative). */
export const MAX_TENSOR_BYTES = 2 ** 32 - 1;
const FALLBACK_AVAILABLE = 2 * 2 ** 30;

let budget: number | undefined;

/** Caps the bytes any single estimate may need (`undefined` removes the cap). */
export function setMemoryBudget(bytes: number | undefined): void {
  budget = bytes;
}

/** The bytes an allocation may take now: the available memory, capped by the budget. */
export function availableMemoryBytes(): number {
  const proc = (globalThis as { process?: { availableMemory?: () => number } }).process;
  const available = typeof proc?.availableMemory === 'function' ? proc.availableMemory() : FALLBACK_AVAILABLE;
  return Math.min(available, budget ?? Number.POSITIVE_INFINITY);
}

const gib = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** What an allocation is, for the message. */
export interface AllocationEstimate {
  /** What is allocated, e.g. `'the queue [size, dim] float32'`. */
  readonly what: string;
  /** Estimated bytes in all. */
  readonly bytes: number;
  /** Bytes of its largest single tensor (default `bytes`). */
  readonly largestTensorBytes?: number;
  /** The argument (or config key) to lower, e.g. `'options.size'`. */
  readonly argument: string;
  /** The value received for it. */
  readonly received: unknown;
}

/**
 * Throws a {@link MemoryLimitError} when `estimate` does not fit: more bytes than available,
 * or a single tensor larger than a typed array can be. Cheap (no allocation).
 *
 * @example
 * ```ts
 * assertAllocation('momentumQueue', { what: 'the queue [size, dim] float32', bytes: size * dim * 4, argument: 'options.size', received: size });
 * ```
 */
export function assertAllocation(where: string, estimate: AllocationEstimate): void {
  const available = availableMemoryBytes();
  const largest = estimate.largestTensorBytes ?? estimate.bytes;
  const tooBig = largest > MAX_TENSOR_BYTES;
  if (!tooBig && estimate.bytes <= available) return;
  const limit = tooBig ? MAX_TENSOR_BYTES : available;
  const needed = tooBig ? largest : estimate.bytes;
  throw new MemoryLimitError(
    `${where}: ${estimate.what} needs ${gib(needed)}, ${tooBig ? `more than one tensor can hold (${gib(MAX_TENSOR_BYTES)})` : `more than the ${gib(available)} available`}; lower '${estimate.argument}'`,
    needed,
    limit,
    { argument: estimate.argument, expected: `a size whose memory fits in ${gib(limit)}`, received: estimate.received },
  );
}

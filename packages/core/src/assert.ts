/**
 * Argument checks that name the argument, the expected value and the received value.
 * Every public function of every package validates its inputs with these helpers, so all
 * errors read alike: `ntXent: argument 'temperature' must be a finite number > 0, received 0`.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { describeValue, isTensorLike } from './describe-value.js';
import { ArgumentError, NonFiniteError, ShapeError } from './errors.js';

function fail(where: string, name: string, expected: string, received: unknown): never {
  throw new ArgumentError(`${where}: argument '${name}' must be ${expected}, received ${describeValue(received)}`, {
    argument: name,
    expected,
    received,
  });
}

/** A finite number (not NaN, not ±Infinity). */
export function assertFiniteNumber(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, name, 'a finite number', value);
}

/** A finite number strictly greater than zero. */
export function assertPositive(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(where, name, 'a finite number > 0', value);
}

/** A finite number greater than or equal to zero. */
export function assertNonNegative(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(where, name, 'a finite number >= 0', value);
}

/** An integer (safe) that is at least `min` (default 1). */
export function assertInteger(where: string, name: string, value: unknown, min = 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(where, name, `an integer >= ${min}`, value);
}

/** A probability: a finite number in [0, 1]. */
export function assertProbability(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) fail(where, name, 'a probability in [0, 1]', value);
}

/** A finite number in the closed interval [lo, hi]. */
export function assertInRange(where: string, name: string, value: unknown, lo: number, hi: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) fail(where, name, `a finite number in [${lo}, ${hi}]`, value);
}

/**
 * An ordered pair `[lo, hi]` of finite numbers with `lo <= hi`, each within `[min, max]`
 * (e.g. a crop scale range `(0.08, 1)`).
 */
export function assertRangePair(
  where: string,
  name: string,
  value: unknown,
  min = -Infinity,
  max = Infinity,
): asserts value is readonly [number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) &&
    (value[0] as number) <= (value[1] as number);
  if (!ok) fail(where, name, `a pair [lo, hi] of finite numbers with ${min} <= lo <= hi <= ${max}`, value);
}

/** One of a fixed set of string options. */
export function assertOneOf<T extends string>(where: string, name: string, value: unknown, options: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    fail(where, name, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, value);
  }
}

/** A tfjs tensor (any rank unless `rank` is given). */
export function assertTensor(where: string, name: string, value: unknown, rank?: number): asserts value is Tensor {
  if (!isTensorLike(value)) fail(where, name, rank === undefined ? 'a Tensor' : `a Tensor of rank ${rank}`, value);
  if ((value as { isDisposed?: boolean }).isDisposed === true) fail(where, name, 'a live (not disposed) Tensor', value);
  if (rank !== undefined && value.rank !== rank) {
    throw new ShapeError(`${where}: argument '${name}' must have rank ${rank}, received shape [${value.shape.join(',')}]`, {
      argument: name,
      expected: `rank ${rank}`,
      received: value,
    });
  }
}

/**
 * A tensor whose shape matches `shape`, where `null` in `shape` matches any size.
 * E.g. `assertShape('ntXent', 'z2', z2, [n, d])`.
 */
export function assertShape(where: string, name: string, value: unknown, shape: ReadonlyArray<number | null>): asserts value is Tensor {
  assertTensor(where, name, value, shape.length);
  const ok = shape.every((s, i) => s === null || value.shape[i] === s);
  if (!ok) {
    const want = `[${shape.map((s) => (s === null ? '*' : String(s))).join(',')}]`;
    throw new ShapeError(`${where}: argument '${name}' must have shape ${want}, received shape [${value.shape.join(',')}]`, {
      argument: name,
      expected: `shape ${want}`,
      received: value,
    });
  }
}

/** A floating-point tensor (float32). */
export function assertFloatTensor(where: string, name: string, value: unknown, rank?: number): asserts value is Tensor {
  assertTensor(where, name, value, rank);
  if (value.dtype !== 'float32') {
    throw new ShapeError(`${where}: argument '${name}' must have dtype float32, received ${describeValue(value)}`, {
      argument: name,
      expected: 'dtype float32',
      received: value,
    });
  }
}

/**
 * Every element of the tensor is finite. Reads the values synchronously, so use it on
 * inputs at API boundaries (and inside tests), not on every intermediate.
 */
export function assertFiniteTensor(where: string, name: string, value: Tensor): void {
  const data = value.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new NonFiniteError(
        `${where}: argument '${name}' must hold only finite values, found ${Number.isNaN(v) ? 'NaN' : v} at flat index ${i} of ${describeValue(value)}`,
        { argument: name, expected: 'finite values', received: value },
      );
    }
  }
}

/** A plain options object (or undefined). */
export function assertOptionsObject(where: string, name: string, value: unknown): asserts value is Record<string, unknown> | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    fail(where, name, 'an options object', value);
  }
}

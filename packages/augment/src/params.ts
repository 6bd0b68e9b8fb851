/**
 * Argument checks for the options and per-sample parameter arrays of the transforms.
 * Errors name the argument (`options.scale`, `params[3].sigma`), the expectation and the value.
 */
import { ArgumentError, ShapeError, assertAllocation, assertOptionsObject, describeValue } from '@contrastive/core';

/** Throws an {@link ArgumentError} naming `name`. */
export function fail(where: string, name: string, expected: string, received: unknown): never {
  throw new ArgumentError(`${where}: argument '${name}' must be ${expected}, received ${describeValue(received)}`, {
    argument: name,
    expected,
    received,
  });
}

/** Checks that `options` is a plain object (or undefined) and returns it as a record. */
export function optionsRecord(where: string, options: unknown): Record<string, unknown> {
  assertOptionsObject(where, 'options', options);
  return options ?? {};
}

/** An array with exactly one entry per sample in the batch. */
export function assertPerSample(where: string, name: string, value: unknown, batchSize: number): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) fail(where, name, `an array with one entry per sample (${batchSize})`, value);
  if (value.length !== batchSize) {
    throw new ShapeError(`${where}: argument '${name}' must have one entry per sample (${batchSize}), received ${value.length}`, {
      argument: name,
      expected: `length ${batchSize}`,
      received: value,
    });
  }
}

/** A per-sample array of booleans. */
export function assertFlags(where: string, name: string, value: unknown, batchSize: number): asserts value is readonly boolean[] {
  assertPerSample(where, name, value, batchSize);
  value.forEach((v, i) => {
    if (typeof v !== 'boolean') fail(where, `${name}[${i}]`, 'a boolean', v);
  });
}

/**
 * A per-sample numeric parameter: one number for the whole batch or one per sample, each
 * finite and accepted by `ok`. Returns one number per sample.
 */
export function perSampleNumbers(
  where: string,
  name: string,
  value: unknown,
  batchSize: number,
  expected: string,
  ok: (v: number) => boolean,
): number[] {
  const list = typeof value === 'number' ? new Array<number>(batchSize).fill(value) : value;
  if (!Array.isArray(list) && !(list instanceof Float32Array) && !(list instanceof Float64Array)) {
    fail(where, name, `a number or an array of ${batchSize} numbers`, value);
  }
  const arr = Array.from(list as ArrayLike<unknown>);
  if (arr.length !== batchSize) {
    throw new ShapeError(`${where}: argument '${name}' must have one entry per sample (${batchSize}), received ${arr.length}`, {
      argument: name,
      expected: `length ${batchSize}`,
      received: value,
    });
  }
  arr.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      fail(where, typeof value === 'number' ? name : `${name}[${i}]`, expected, v);
    }
  });
  return arr as number[];
}

/** Optional probability option with a default. */
export function probabilityOption(where: string, options: Record<string, unknown>, key: string, fallback: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(where, `options.${key}`, 'a probability in [0, 1]', v);
  return v;
}

/** An ordered pair `[lo, hi]` with `min <= lo <= hi <= max` (optionally `lo > minExclusive`). */
export function rangeOption(
  where: string,
  name: string,
  value: unknown,
  bounds: { readonly min?: number; readonly max?: number; readonly minExclusive?: number },
): readonly [number, number] {
  const { min = -Infinity, max = Infinity, minExclusive } = bounds;
  const lowText = minExclusive !== undefined ? `${minExclusive} < lo` : `${min} <= lo`;
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (minExclusive === undefined || v > minExclusive)) &&
    (value[0] as number) <= (value[1] as number);
  if (!ok) fail(where, name, `a pair [lo, hi] of finite numbers with ${lowText} <= hi <= ${max}`, value);
  return [value[0] as number, value[1] as number];
}

/** A size option: a positive integer (square) or a pair `[height, width]`. */
export function sizeOption(where: string, name: string, value: unknown): readonly [number, number] {
  const isDim = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  const fits = (h: number, w: number): readonly [number, number] => {
    // One output image (float32 RGB) must fit before any batch of them is computed.
    assertAllocation(where, { what: `one ${h}x${w} RGB float32 image`, bytes: h * w * 12, argument: name, received: value });
    return [h, w];
  };
  if (isDim(value)) return fits(value, value);
  if (Array.isArray(value) && value.length === 2 && isDim(value[0]) && isDim(value[1])) return fits(value[0], value[1]);
  return fail(where, name, 'a positive integer or a pair [height, width] of positive integers', value);
}

/** Rejects unknown option keys (catches typos such as `{ strenght: 0.5 }`). */
export function rejectUnknownKeys(where: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) fail(where, `options.${key}`, `one of the known options (${known.join(', ')})`, options[key]);
  }
}

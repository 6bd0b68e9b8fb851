/**
 * Options shared by the losses: the temperature, the published scalings of the loss, and
 * whether inputs are read back to check their values.
 */
import { ArgumentError, assertKnownKeys, assertNonNegative, assertOneOf, assertOptionsObject, assertPositive, describeValue } from '@contrastive/core';

/**
 * The smallest temperature accepted. Below it, float32 cosine similarities divided by the
 * temperature carry absolute errors above 1e-3 in the logits (a cosine has about 7 good
 * digits), and every logit but the nearest neighbour's underflows in the softmax.
 */
export const MIN_TEMPERATURE = 1e-4;

/**
 * A published scaling of a loss. The default, `'paper'`, is the papers' equations: the mean
 * over anchors (SimCLR eq. 1 with `L = 1/(2N) Σ ℓ`; SupCon eq. 2 / eq. 3 with no factor).
 *
 * - `'simclr-code'`: × 2. The official SimCLR code (`objective.py`) adds two cross-entropies,
 *   `loss_a + loss_b`, each a mean over the N anchors of one view, which is twice the mean over
 *   all 2N anchors.
 * - `{ baseTemperature }`: × `temperature / baseTemperature`, as in the SupContrast code
 *   (`loss = -(temperature / base_temperature) * mean_log_prob_pos`, `base_temperature = 0.07`
 *   there). It keeps the gradient's magnitude independent of the temperature.
 *
 * Only the value's scale changes; the minimiser does not.
 */
export type LossScale = 'paper' | 'simclr-code' | { readonly baseTemperature: number };

/** Options every loss accepts. */
export interface BaseLossOptions {
  /** Softmax temperature τ > 0 (logits are cosine / τ); at least {@link MIN_TEMPERATURE}. */
  readonly temperature: number;
  /**
   * Read the inputs back and reject NaN, ±Infinity and all-zero rows with a typed error
   * (default `true`). This is a synchronous download of the embeddings; switch it off only in
   * hot loops on engines where a download stalls the pipeline, once the inputs are known to be
   * sound. With it off, an all-zero row is treated as orthogonal to everything (it never
   * produces NaN) and non-finite values propagate, and a labels tensor (SupCon) is checked by
   * shape and dtype only: its values never leave the device. The strategies of
   * `@contrastive/strategies` turn it off unless their `validate` option is set.
   */
  readonly checkValues?: boolean;
}

/** Validates the options object and the temperature; returns the temperature. */
export function checkBaseOptions(where: string, options: unknown): { readonly temperature: number; readonly checkValues: boolean } {
  if (options === undefined) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object with a temperature, received undefined`, {
      argument: 'options',
      expected: 'an options object { temperature, ... }',
      received: options,
    });
  }
  assertOptionsObject(where, 'options', options);
  const o = options as Record<string, unknown>;
  const temperature = o['temperature'];
  assertPositive(where, 'options.temperature', temperature);
  if (temperature < MIN_TEMPERATURE) {
    const expected = `a finite number >= ${MIN_TEMPERATURE} (float32 limit)`;
    throw new ArgumentError(`${where}: argument 'options.temperature' must be ${expected}, received ${describeValue(temperature)}`, {
      argument: 'options.temperature',
      expected,
      received: temperature,
    });
  }
  const checkValues = o['checkValues'];
  if (checkValues !== undefined && typeof checkValues !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.checkValues' must be a boolean, received ${describeValue(checkValues)}`, {
      argument: 'options.checkValues',
      expected: 'a boolean',
      received: checkValues,
    });
  }
  return { temperature, checkValues: checkValues ?? true };
}

/** The factor a {@link LossScale} multiplies the loss by (validated; `undefined` is `'paper'`). */
export function scaleFactor(where: string, scale: unknown, temperature: number): number {
  if (scale === undefined || scale === 'paper') return 1;
  if (scale === 'simclr-code') return 2;
  if (typeof scale === 'object' && scale !== null && !Array.isArray(scale)) {
    const base = (scale as Record<string, unknown>)['baseTemperature'];
    assertPositive(where, 'options.scale.baseTemperature', base);
    return temperature / base;
  }
  const expected = `'paper', 'simclr-code' or { baseTemperature: number }`;
  throw new ArgumentError(`${where}: argument 'options.scale' must be ${expected}, received ${describeValue(scale)}`, {
    argument: 'options.scale',
    expected,
    received: scale,
  });
}

/** Validates a string option against its allowed values, defaulting when absent. */
export function oneOfOrDefault<T extends string>(where: string, name: string, value: unknown, options: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  assertOneOf(where, name, value, options);
  return value;
}

/** Validates an optional boolean option. */
export function booleanOrDefault(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ArgumentError(`${where}: argument '${name}' must be a boolean, received ${describeValue(value)}`, {
      argument: name,
      expected: 'a boolean',
      received: value,
    });
  }
  return value;
}

/**
 * Rejects option keys a loss does not know (a typo such as `{ lamda: 0.01 }` would otherwise
 * silently leave the default in place). Returns the options as a record (`{}` for `undefined`).
 */
export function knownOptions(where: string, options: unknown, known: readonly string[]): Readonly<Record<string, unknown>> {
  assertOptionsObject(where, 'options', options);
  assertKnownKeys(where, 'options', options, known);
  return (options ?? {}) as Record<string, unknown>;
}

/** A finite number >= 0 (`undefined` gives the default). */
export function nonNegativeOrDefault(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  assertNonNegative(where, name, value);
  return value;
}

/** A finite number > 0 (`undefined` gives the default). */
export function positiveOrDefault(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  assertPositive(where, name, value);
  return value;
}

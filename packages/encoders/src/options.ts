/**
 * Validation of the options every image encoder shares (input shape, seed, BatchNorm
 * hyperparameters), with typed errors naming the argument.
 *
 * @internal
 */
import { ArgumentError, describeValue } from '@contrastive/core';
import { resolveModuleOptions, type ModuleOptions } from '@contrastive/nn';

/** BatchNorm hyperparameters shared by every encoder and head (`bnMomentum`, `bnEpsilon`; see nn's `ModuleOptions`). */
export type BatchNormOptions = Omit<ModuleOptions, 'seed'>;

/** Options every image encoder accepts. */
export interface ImageEncoderOptions extends BatchNormOptions {
  /**
   * `[H, W, C]` of one input image. When given, `apply` checks all three; when omitted, any
   * height and width are accepted and C must be 3.
   */
  readonly inputShape?: readonly [number, number, number];
  /** Seed of the initial weights (default 0): same seed, same weights. */
  readonly seed?: number;
  /** Name for logs; defaults to a description such as `'resnet18-cifar'`. */
  readonly name?: string;
}

/** Normalised shared options. */
export interface ResolvedCommon {
  readonly inputShape: readonly [number | null, number | null, number];
  readonly seed: number;
  readonly bnMomentum: number;
  readonly bnEpsilon: number;
}

/** Checks `inputShape`, `seed`, `bnMomentum`, `bnEpsilon`, `name`. */
export function resolveImageOptions(where: string, options: ImageEncoderOptions): ResolvedCommon {
  const inputShape = options.inputShape;
  let shape: readonly [number | null, number | null, number] = [null, null, 3];
  if (inputShape !== undefined) {
    const ok = Array.isArray(inputShape) && inputShape.length === 3 && inputShape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1);
    if (!ok) {
      throw new ArgumentError(`${where}: argument 'options.inputShape' must be [height, width, channels] of positive integers, received ${describeValue(inputShape)}`, {
        argument: 'options.inputShape',
        expected: '[height, width, channels] of positive integers',
        received: inputShape,
      });
    }
    shape = [inputShape[0], inputShape[1], inputShape[2]];
  }
  return { inputShape: shape, ...resolveCommon(where, options) };
}

/** Checks `seed`, `bnMomentum`, `bnEpsilon`, `name`. */
export function resolveCommon(
  where: string,
  options: { readonly seed?: number; readonly bnMomentum?: number; readonly bnEpsilon?: number; readonly name?: string },
): { seed: number; bnMomentum: number; bnEpsilon: number } {
  const resolved = resolveModuleOptions(where, options);
  if (options.name !== undefined && (typeof options.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(options.name))) {
    throw new ArgumentError(`${where}: argument 'options.name' must be a non-empty string of letters, digits, '_', '.', '-', received ${describeValue(options.name)}`, {
      argument: 'options.name',
      expected: 'a non-empty string of [A-Za-z0-9_.-]',
      received: options.name,
    });
  }
  return resolved;
}

/** A list of positive integer widths, e.g. `hidden: [512, 256]`. */
export function assertWidths(where: string, name: string, value: unknown, minLength = 1): asserts value is readonly number[] {
  const ok = Array.isArray(value) && value.length >= minLength && value.every((w) => typeof w === 'number' && Number.isSafeInteger(w) && w >= 1);
  if (!ok) {
    throw new ArgumentError(`${where}: argument '${name}' must be a list of at least ${minLength} positive integers, received ${describeValue(value)}`, {
      argument: name,
      expected: `a list of >= ${minLength} positive integers`,
      received: value,
    });
  }
}

/**
 * Initial values of a fresh module, drawn from the project's seeded {@link Rng}: each
 * variable gets its own child stream (`rng.split()`), in declaration order, so the values of
 * one layer do not depend on how many values earlier layers drew.
 */
import { Rng } from '@contrastive/core';

/** How a variable is initialised (used only for fresh modules, never when loading). */
export type Init =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly bound: number };

/**
 * One variable of a module: its path inside the module (e.g. `'layer1.0.conv1.kernel'`), shape,
 * whether it is a parameter (trainable) or a buffer (e.g. a BatchNorm running average), and its
 * initialiser.
 */
export interface ParameterSpec {
  readonly path: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly init: Init;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Values for one initialiser. */
export function initialValues(init: Init, size: number, rng: Rng): Float32Array {
  switch (init.kind) {
    case 'zeros':
      return new Float32Array(size);
    case 'ones':
      return new Float32Array(size).fill(1);
    case 'normal':
      return rng.normalArray(size, 0, init.std);
    case 'uniform':
      return rng.uniformArray(size, -init.bound, init.bound);
  }
}

/** Initial values of every variable of a module, by path, in declaration order. */
export function initialiseParameters(specs: readonly ParameterSpec[], seed: number): Map<string, Float32Array> {
  const root = Rng.fromSeed(seed);
  const out = new Map<string, Float32Array>();
  for (const s of specs) {
    const child = root.split();
    out.set(s.path, initialValues(s.init, sizeOf(s.shape), child));
  }
  return out;
}

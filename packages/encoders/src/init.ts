/**
 * Initial values of a fresh network, drawn from the project's seeded {@link Rng}: each
 * variable gets its own child stream (`rng.split()`), so the values of one layer do not depend
 * on how many values earlier layers drew.
 *
 * @internal
 */
import { Rng } from '@contrastive/core';
import type { Init, VariableSpec } from './spec.js';

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

/** Initial values of every variable of a network, in declaration order. */
export function initialiseVariables(variables: readonly VariableSpec[], seed: number): Map<string, Float32Array> {
  const root = Rng.fromSeed(seed);
  const out = new Map<string, Float32Array>();
  for (const v of variables) {
    const child = root.split();
    out.set(v.name, initialValues(v.init, sizeOf(v.shape), child));
  }
  return out;
}

/**
 * Seeded values for the fuzz harness: the numbers, strings, objects and tensors a user (or an
 * adversary) can hand to a public function: edge numbers (0, -0, NaN, ±Infinity, 1e-30, 1e308,
 * huge sizes), wrong types, option objects with unknown keys, and small tensors of every dtype
 * and of random shapes, with NaN and infinities among their values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';

/** A seeded source of fuzz values. */
export class FuzzValues {
  readonly rng: Rng;
  /** Every tensor made for the current call (the runner disposes them after it). */
  readonly created: tf.Tensor[] = [];
  /** True once a non-finite value was put into a tensor of the current call (the runner resets it). */
  injectedNonFinite = false;
  /** True when the current call was asked not to check values (`checkValues: false`): non-finite inputs may pass, as documented. */
  valuesUnchecked = false;
  constructor(seed: number) {
    this.rng = Rng.fromSeed(seed);
  }

  #keep<T extends tf.Tensor>(t: T): T {
    this.created.push(t);
    return t;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.uniform() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A number: mostly plausible, often an edge case. */
  number(plausible: readonly number[] = [0.1, 0.5, 1, 2, 8]): number {
    if (this.chance(0.8)) return this.pick(plausible);
    return this.pick([0, -0, -1, 1, 0.5, 3.7, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, 1e-5, 1e308, 1e9, 1e10, 2 ** 31, -1e9, Number.MAX_SAFE_INTEGER, Number.EPSILON]);
  }

  /** Anything but a number. */
  notANumber(): unknown {
    return this.pick<unknown>([undefined, null, '1', 'abc', true, false, {}, [], [1, 2], () => 1, Symbol('s'), 10n]);
  }

  /** A value for an option: a number, a wrong type, or (rarely) a nested object. */
  option(plausible?: readonly number[]): unknown {
    if (this.chance(0.9)) return this.number(plausible);
    return this.chance(0.8) ? this.notANumber() : { nested: this.number() };
  }

  /** An options object over `keys` (each present with probability 0.6), sometimes with an unknown key or not an object at all. */
  options(keys: Readonly<Record<string, () => unknown>>): unknown {
    if (this.chance(0.05)) return this.notANumber();
    const out: Record<string, unknown> = {};
    for (const [k, make] of Object.entries(keys)) if (this.chance(0.6)) out[k] = make();
    if (this.chance(0.1)) out[this.pick(['temprature', 'sise', 'negatives', 'widht', 'extra'])] = 1;
    return out;
  }

  /** A small float32 tensor of `shape`, values uniform in [-1, 1], sometimes with NaN or ±Infinity. */
  floats(shape: number[], lo = -1, hi = 1): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = this.rng.uniformArray(n, lo, hi);
    if (n > 0 && this.chance(0.15)) {
      values[this.int(0, n - 1)] = this.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      this.injectedNonFinite = true;
    }
    return this.#keep(tf.tensor(values, shape, 'float32'));
  }

  /** A tensor of a random dtype and rank with small dimensions (0 included). */
  anyTensor(): tf.Tensor {
    const rank = this.int(0, 4);
    const shape = Array.from({ length: rank }, () => this.int(0, 4));
    const n = shape.reduce((a, b) => a * b, 1);
    const dtype = this.pick(['float32', 'float32', 'int32', 'bool'] as const);
    if (dtype === 'float32') return this.floats(shape);
    if (dtype === 'int32') return this.#keep(tf.tensor(Int32Array.from({ length: n }, () => this.int(-3, 12)), shape, 'int32'));
    return this.#keep(tf.tensor(Uint8Array.from({ length: n }, () => this.int(0, 1)), shape, 'bool'));
  }

  /** Registers a tensor made by a target for disposal after the call. */
  track<T extends tf.Tensor>(t: T): T {
    return this.#keep(t);
  }

  /** A `[rows, cols]` float32 matrix, or (sometimes) a tensor of another shape or dtype. */
  matrix(rows: number, cols: number): tf.Tensor {
    if (this.chance(0.15)) return this.anyTensor();
    return this.floats([rows, cols]);
  }
}

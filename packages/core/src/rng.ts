/**
 * A seeded, splittable random number generator: the only source of randomness in the
 * project. Same seed, same stream; `split()` derives an independent child stream (a
 * 2^64-step jump of xoroshiro128+, via `pure-rand`), so that e.g. augmentation and data
 * shuffling draw from separate streams and adding a draw to one does not shift the other.
 *
 * The state is a small array of 32-bit integers: {@link Rng.state} returns it and
 * {@link Rng.fromState} restores it, so checkpoints resume the exact stream.
 *
 * Randomness is passed explicitly (as in JAX/equinox): functions take an `Rng` argument
 * instead of reading a global.
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { assertInteger, assertFiniteNumber, assertProbability } from './assert.js';
import { ArgumentError } from './errors.js';
import { describeValue } from './describe-value.js';

/** Serializable state of an {@link Rng}. */
export interface RngState {
  readonly algorithm: 'xoroshiro128plus';
  readonly state: readonly number[];
  /** The second value of the last Box-Muller pair, if not yet used. */
  readonly spareNormal: number | null;
}

const TWO_POW_32 = 4294967296;

/** Seeded, splittable pseudo-random number generator (xoroshiro128+). */
export class Rng {
  #gen: JumpableRandomGenerator;
  #spareNormal: number | null = null;

  private constructor(gen: JumpableRandomGenerator) {
    this.#gen = gen;
  }

  /** A generator seeded with an integer. Same seed, same stream. */
  static fromSeed(seed: number): Rng {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new ArgumentError(`Rng.fromSeed: argument 'seed' must be a safe integer, received ${describeValue(seed)}`, {
        argument: 'seed',
        expected: 'a safe integer',
        received: seed,
      });
    }
    // pure-rand takes a 32-bit seed; fold the high bits in so large seeds stay distinct.
    const folded = (seed | 0) ^ Math.floor(seed / TWO_POW_32);
    return new Rng(xoroshiro128plus(folded));
  }

  /** Restores a generator from {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    const ok =
      typeof state === 'object' &&
      state !== null &&
      state.algorithm === 'xoroshiro128plus' &&
      Array.isArray(state.state) &&
      state.state.length === 4 &&
      state.state.every((v) => Number.isInteger(v)) &&
      (state.spareNormal === null || (typeof state.spareNormal === 'number' && Number.isFinite(state.spareNormal)));
    if (!ok) {
      throw new ArgumentError(`Rng.fromState: argument 'state' must be a state returned by Rng.state(), received ${describeValue(state)}`, {
        argument: 'state',
        expected: "{ algorithm: 'xoroshiro128plus', state: [4 integers], spareNormal }",
        received: state,
      });
    }
    const r = new Rng(xoroshiro128plusFromState(state.state));
    r.#spareNormal = state.spareNormal;
    return r;
  }

  /** The current state; pass it to {@link Rng.fromState} to continue the same stream. */
  state(): RngState {
    return { algorithm: 'xoroshiro128plus', state: [...this.#gen.getState()], spareNormal: this.#spareNormal };
  }

  /** An independent copy that will produce the same stream as this one from now on. */
  clone(): Rng {
    const r = new Rng(this.#gen.clone() as JumpableRandomGenerator);
    r.#spareNormal = this.#spareNormal;
    return r;
  }

  /**
   * An independent child stream. The child starts 2^64 steps ahead of this generator's
   * position; this generator then advances by one draw, so successive splits differ.
   */
  split(): Rng {
    const child = this.#gen.clone() as JumpableRandomGenerator;
    child.jump();
    // Re-seed the child from its own jumped position mixed with a draw of ours, so that
    // split().split() and split() twice give different streams.
    const salt = this.#gen.next();
    const mixed = child.getState().map((v, i) => (i === 0 ? (v ^ salt) | 0 : v));
    return new Rng(xoroshiro128plusFromState(mixed));
  }

  /** A raw 32-bit unsigned integer. */
  nextUint32(): number {
    return this.#gen.next() >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits of randomness. */
  next(): number {
    const hi = this.#gen.next() >>> 5; // 27 bits
    const lo = this.#gen.next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    assertFiniteNumber('Rng.uniform', 'lo', lo);
    assertFiniteNumber('Rng.uniform', 'hi', hi);
    if (hi < lo) throw new ArgumentError(`Rng.uniform: argument 'hi' must be >= lo (${lo}), received ${hi}`, { argument: 'hi', received: hi });
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hiExclusive). */
  int(lo: number, hiExclusive: number): number {
    assertInteger('Rng.int', 'lo', lo, Number.MIN_SAFE_INTEGER);
    assertInteger('Rng.int', 'hiExclusive', hiExclusive, lo + 1);
    return lo + Math.floor(this.next() * (hiExclusive - lo));
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    assertProbability('Rng.bernoulli', 'p', p);
    if (p === 0) return false;
    if (p === 1) return true;
    return this.next() < p;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== null) {
      const v = this.#spareNormal;
      this.#spareNormal = null;
      return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** A Float32Array of n uniform values in [lo, hi). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    assertInteger('Rng.uniformArray', 'n', n, 0);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }

  /** A Float32Array of n normal values. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    assertInteger('Rng.normalArray', 'n', n, 0);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    assertInteger('Rng.permutation', 'n', n, 0);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i] as number;
      out[i] = out[j] as number;
      out[j] = t;
    }
    return out;
  }

  /** A 31-bit seed for APIs that take one (e.g. tfjs initialisers). */
  seed(): number {
    return this.#gen.next() >>> 1;
  }
}

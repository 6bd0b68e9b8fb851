/**
 * Test helpers shared by the loss tests: engines, fixtures, tolerances, random matrices.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Rows } from '../src/reference.js';

/** The engines every fixture and gradient test runs on. */
export const ENGINES = ['cpu', 'wasm'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * One reference case from shared/fixtures/losses (float64, PyTorch; see its README). The second
 * set (`2NN_*.json`) keeps its hyper-parameters in `params` (`tau`, `lam`); `temperature` is
 * then absent except for `supcon_queue`.
 */
export interface Fixture {
  readonly file: string;
  readonly kind: 'nt_xent' | 'supcon_out' | 'supcon_in' | 'info_nce_queue' | 'neg_cosine' | 'barlow_twins' | 'vicreg' | 'dcl' | 'supcon_queue';
  readonly temperature: number;
  readonly params: Readonly<Record<string, number>>;
  readonly loss: number;
  readonly z1?: Rows;
  readonly z2?: Rows;
  readonly grad_z1?: Rows;
  readonly grad_z2?: Rows;
  readonly views?: readonly Rows[];
  readonly labels?: readonly number[] | null;
  readonly grad_views?: readonly Rows[];
  readonly q?: Rows;
  readonly k?: Rows;
  readonly queue?: Rows;
  readonly grad_q?: Rows;
  readonly p?: Rows;
  readonly z?: Rows;
  readonly grad_p?: Rows;
  readonly queue_labels?: readonly number[];
}

/** `shared/` sits beside the repository (CI places it there): <repo>/../shared/fixtures/losses. */
const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/losses/', import.meta.url));

export function loadFixtures(kind: Fixture['kind'] | readonly Fixture['kind'][]): Fixture[] {
  const kinds = typeof kind === 'string' ? [kind] : kind;
  const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();
  const all = files.map((file) => ({ file, ...(JSON.parse(readFileSync(FIXTURE_DIR + file, 'utf8')) as Omit<Fixture, 'file'>) }));
  const chosen = all.filter((f) => kinds.includes(f.kind));
  if (chosen.length === 0) throw new Error(`no fixtures of kind ${kinds.join(', ')} in ${FIXTURE_DIR}`);
  return chosen;
}

/** |actual - expected| <= rel · |expected|. */
export function expectRelClose(actual: number, expected: number, rel: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/**
 * Gradients to `rel` relative, entry by entry: `|a - e| <= rel · max(|e|, 5% of the largest
 * entry) + atol`. The floor at 5% of the largest entry is there because near-zero entries of a
 * float32 gradient carry absolute errors of about 1e-7 of the largest one (cancellation), which
 * no relative test of the entry itself can meet. `atol` (default 0) is for gradients that are
 * zero in exact arithmetic (d = 1, or L_in when every other view is a positive), where only
 * float32 noise of order ε/τ is left.
 */
export function expectGradClose(actual: ArrayLike<number>, expected: Rows, rel: number, atol = 0): void {
  const flat = expected.flat();
  expect(actual.length).toBe(flat.length);
  const largest = Math.max(...flat.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < flat.length; i++) {
    const e = flat[i] as number;
    const a = actual[i] as number;
    expect(Number.isFinite(a)).toBe(true);
    const excess = Math.abs(a - e) - atol;
    if (excess > 0) worst = Math.max(worst, excess / Math.max(Math.abs(e), 0.05 * largest));
  }
  expect(worst).toBeLessThanOrEqual(rel);
}

/**
 * float32 loss against a float64 value: `rel` relative, plus float32 rounding (8 ulps) of the
 * logits, of size 1/τ, and of the result, which is all that is left when the exact loss is a
 * closed form such as 0 or log(2N - 1).
 */
export function expectLossClose(actual: number, expected: number, temperature: number, rel = 1e-5): void {
  expect(Number.isFinite(actual)).toBe(true);
  const rounding = 8 * 2 ** -23 * (1 / temperature + Math.abs(expected));
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + rounding);
}

/**
 * `<grad z_i, z_i> = 0` for every row of every input, to float32 precision: the gradient of
 * a normalised loss is `(dy - y<y, dy>) / ‖z‖`, whose inner product with z cancels to about
 * ε·‖dy‖, so each row is compared with the largest scale-free gradient ‖g_j‖·‖z_j‖.
 */
export function expectOrthogonalGradients(inputs: readonly Rows[], grads: readonly Float32Array[]): void {
  const rows: { along: number; scale: number }[] = [];
  inputs.forEach((matrix, v) => {
    const d = (matrix[0] as readonly number[]).length;
    matrix.forEach((row, i) => {
      const g = Array.from((grads[v] as Float32Array).subarray(i * d, (i + 1) * d));
      rows.push({ along: row.reduce((s, x, c) => s + x * (g[c] as number), 0), scale: Math.hypot(...g) * Math.hypot(...row) });
    });
  });
  const largest = Math.max(...rows.map((r) => r.scale));
  for (const r of rows) expect(Math.abs(r.along)).toBeLessThanOrEqual(1e-5 * largest + 1e-30);
}

/** A tensor's rows as plain numbers. */
export function rowsOf(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

/** An [n, d] matrix of standard normal draws (times `scale`). */
export function randomRows(rng: Rng, n: number, d: number, scale = 1): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal() * scale));
}

/**
 * An [n, d] matrix of Gaussian directions with norms drawn log-uniformly in [0.5, 2]: rows away
 * from 0, where central finite differences stay accurate (their noise grows as 1/‖row‖).
 */
export function wellScaledRows(rng: Rng, n: number, d: number): number[][] {
  return Array.from({ length: n }, () => {
    let row = Array.from({ length: d }, () => rng.normal());
    let norm = Math.hypot(...row);
    while (norm < 1e-3) {
      row = Array.from({ length: d }, () => rng.normal());
      norm = Math.hypot(...row);
    }
    const target = 2 ** rng.uniform(-1, 1);
    return row.map((x) => (x / norm) * target);
  });
}

/** A random d×d rotation (orthogonal matrix) by Gram–Schmidt on Gaussian columns, float64. */
export function randomRotation(rng: Rng, d: number): number[][] {
  const basis: number[][] = [];
  while (basis.length < d) {
    let v = Array.from({ length: d }, () => rng.normal());
    for (const b of basis) {
      const p = v.reduce((s, x, i) => s + x * (b[i] as number), 0);
      v = v.map((x, i) => x - p * (b[i] as number));
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (norm > 1e-6) basis.push(v.map((x) => x / norm));
  }
  return basis;
}

/** rows · R (float64). */
export function multiply(rows: Rows, r: Rows): number[][] {
  return rows.map((row) => (r[0] as number[]).map((_, c) => row.reduce((s, x, k) => s + x * ((r[k] as number[])[c] as number), 0)));
}

/** Runs `f` and checks that it leaves no tensor behind beyond what it returns. */
export function expectNoLeak(f: () => tf.Tensor | tf.Tensor[] | void): void {
  const before = tf.memory().numTensors;
  const out = f();
  const returned = out === undefined ? [] : Array.isArray(out) ? out : [out];
  expect(tf.memory().numTensors).toBe(before + returned.length);
  tf.dispose(returned);
  expect(tf.memory().numTensors).toBe(before);
}

/** A scalar's value. */
export function valueOf(t: tf.Tensor): number {
  return t.dataSync()[0] as number;
}

/** Loss value and gradients with respect to `inputs`, all read back and disposed. */
export function lossAndGrads(f: (...xs: tf.Tensor2D[]) => tf.Scalar, inputs: readonly Rows[]): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const xs = inputs.map((m) => tf.tensor2d(m as number[][]));
    const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => f(...(a as tf.Tensor2D[])))(xs);
    return { loss: valueOf(value), grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

/** Evaluates a loss on plain matrices (tensors created and disposed inside). */
export function lossOf(f: (...xs: tf.Tensor2D[]) => tf.Scalar, inputs: readonly Rows[]): number {
  return tf.tidy(() => valueOf(f(...inputs.map((m) => tf.tensor2d(m as number[][])))));
}

/**
 * Runs `f`, expecting a typed error of class `type` that names `argument` (in its `argument`
 * field and its message) and, when `received` is given, carries that value.
 */
export function expectTypedError(f: () => unknown, type: new (...args: never[]) => Error, argument: string, ...received: [unknown?]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  const err = caught as { argument?: string; received?: unknown; message: string };
  expect(err.argument).toBe(argument);
  expect(err.message).toContain(`'${argument}'`);
  if (received.length > 0) expect(err.received).toBe(received[0]);
}

/**
 * The gradients of `f` with respect to every input, each input also kept on the tape by a zero
 * term, so that an input the loss treats as stop-gradient shows the gradient the loss sends it
 * (zero) instead of making tfjs reject it as unconnected.
 */
export function gradsThroughAll(f: (...xs: tf.Tensor2D[]) => tf.Scalar, inputs: readonly Rows[]): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map((m) => tf.tensor2d(m as number[][]));
    const g = tf.grads((...a: tf.Tensor[]) => tf.add(f(...(a as tf.Tensor2D[])), tf.mul(0, tf.addN(a.map((t) => tf.sum(t))))));
    return g(xs).map((t) => t.dataSync() as Float32Array);
  });
}

/**
 * The losses after each of `steps` plain SGD steps on free embeddings (variables made from
 * `inputs`, all trained), everything disposed: a loss that trains must bring them down.
 */
export function sgdLosses(f: (...xs: tf.Variable<tf.Rank.R2>[]) => tf.Scalar, inputs: readonly Rows[], learningRate: number, steps = 30): number[] {
  const vars = inputs.map((m) => tf.variable<tf.Rank.R2>(tf.tensor2d(m as number[][])));
  const optimizer = tf.train.sgd(learningRate);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const cost = optimizer.minimize(() => f(...vars), true, vars);
    losses.push(valueOf(cost!));
    cost!.dispose();
  }
  tf.dispose(vars);
  optimizer.dispose();
  return losses;
}

/**
 * The argument checks every loss of two `[N, D]` matrices shares, for `f(first, second)`: a
 * wider or shorter second matrix, a rank-1 or int32 first one (ShapeError), NaN in the second
 * and +Infinity in the first (NonFiniteError), each naming the argument (`names`) and carrying
 * the tensor received. `rows` (>= 2) and `dim` (>= 2) size the valid matrices.
 */
export function expectMatrixPairChecks(f: (a: tf.Tensor2D, b: tf.Tensor2D) => unknown, names: readonly [string, string], rows = 4, dim = 3): void {
  const rng = Rng.fromSeed(17);
  const valid = randomRows(rng, rows, dim);
  tf.tidy(() => {
    const [first, second] = names;
    const a = tf.tensor2d(valid);
    const wide = tf.tensor2d(randomRows(rng, rows, dim + 2));
    expectTypedError(() => f(a, wide), ShapeError, second, wide);
    const short = tf.tensor2d(randomRows(rng, rows - 1, dim));
    expectTypedError(() => f(a, short), ShapeError, second, short);
    const flat = tf.tensor1d(valid[0]!);
    expectTypedError(() => f(flat as never, a), ShapeError, first, flat);
    const ints = tf.tensor2d(valid.map((r) => r.map(Math.round)), [rows, dim], 'int32');
    expectTypedError(() => f(ints, ints), ShapeError, first, ints);
    const withNaN = tf.tensor2d(valid.map((r, i) => (i === 1 ? r.map((x, j) => (j === 1 ? Number.NaN : x)) : r)));
    expectTypedError(() => f(a, withNaN), NonFiniteError, second, withNaN);
    const withInf = tf.tensor2d(valid.map((r, i) => (i === rows - 1 ? r.map((x, j) => (j === 0 ? Number.POSITIVE_INFINITY : x)) : r)));
    expectTypedError(() => f(withInf, a), NonFiniteError, first, withInf);
  });
}

/**
 * Two `[n, d]` matrices of arbitrary finite float32 values (any magnitude, subnormals and zeros
 * included), n in [minRows, maxRows], d in [1, maxDim].
 */
export function finiteMatrixPair(minRows: number, maxRows: number, maxDim: number): fc.Arbitrary<[number[][], number[][]]> {
  const value = fc.float({ min: Math.fround(-3.4e38), max: Math.fround(3.4e38), noNaN: true, noDefaultInfinity: true });
  const rows = (n: number, d: number) => fc.array(fc.array(value, { minLength: d, maxLength: d }), { minLength: n, maxLength: n });
  return fc.record({ n: fc.integer({ min: minRows, max: maxRows }), d: fc.integer({ min: 1, max: maxDim }) }).chain(({ n, d }) => fc.tuple(rows(n, d), rows(n, d)));
}

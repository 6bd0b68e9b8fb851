// The native training-BatchNorm kernels against a float64 loop reference (fast-check): forward
// output and statistics, and the three gradients, with and without gamma/beta and the fused ReLU.
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { startOnednn } from '../../test/onednn-harness.js';
import { initBackend } from '../node/init-backend.js';
import { BATCH_NORM_KERNELS } from './batch-norm-kernels.js';

const { addon, reason } = await startOnednn();

/** float64 reference: forward and backward of training BatchNorm over the last axis. */
function reference(x: Float32Array, dy: Float32Array, c: number, gamma: Float32Array | null, beta: Float32Array | null, eps: number, relu: boolean) {
  const m = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c]! += (x[i] as number) / m;
  for (let i = 0; i < x.length; i++) variance[i % c]! += ((x[i] as number) - (mean[i % c] as number)) ** 2 / m;
  const y = new Float64Array(x.length);
  const xhat = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % c;
    xhat[i] = ((x[i] as number) - (mean[ch] as number)) / Math.sqrt((variance[ch] as number) + eps);
    const v = (xhat[i] as number) * (gamma?.[ch] ?? 1) + (beta?.[ch] ?? 0);
    y[i] = relu ? Math.max(0, v) : v;
  }
  const g = Float64Array.from(dy, (d, i) => (relu && (y[i] as number) <= 0 ? 0 : d));
  const dbeta = new Float64Array(c);
  const dgamma = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    dbeta[i % c]! += g[i] as number;
    dgamma[i % c]! += (g[i] as number) * (xhat[i] as number);
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % c;
    const k = (gamma?.[ch] ?? 1) / Math.sqrt((variance[ch] as number) + eps);
    dx[i] = k * ((g[i] as number) - ((xhat[i] as number) * (dgamma[ch] as number)) / m - (dbeta[ch] as number) / m);
  }
  return { y, mean, variance, dx, dgamma, dbeta };
}

/** Largest |got - want| / (1 + |want|): the per-element criterion of nn's BatchNorm tests. */
const relErr = (got: ArrayLike<number>, want: ArrayLike<number>): number => {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)) / (1 + Math.abs(want[i] as number)));
  return worst;
};

interface Case {
  readonly shape: number[];
  readonly affine: boolean;
  readonly relu: boolean;
  readonly offset: number;
  readonly seed: number;
}
const caseArb: fc.Arbitrary<Case> = fc.record({
  shape: fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 33 })).map((t) => [...t]),
    fc.tuple(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 70 })).map((t) => [...t]),
  ),
  affine: fc.boolean(),
  relu: fc.boolean(),
  offset: fc.constantFrom(0, 3, -50),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).filter((r) => r.shape.reduce((a, b) => a * b, 1) / (r.shape.at(-1) as number) >= 2);

function run(r: Case): number {
  const rng = Rng.fromSeed(r.seed);
  const size = r.shape.reduce((a, b) => a * b, 1);
  const c = r.shape.at(-1) as number;
  const xData = Float32Array.from(rng.normalArray(size), (v) => v * 2 + r.offset);
  const dyData = rng.normalArray(size);
  const gammaData = r.affine ? rng.normalArray(c) : null;
  const betaData = r.affine ? rng.normalArray(c) : null;
  const want = reference(xData, dyData, c, gammaData, betaData, 1e-3, r.relu);
  const before = tf.memory().numTensors;
  const errors = tf.tidy(() => {
    const x = tf.tensor(xData, r.shape);
    const inputs: Record<string, tf.Tensor> = { x };
    if (gammaData !== null && betaData !== null) {
      inputs['gamma'] = tf.tensor1d(gammaData);
      inputs['beta'] = tf.tensor1d(betaData);
    }
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_KERNELS.forward, inputs, { epsilon: 1e-3, relu: r.relu } as never) as tf.Tensor[];
    const backIn: Record<string, tf.Tensor> = { dy: tf.tensor(dyData, r.shape), x, mean: mean!, variance: variance! };
    if (inputs['gamma'] !== undefined) backIn['gamma'] = inputs['gamma'];
    if (r.relu) backIn['y'] = y!;
    const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_KERNELS.backward, backIn, { epsilon: 1e-3 } as never) as tf.Tensor[];
    // dgamma sums products of two O(1) terms over every row: 10x the tolerance, as nn's tests allow.
    return [
      relErr(y!.dataSync(), want.y),
      relErr(mean!.dataSync(), want.mean),
      relErr(variance!.dataSync(), want.variance),
      relErr(dx!.dataSync(), want.dx),
      relErr(dgamma!.dataSync(), want.dgamma) / 10,
      relErr(dbeta!.dataSync(), want.dbeta),
    ];
  });
  expect(tf.memory().numTensors).toBe(before);
  return Math.max(...errors);
}

if (addon === null) {
  describe('native BatchNorm kernels', () => {
    it(`are not registered without the addon (${reason}): nn's BatchNorm composes stock kernels`, async () => {
      await initBackend({ prefer: 'wasm' });
      expect(tf.getKernel(BATCH_NORM_KERNELS.forward, 'wasm')).toBe(undefined);
    });
  });
} else {
  await initBackend({ prefer: 'wasm+onednn' });
  const cases = fc.sample(caseArb, { seed: 11, numRuns: 30 });
  const worst = Math.max(...cases.map(run));
  describe('native BatchNorm kernels (wasm+onednn)', () => {
    it(`forward (y, mean, variance) and backward (dx, dgamma, dbeta) equal the float64 reference on ${cases.length} random cases (max rel err ${worst.toExponential(1)})`, () => {
      expect(worst).toBeLessThan(1e-4);
      expect(cases.some((r) => r.relu) && cases.some((r) => !r.affine)).toBe(true);
    });
    it('equal it on any case (fast-check property)', () => {
      fc.assert(fc.property(caseArb, (r) => run(r) < 1e-4), { numRuns: 40 });
    });
    it('are registered only while wasm+onednn is the engine', async () => {
      await initBackend({ prefer: 'wasm' });
      expect(tf.getKernel(BATCH_NORM_KERNELS.forward, 'wasm')).toBe(undefined);
      await initBackend({ prefer: 'wasm+onednn' });
      expect(tf.getKernel(BATCH_NORM_KERNELS.forward, 'wasm')).not.toBe(undefined);
    });
    it('name a bad input in a BackendError', () => {
      const x = tf.tensor2d([[1, 2], [3, 4]]);
      expect(() => tf.engine().runKernel(BATCH_NORM_KERNELS.forward, { x, gamma: tf.tensor1d([1, 2, 3]) }, { epsilon: 1e-3, relu: false } as never)).toThrow(/gamma must have 2 values/);
    });
  });
}

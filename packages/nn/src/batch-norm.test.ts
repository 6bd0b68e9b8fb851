import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type EngineName } from '@contrastive/backend';
import { ShapeError } from '@contrastive/core';
import { batchNorm, type BatchNormMode, type BatchNormVariables } from './batch-norm.js';

// wasm+onednn runs training BatchNorm through the backend's native kernels (where the addon loads;
// CI requires it): the same reference tests apply.
const withOnednn = (await initBackend({ prefer: ['wasm+onednn', 'wasm'] })).engine === 'wasm+onednn';
if (process.env['CONTRASTIVE_REQUIRE_ONEDNN'] === '1' && !withOnednn) throw new Error('CONTRASTIVE_REQUIRE_ONEDNN=1 but wasm+onednn did not start');
const ENGINES_UNDER_TEST: readonly EngineName[] = ['cpu', 'wasm', ...(withOnednn ? (['wasm+onednn'] as const) : [])];

const f32 = (lo: number, hi: number) => fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true, noDefaultInfinity: true });

/** A BatchNorm case: x is [M, C] flattened from shape, plus parameters and an upstream gradient. */
const bnCase = fc
  .record({
    b: fc.integer({ min: 1, max: 4 }),
    h: fc.integer({ min: 1, max: 3 }),
    w: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 4 }),
    rank4: fc.boolean(),
  })
  .filter((s) => s.b * (s.rank4 ? s.h * s.w : 1) >= 2)
  .chain((s) => {
    const shape = s.rank4 ? [s.b, s.h, s.w, s.c] : [s.b, s.c];
    const n = shape.reduce((a, q) => a * q, 1);
    const vec = (lo: number, hi: number, len: number) => fc.array(f32(lo, hi), { minLength: len, maxLength: len });
    return fc.record({
      shape: fc.constant(shape),
      x: vec(-3, 3, n),
      dy: vec(-1, 1, n),
      gamma: vec(-2, 2, s.c),
      beta: vec(-2, 2, s.c),
      rm: vec(-1, 1, s.c),
      rv: vec(0.1, 3, s.c),
      momentum: f32(0, 1),
      eps: fc.constantFrom(1e-5, 1e-3, 0.1),
    });
  });

type Case = { shape: number[]; x: number[]; dy: number[]; gamma: number[]; beta: number[]; rm: number[]; rv: number[]; momentum: number; eps: number };

/**
 * Naive loop reference (float64): Ioffe & Szegedy 2015, Algorithm 1 (+ running averages as in
 * PyTorch, unbiased variance) and the backward pass from their Sec. 3.
 */
function reference(c: Case, mode: 'batch' | 'running', relu = false) {
  const C = c.gamma.length;
  const M = c.x.length / C;
  const mean = new Array<number>(C).fill(0);
  const varB = new Array<number>(C).fill(0);
  for (let j = 0; j < C; j++) {
    for (let i = 0; i < M; i++) mean[j]! += c.x[i * C + j]! / M;
    for (let i = 0; i < M; i++) varB[j]! += (c.x[i * C + j]! - mean[j]!) ** 2 / M;
  }
  const mu = mode === 'batch' ? mean : c.rm;
  const sigma2 = mode === 'batch' ? varB : c.rv;
  const y = new Array<number>(c.x.length);
  const xhat = new Array<number>(c.x.length);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < C; j++) {
      xhat[i * C + j] = (c.x[i * C + j]! - mu[j]!) / Math.sqrt(sigma2[j]! + c.eps);
      y[i * C + j] = c.gamma[j]! * xhat[i * C + j]! + c.beta[j]!;
    }
  // A fused ReLU passes the upstream gradient where its input was positive (relu'(0) = 0, as tfjs).
  const g = c.dy.map((d, i) => (relu && !(y[i]! > 0) ? 0 : d));
  if (relu) for (let i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]!);
  const rm = c.rm.map((r, j) => (mode === 'batch' ? (1 - c.momentum) * r + c.momentum * mean[j]! : r));
  const rv = c.rv.map((r, j) => (mode === 'batch' ? (1 - c.momentum) * r + (c.momentum * varB[j]! * M) / (M - 1) : r));
  // Gradients of L = sum(dy * y), through the ReLU when fused.
  const dgamma = new Array<number>(C).fill(0);
  const dbeta = new Array<number>(C).fill(0);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < C; j++) {
      dgamma[j]! += g[i * C + j]! * xhat[i * C + j]!;
      dbeta[j]! += g[i * C + j]!;
    }
  const dx = new Array<number>(c.x.length);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < C; j++) {
      const k = c.gamma[j]! / Math.sqrt(sigma2[j]! + c.eps);
      dx[i * C + j] = mode === 'batch' ? k * (g[i * C + j]! - dbeta[j]! / M - (xhat[i * C + j]! * dgamma[j]!) / M) : k * g[i * C + j]!;
    }
  return { y, rm, rv, dx, dgamma, dbeta };
}

function variables(c: Case): BatchNormVariables {
  return {
    gamma: tf.variable(tf.tensor1d(c.gamma)),
    beta: tf.variable(tf.tensor1d(c.beta)),
    movingMean: tf.variable(tf.tensor1d(c.rm), false),
    movingVariance: tf.variable(tf.tensor1d(c.rv), false),
  };
}

function disposeVariables(v: BatchNormVariables): void {
  tf.dispose([v.gamma!, v.beta!, v.movingMean, v.movingVariance]);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] as number;
    expect(Math.abs((actual[i] as number) - e)).toBeLessThanOrEqual(tol * (1 + Math.abs(e)));
  }
}

/** Gradients of L = sum(dy * batchNorm(x)) with respect to x, gamma and beta. */
function gradients(c: Case, mode: BatchNormMode, relu = false) {
  const x = tf.tensor(c.x, c.shape);
  const dy = tf.tensor(c.dy, c.shape);
  const v = variables(c);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(batchNorm(x, v, mode, c.momentum, c.eps, 'test', 'bn', relu), dy)) as tf.Scalar, [v.gamma!, v.beta!]);
  const dgamma = grads[v.gamma!.name]!.dataSync();
  const dbeta = grads[v.beta!.name]!.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
  disposeVariables(v);
  const v2 = variables(c);
  const dxT = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(batchNorm(xx, v2, mode, c.momentum, c.eps, 'test', 'bn', relu), dy)))(x);
  const dx = dxT.dataSync();
  tf.dispose([x, dy, dxT]);
  disposeVariables(v2);
  return { dx, dgamma, dbeta };
}

describe.each(ENGINES_UNDER_TEST)('batchNorm on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it(engine === 'wasm+onednn' ? 'training mode runs the native kernels' : 'training mode composes stock kernels', async () => {
    const x = tf.randomNormal([4, 3, 3, 5], 0, 1, 'float32', 1);
    const v = variables({ shape: [1, 5], x: [], dy: [], gamma: [1, 2, 3, 4, 5], beta: [0, 0, 0, 0, 0], rm: [0, 0, 0, 0, 0], rv: [1, 1, 1, 1, 1], momentum: 0.1, eps: 1e-3 });
    const info = await tf.profile(() => tf.tidy(() => tf.variableGrads(() => tf.sum(batchNorm(x, v, 'batch', 0.1, 1e-3, 'test', 'bn', true)) as tf.Scalar, [v.gamma!]).value));
    const names = info.kernels.map((k) => k.name);
    expect(names.includes('ContrastiveBatchNormTrain')).toBe(engine === 'wasm+onednn');
    expect(names.includes('ContrastiveBatchNormGrad')).toBe(engine === 'wasm+onednn');
    tf.dispose([x, info.result as tf.Tensor]);
    disposeVariables(v);
  });

  it('training mode normalises with batch statistics (loop reference)', () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        const v = variables(c);
        const x = tf.tensor(c.x, c.shape);
        const y = batchNorm(x, v, 'batch', c.momentum, c.eps, 'test', 'bn');
        const ref = reference(c, 'batch');
        expectClose(y.dataSync(), ref.y, 2e-3);
        expectClose(v.movingMean.dataSync(), ref.rm, 1e-4);
        expectClose(v.movingVariance.dataSync(), ref.rv, 1e-4);
        tf.dispose([x, y]);
        disposeVariables(v);
      }),
      { numRuns: 30 },
    );
  });

  it('training-mode gradients match the analytic BatchNorm backward pass', () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        const got = gradients(c, 'batch');
        const ref = reference(c, 'batch');
        // dx involves (dy - mean(dy) - xhat * mean(dy * xhat)) / sigma: float32 cancellation when
        // sigma is tiny, so compare relative to the size of gamma / sigma.
        const scale = Math.max(1, ...c.gamma.map((g) => Math.abs(g) / Math.sqrt(c.eps)));
        expectClose(got.dgamma, ref.dgamma, 2e-3);
        expectClose(got.dbeta, ref.dbeta, 1e-4);
        expectClose(got.dx, ref.dx, 2e-4 * scale);
      }),
      { numRuns: 20 },
    );
  });

  it("'running' and 'inference' modes normalise with the running averages and leave them unchanged", () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        const ref = reference(c, 'running');
        for (const mode of ['running', 'inference'] as const) {
          const v = variables(c);
          const x = tf.tensor(c.x, c.shape);
          const y = batchNorm(x, v, mode, c.momentum, c.eps, 'test', 'bn');
          expectClose(y.dataSync(), ref.y, 1e-4);
          expect(Array.from(v.movingMean.dataSync())).toEqual(Array.from(new Float32Array(c.rm)));
          expect(Array.from(v.movingVariance.dataSync())).toEqual(Array.from(new Float32Array(c.rv)));
          tf.dispose([x, y]);
          disposeVariables(v);
        }
        const got = gradients(c, 'running');
        expectClose(got.dx, ref.dx, 1e-4);
        expectClose(got.dgamma, ref.dgamma, 1e-3);
      }),
      { numRuns: 20 },
    );
  });

  it('with a fused ReLU: output and gradients match the loop reference in every mode', () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        for (const mode of ['batch', 'running'] as const) {
          const ref = reference(c, mode, true);
          const v = variables(c);
          const x = tf.tensor(c.x, c.shape);
          const y = batchNorm(x, v, mode, c.momentum, c.eps, 'test', 'bn', true);
          expectClose(y.dataSync(), ref.y, 2e-3);
          tf.dispose([x, y]);
          disposeVariables(v);
          // Where an output sits within float32 noise of 0 the ReLU mask may differ from float64's.
          const near0 = ref.y.some((_, i) => Math.abs(reference(c, mode).y[i]!) < 1e-3);
          if (near0) continue;
          const got = gradients(c, mode, true);
          const scale = Math.max(1, ...c.gamma.map((gm) => Math.abs(gm) / Math.sqrt(c.eps)));
          expectClose(got.dgamma, ref.dgamma, 2e-3);
          expectClose(got.dbeta, ref.dbeta, 1e-4);
          expectClose(got.dx, ref.dx, 2e-4 * scale);
        }
      }),
      { numRuns: 20 },
    );
    if (engine !== 'cpu') {
      // inference mode + ReLU too
      const c: Case = { shape: [2, 3], x: [1, -2, 3, 0.5, 4, -1], dy: [0, 0, 0, 0, 0, 0], gamma: [1, -2, 0.5], beta: [0, 1, -1], rm: [0.5, 0, 1], rv: [1, 2, 0.5], momentum: 0.1, eps: 1e-3 };
      const v = variables(c);
      const x = tf.tensor(c.x, c.shape);
      const y = batchNorm(x, v, 'inference', 0.1, c.eps, 'test', 'bn', true);
      expectClose(y.dataSync(), reference(c, 'running', true).y, 1e-5);
      tf.dispose([x, y]);
      disposeVariables(v);
    }
  });

  it('a training pass keeps fewer bytes alive for its gradient than the same formula as broadcast arithmetic', async () => {
    // The tape holds each recorded op's output and its gradient until the backward pass ends; the
    // custom-gradient node holds x and its output only.
    const x = tf.randomNormal([8, 16, 16, 32], 0, 1, 'float32', 3);
    const v = variables({ shape: [1, 32], x: [], dy: [], gamma: new Array(32).fill(1.5), beta: new Array(32).fill(0.1), rm: new Array(32).fill(0), rv: new Array(32).fill(1), momentum: 0.1, eps: 1e-5 });
    const broadcast = (t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      const scale = tf.mul(v.gamma!, tf.rsqrt(tf.add(variance, 1e-5)));
      return tf.relu(tf.add(tf.mul(t, scale), tf.sub(v.beta!, tf.mul(mean, scale))));
    };
    // tf.profile's peakBytes: the most tensor bytes alive after any kernel of the call (one call at a time).
    // (tfjs returns the same profile object from every call: copy the fields out.)
    const peak = async (f: (t: tf.Tensor) => tf.Tensor) => {
      const info = await tf.profile(() => tf.tidy(() => tf.variableGrads(() => tf.sum(f(x)) as tf.Scalar, [v.gamma!, v.beta!]).grads[v.gamma!.name]!));
      return { peakBytes: info.peakBytes, result: info.result };
    };
    const fused = await peak((t) => batchNorm(t, v, 'batch', 0.1, 1e-5, 'test', 'bn', true));
    const plain = await peak(broadcast);
    const activation = x.size * 4;
    // Measured: 10.1 vs 15.0 activation sizes on cpu and on wasm.
    expect(plain.peakBytes - fused.peakBytes).toBeGreaterThanOrEqual(4 * activation);
    expectClose((fused.result as tf.Tensor).dataSync(), (plain.result as tf.Tensor).dataSync(), 1e-3);
    tf.dispose([x, fused.result as tf.Tensor, plain.result as tf.Tensor]);
    disposeVariables(v);
  });

  it('moves the running averages by exactly the momentum: m = 0 keeps them, m = 1 replaces them', () => {
    const c: Case = { shape: [4, 1], x: [1, 2, 3, 6], dy: [0, 0, 0, 0], gamma: [1], beta: [0], rm: [5], rv: [7], momentum: 0, eps: 1e-5 };
    for (const momentum of [0, 1, 0.25]) {
      const v = variables({ ...c, momentum });
      const x = tf.tensor(c.x, c.shape);
      tf.dispose(batchNorm(x, v, 'batch', momentum, c.eps, 'test', 'bn'));
      // batch mean 3, unbiased variance ((4 + 1 + 0 + 9) / 3) = 14 / 3
      expect(v.movingMean.dataSync()[0]).toBeCloseTo((1 - momentum) * 5 + momentum * 3, 5);
      expect(v.movingVariance.dataSync()[0]).toBeCloseTo((1 - momentum) * 7 + (momentum * 14) / 3, 5);
      tf.dispose(x);
      disposeVariables(v);
    }
  });

  it('rejects a training pass with a single value per channel, naming x', () => {
    const c: Case = { shape: [1, 1, 1, 2], x: [1, 2], dy: [0, 0], gamma: [1, 1], beta: [0, 0], rm: [0, 0], rv: [1, 1], momentum: 0.1, eps: 1e-5 };
    const v = variables(c);
    const x = tf.tensor(c.x, c.shape);
    expect(() => batchNorm(x, v, 'batch', 0.1, 1e-5, 'enc.apply', 'layer1.bn')).toThrow(ShapeError);
    try {
      batchNorm(x, v, 'batch', 0.1, 1e-5, 'enc.apply', 'layer1.bn');
    } catch (e) {
      expect((e as ShapeError).argument).toBe('x');
      expect((e as ShapeError).message).toContain('layer1.bn');
    }
    tf.dispose(x);
    disposeVariables(v);
  });

  it('leaks no tensors in any mode', () => {
    const c: Case = { shape: [2, 2, 2, 3], x: Array.from({ length: 24 }, (_, i) => Math.sin(i)), dy: new Array(24).fill(1), gamma: [1, 2, 3], beta: [0, 1, 2], rm: [0, 0, 0], rv: [1, 1, 1], momentum: 0.1, eps: 1e-5 };
    const v = variables(c);
    const x = tf.tensor(c.x, c.shape);
    for (const mode of ['batch', 'running', 'inference'] as const) {
      const before = tf.memory().numTensors;
      const y = batchNorm(x, v, mode, 0.1, 1e-5, 'test', 'bn');
      expect(tf.memory().numTensors).toBe(before + 1);
      y.dispose();
    }
    tf.dispose(x);
    disposeVariables(v);
  });
});

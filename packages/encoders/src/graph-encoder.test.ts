import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { convNet, mlpEncoder, setBatchNormFrozen } from './index.js';
import type { GraphEncoder } from './graph-encoder.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const read = (e: GraphEncoder, name: string): number[] => Array.from(e.variable(name).dataSync());

/**
 * Loop reference of a one-hidden-layer MLP encoder with BatchNorm (Linear without bias, BN,
 * ReLU) in float64: `stats` 'batch' uses batch statistics, 'running' the given averages.
 */
function referenceMlp(x: number[][], W: number[], gamma: number[], beta: number[], rm: number[], rv: number[], stats: 'batch' | 'running', eps: number) {
  const B = x.length;
  const H = gamma.length;
  const z = x.map((row) => Array.from({ length: H }, (_, j) => row.reduce((a, xi, i) => a + xi * W[i * H + j]!, 0)));
  const mean = Array.from({ length: H }, (_, j) => z.reduce((a, r) => a + r[j]!, 0) / B);
  const varB = Array.from({ length: H }, (_, j) => z.reduce((a, r) => a + (r[j]! - mean[j]!) ** 2, 0) / B);
  const mu = stats === 'batch' ? mean : rm;
  const s2 = stats === 'batch' ? varB : rv;
  const h = z.map((r) => r.map((v, j) => Math.max(0, (gamma[j]! * (v - mu[j]!)) / Math.sqrt(s2[j]! + eps) + beta[j]!)));
  return { h, mean, unbiasedVar: varB.map((v) => (v * B) / (B - 1)) };
}

describe('GraphEncoder BatchNorm semantics (MLP encoder, loop reference)', () => {
  const dims = fc.record({ b: fc.integer({ min: 2, max: 5 }), f: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 0, max: 1000 }) });

  it('training uses batch statistics and moves the running averages by the momentum; inference uses the running averages', () => {
    fc.assert(
      fc.property(dims, fc.float({ min: Math.fround(0.01), max: Math.fround(0.9), noNaN: true }), ({ b, f, h, seed }, momentum) => {
        const e = mlpEncoder({ inputDim: f, hidden: [h], batchNorm: true, seed, bnMomentum: momentum });
        const x = tf.randomNormal([b, f], 0, 1, 'float32', seed);
        const xs = (x.arraySync() as number[][]);
        const W = read(e, 'fc1.kernel');
        const gamma = read(e, 'bn1.gamma');
        const beta = read(e, 'bn1.beta');
        const rm0 = read(e, 'bn1.moving_mean');
        const rv0 = read(e, 'bn1.moving_variance');
        const ht = e.apply(x, { training: true });
        const ref = referenceMlp(xs, W, gamma, beta, rm0, rv0, 'batch', 1e-5);
        const got = ht.arraySync() as number[][];
        got.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(ref.h[i]![j]!, 3)));
        const rm1 = read(e, 'bn1.moving_mean');
        const rv1 = read(e, 'bn1.moving_variance');
        rm1.forEach((v, j) => expect(v).toBeCloseTo((1 - momentum) * rm0[j]! + momentum * ref.mean[j]!, 4));
        rv1.forEach((v, j) => expect(v).toBeCloseTo((1 - momentum) * rv0[j]! + momentum * ref.unbiasedVar[j]!, 4));
        // Inference: running averages, which it leaves unchanged.
        const hi = e.apply(x, { training: false });
        const refI = referenceMlp(xs, W, gamma, beta, rm1, rv1, 'running', 1e-5);
        (hi.arraySync() as number[][]).forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(refI.h[i]![j]!, 3)));
        expect(read(e, 'bn1.moving_mean')).toEqual(rm1);
        expect(read(e, 'bn1.moving_variance')).toEqual(rv1);
        tf.dispose([x, ht, hi]);
        e.dispose();
      }),
      { numRuns: 15 },
    );
  });

  it('frozen BatchNorm uses the running averages in training passes and does not move them', () => {
    const e = convNet({ widths: [4, 6], inputShape: [6, 6, 2], seed: 3 });
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 1);
    tf.dispose([e.apply(x, { training: true }), e.apply(x, { training: true })]); // non-trivial running stats
    const stats = e.nonTrainableVariables.map((v) => Array.from(v.dataSync()));
    setBatchNormFrozen(e, true);
    expect(e.batchNormFrozen).toBe(true);
    const hf = e.apply(x, { training: true });
    expect(e.nonTrainableVariables.map((v) => Array.from(v.dataSync()))).toEqual(stats);
    const hi = e.apply(x, { training: false });
    const diff = tf.max(tf.abs(tf.sub(hf, hi))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    // The frozen training pass is differentiable in gamma and beta and in x.
    const { value, grads } = tf.variableGrads(() => tf.sum(e.apply(x, { training: true })) as tf.Scalar, [...e.trainableVariables]);
    expect(Object.keys(grads).length).toBe(e.trainableVariables.length);
    expect(e.nonTrainableVariables.map((v) => Array.from(v.dataSync()))).toEqual(stats);
    setBatchNormFrozen(e, false);
    const hu = e.apply(x, { training: true });
    expect(e.nonTrainableVariables.map((v) => Array.from(v.dataSync()))).not.toEqual(stats);
    tf.dispose([x, hf, hi, hu, value, ...Object.values(grads)]);
    e.dispose();
  });

  it('training and inference outputs differ while the running averages are far from the batch statistics', () => {
    const e = convNet({ widths: [4], inputShape: [4, 4, 3], seed: 1 });
    const x = tf.add(tf.mul(tf.randomNormal([4, 4, 4, 3], 0, 1, 'float32', 2), 5), 3);
    const ht = e.apply(x, { training: true });
    const hi = e.apply(x, { training: false });
    expect(tf.max(tf.abs(tf.sub(ht, hi))).dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([x, ht, hi]);
    e.dispose();
  });

  it('rejects bad arguments of setBatchNormFrozen, naming them', () => {
    const e = mlpEncoder({ inputDim: 2, hidden: [2] });
    expect(() => setBatchNormFrozen(e, 'yes' as never)).toThrow(ArgumentError);
    expect(() => e.setBatchNormFrozen(1 as never)).toThrow(/'frozen'/);
    expect(() => setBatchNormFrozen({} as never, true)).toThrow(/'module'/);
    e.dispose();
  });
});

describe('GraphEncoder lifecycle', () => {
  it('clone() is independent and equal; variables of a non-trainable clone are invisible to tfjs optimizers', () => {
    const e = mlpEncoder({ inputDim: 3, hidden: [4, 2], batchNorm: true, seed: 5 });
    const c = e.clone();
    const k = e.clone({ trainable: false });
    expect(c.namedVariables().map((n) => Array.from(n.variable.dataSync()))).toEqual(e.namedVariables().map((n) => Array.from(n.variable.dataSync())));
    expect(k.trainableVariables.length).toBe(e.trainableVariables.length);
    expect(k.trainableVariables.every((v) => !v.trainable)).toBe(true);
    e.variable('fc1.kernel').assign(tf.zerosLike(e.variable('fc1.kernel')));
    expect(read(c, 'fc1.kernel').some((v) => v !== 0)).toBe(true);
    expect(() => e.clone({ trainable: 'no' as never })).toThrow(/options.trainable/);
    for (const m of [e, c, k]) m.dispose();
    expect(e.isDisposed).toBe(true);
    expect(() => e.clone()).toThrow(/disposed/);
  });

  it('dispose() frees every variable', () => {
    const before = tf.memory().numTensors;
    const e = convNet({ widths: [3, 5] });
    const n = e.namedVariables().length;
    expect(tf.memory().numTensors).toBe(before + n);
    e.dispose();
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('apply leaks no tensors in training or inference mode, with or without a gradient tape', () => {
    const e = convNet({ widths: [3, 5], inputShape: [8, 8, 3] });
    const x = tf.randomUniform([2, 8, 8, 3]);
    const before = tf.memory().numTensors;
    for (const training of [true, false]) {
      const h = e.apply(x, { training });
      expect(tf.memory().numTensors).toBe(before + 1);
      h.dispose();
    }
    const { value, grads } = tf.variableGrads(() => tf.sum(e.apply(x, { training: true })) as tf.Scalar, [...e.trainableVariables]);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    e.dispose();
  });
});

describe('convNet and mlpEncoder', () => {
  it('convNet maps [B,H,W,C] to [B, widths.at(-1)] and has the counted parameters', () => {
    const e = convNet({ inputShape: [28, 28, 1] });
    // 3x3 convs without bias + BN (gamma, beta) per block, widths 32-64-128-256, 1 input channel.
    const widths = [32, 64, 128, 256];
    let cin = 1;
    let expected = 0;
    for (const w of widths) {
      expected += 9 * cin * w + 2 * w;
      cin = w;
    }
    expect(e.parameterCount).toBe(expected);
    const x = tf.randomUniform([2, 28, 28, 1]);
    const h = e.apply(x, { training: false });
    expect(h.shape).toEqual([2, 256]);
    tf.dispose([x, h]);
    e.dispose();
    const plain = convNet({ widths: [4, 8], batchNorm: false });
    expect(plain.parameterCount).toBe(9 * 3 * 4 + 4 + 9 * 4 * 8 + 8);
    expect(plain.nonTrainableVariables.length).toBe(0);
    plain.dispose();
  });

  it('mlpEncoder maps [B,F] to [B, hidden.at(-1)] with nn.Linear initialisation', () => {
    const e = mlpEncoder({ inputDim: 400, hidden: [300, 7] });
    expect(e.parameterCount).toBe(400 * 300 + 300 + 300 * 7 + 7);
    const w = read(e, 'fc1.kernel');
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.99 * bound);
    const x = tf.randomNormal([3, 400]);
    const h = e.apply(x, { training: true });
    expect(h.shape).toEqual([3, 7]);
    expect(Array.from(h.dataSync()).every((v) => v >= 0)).toBe(true);
    tf.dispose([x, h]);
    e.dispose();
  });

  it('reject bad options and inputs with typed errors naming the argument', () => {
    const arg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ArgumentError).argument;
      }
      return 'no error';
    };
    expect(arg(() => convNet({ widths: [] }))).toBe('options.widths');
    expect(arg(() => convNet({ widths: [8, 0] }))).toBe('options.widths');
    expect(arg(() => convNet({ widths: [8, -2] }))).toBe('options.widths');
    expect(arg(() => convNet({ widths: [8.5] }))).toBe('options.widths');
    expect(arg(() => convNet({ batchNorm: 1 as never }))).toBe('options.batchNorm');
    expect(arg(() => mlpEncoder({ inputDim: 0, hidden: [2] }))).toBe('options.inputDim');
    expect(arg(() => mlpEncoder({ inputDim: 3, hidden: [] }))).toBe('options.hidden');
    expect(arg(() => mlpEncoder({ inputDim: 3, hidden: [4, -1] }))).toBe('options.hidden');
    expect(arg(() => mlpEncoder(undefined as never))).toBe('options');
    expect(arg(() => mlpEncoder({ inputDim: 3, hidden: [2], name: 'bad name' }))).toBe('options.name');
    const e = mlpEncoder({ inputDim: 3, hidden: [2], batchNorm: true });
    const x4 = tf.zeros([2, 4]);
    const x1 = tf.zeros([1, 3]);
    const img = tf.zeros([2, 3, 1, 1]);
    expect(arg(() => e.apply(x4, { training: false }))).toBe('x');
    expect(arg(() => e.apply(img, { training: false }))).toBe('x');
    expect(arg(() => e.apply(x1, { training: true }))).toBe('x');
    const c = convNet({ widths: [2, 2, 2, 2, 2, 2], inputShape: [1, 1, 3] });
    const tiny = tf.zeros([2, 1, 1, 3]);
    tf.dispose(c.apply(tiny, { training: true })); // 'same' pooling keeps 1x1
    tf.dispose([x4, x1, img, tiny]);
    e.dispose();
    c.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { linearHead, mlpHead, mlpHeadV2, predictorHead, type DenseHead } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const arr = (v: tf.Tensor | undefined): number[] => (v === undefined ? [] : Array.from(v.dataSync()));

/**
 * Loop reference of a head (float64): for each layer z = z W (+ b), then BatchNorm with batch
 * statistics ('batch') or the running averages ('running'), then ReLU. Returns z and the batch
 * means / unbiased variances seen by each BatchNorm layer.
 */
function reference(head: DenseHead, h: number[][], stats: 'batch' | 'running') {
  const named = new Map(head.namedVariables().map((n) => [n.path, arr(n.variable)]));
  let z = h.map((r) => [...r]);
  const seen: { mean: number[]; unbiased: number[] }[] = [];
  head.layers.forEach((layer, li) => {
    const p = `layer${li + 1}`;
    const W = named.get(`${p}.kernel`)!;
    const b = named.get(`${p}.bias`);
    const inDim = z[0]!.length;
    z = z.map((row) =>
      Array.from({ length: layer.units }, (_, j) => {
        let s = b === undefined ? 0 : b[j]!;
        for (let i = 0; i < inDim; i++) s += row[i]! * W[i * layer.units + j]!;
        return s;
      }),
    );
    if (layer.batchNorm !== null) {
      const B = z.length;
      const mean = Array.from({ length: layer.units }, (_, j) => z.reduce((a, r) => a + r[j]!, 0) / B);
      const varB = Array.from({ length: layer.units }, (_, j) => z.reduce((a, r) => a + (r[j]! - mean[j]!) ** 2, 0) / B);
      seen.push({ mean, unbiased: varB.map((v) => (v * B) / (B - 1)) });
      const mu = stats === 'batch' ? mean : named.get(`${p}.bn.moving_mean`)!;
      const s2 = stats === 'batch' ? varB : named.get(`${p}.bn.moving_variance`)!;
      const gamma = named.get(`${p}.bn.gamma`);
      const beta = named.get(`${p}.bn.beta`);
      z = z.map((r) => r.map((v, j) => ((gamma?.[j] ?? 1) * (v - mu[j]!)) / Math.sqrt(s2[j]! + head.bnEpsilon) + (beta?.[j] ?? 0)));
    }
    if (layer.relu) z = z.map((r) => r.map((v) => Math.max(0, v)));
  });
  return { z, seen };
}

function expectRowsClose(got: number[][], want: number[][], digits: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, digits)));
}

const dim = fc.integer({ min: 1, max: 5 });

const builders: Record<string, (d: { i: number; h: number; o: number; seed: number }) => DenseHead> = {
  linear: ({ i, o, seed }) => linearHead({ inputDim: i, outputDim: o, seed }),
  mlp: ({ i, h, o, seed }) => mlpHead({ inputDim: i, hiddenDim: h, outputDim: o, seed }),
  mlpV2: ({ i, h, o, seed }) => mlpHeadV2({ inputDim: i, hiddenDim: h, outputDim: o, seed }),
  mlpV2x1: ({ i, h, o, seed }) => mlpHeadV2({ inputDim: i, hiddenDim: h, outputDim: o, layers: 1, seed }),
  predictor: ({ i, h, o, seed }) => predictorHead({ inputDim: i, hiddenDim: h, outputDim: o, seed }),
  predictorNoBn: ({ i, h, o, seed }) => predictorHead({ inputDim: i, hiddenDim: h, outputDim: o, batchNorm: false, seed }),
};

describe('heads compute their layer stacks (loop reference)', () => {
  for (const [kind, build] of Object.entries(builders)) {
    it(`${kind}: training pass (batch statistics, running averages move by the momentum) and inference pass (running averages)`, () => {
      fc.assert(
        fc.property(dim, dim, dim, fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 999 }), (i, h, o, b, seed) => {
          const head = build({ i, h, o, seed });
          const x = tf.randomNormal([b, i], 0, 1, 'float32', seed);
          const rows = x.arraySync() as number[][];
          const ref = reference(head, rows, 'batch');
          const stats0 = head.nonTrainableVariables.map(arr);
          const zt = head.apply(x as tf.Tensor2D, { training: true });
          expect(zt.shape).toEqual([b, o]);
          expectRowsClose(zt.arraySync() as number[][], ref.z, 3);
          // moving_mean / moving_variance pairs, in layer order
          ref.seen.forEach((s, k) => {
            arr(head.nonTrainableVariables[2 * k]).forEach((v, j) => expect(v).toBeCloseTo(0.9 * stats0[2 * k]![j]! + 0.1 * s.mean[j]!, 4));
            arr(head.nonTrainableVariables[2 * k + 1]).forEach((v, j) => expect(v).toBeCloseTo(0.9 * stats0[2 * k + 1]![j]! + 0.1 * s.unbiased[j]!, 4));
          });
          const stats1 = head.nonTrainableVariables.map(arr);
          const zi = head.apply(x as tf.Tensor2D, { training: false });
          expectRowsClose(zi.arraySync() as number[][], reference(head, rows, 'running').z, 3);
          expect(head.nonTrainableVariables.map(arr)).toEqual(stats1);
          tf.dispose([x, zt, zi]);
          head.dispose();
        }),
        { numRuns: 10 },
      );
    });
  }

  it('frozen BatchNorm: training passes use and keep the running averages', () => {
    const head = mlpHeadV2({ inputDim: 4, hiddenDim: 3, outputDim: 2 });
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    tf.dispose([head.apply(x, { training: true }), head.apply(x, { training: true })]);
    head.setBatchNormFrozen(true);
    expect(head.batchNormFrozen).toBe(true);
    const stats = head.nonTrainableVariables.map(arr);
    const zf = head.apply(x, { training: true });
    expect(head.nonTrainableVariables.map(arr)).toEqual(stats);
    expectRowsClose(zf.arraySync() as number[][], reference(head, x.arraySync() as number[][], 'running').z, 4);
    expect(() => head.setBatchNormFrozen('no' as never)).toThrow(/'frozen'/);
    tf.dispose([x, zf]);
    head.dispose();
  });
});

describe('head architectures', () => {
  it('parameter counts follow the layer layouts', () => {
    const count = (h: DenseHead) => h.trainableVariables.reduce((a, v) => a + v.size, 0);
    expect(count(linearHead({ inputDim: 512, outputDim: 128 }))).toBe(512 * 128 + 128);
    const v1 = mlpHead({ inputDim: 512 });
    expect(v1.outputDim).toBe(128);
    expect(count(v1)).toBe(512 * 512 + 512 + 512 * 128 + 128);
    const v2 = mlpHeadV2({ inputDim: 2048 });
    // (W no bias + gamma + beta) x 2 hidden layers, then W + gamma (no beta)
    expect(count(v2)).toBe(2 * (2048 * 2048 + 2 * 2048) + 2048 * 128 + 128);
    expect(v2.nonTrainableVariables.length).toBe(6);
    expect(v2.parameterCount).toBe(count(v2));
    const byol = predictorHead({ inputDim: 256, hiddenDim: 4096 });
    expect(byol.outputDim).toBe(256);
    expect(count(byol)).toBe(256 * 4096 + 2 * 4096 + 4096 * 256 + 256);
    for (const h of [v1, v2, byol]) h.dispose();
  });

  it('initialises linear layers as nn.Linear (uniform in ±1/sqrt(fan_in)) and BatchNorm as gamma 1, beta 0, deterministically in the seed', () => {
    const a = mlpHeadV2({ inputDim: 400, hiddenDim: 50, outputDim: 10, seed: 4 });
    const w = arr(a.namedVariables().find((n) => n.path === 'layer1.kernel')!.variable);
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.98 * bound);
    expect(arr(a.namedVariables().find((n) => n.path === 'layer1.bn.gamma')!.variable).every((v) => v === 1)).toBe(true);
    const b = mlpHeadV2({ inputDim: 400, hiddenDim: 50, outputDim: 10, seed: 4 });
    const c = mlpHeadV2({ inputDim: 400, hiddenDim: 50, outputDim: 10, seed: 5 });
    expect(a.namedVariables().map((n) => arr(n.variable))).toEqual(b.namedVariables().map((n) => arr(n.variable)));
    expect(arr(c.trainableVariables[0])).not.toEqual(arr(a.trainableVariables[0]));
    for (const h of [a, b, c]) h.dispose();
  });

  it('every parameter receives a gradient; apply leaks nothing with or without a tape', () => {
    for (const build of Object.values(builders)) {
      const head = build({ i: 4, h: 5, o: 3, seed: 1 });
      const x = tf.randomNormal([4, 4]) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      for (const training of [true, false]) {
        const z = head.apply(x, { training });
        expect(tf.memory().numTensors).toBe(before + 1);
        z.dispose();
      }
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(head.apply(x, { training: true }))) as tf.Scalar, [...head.trainableVariables]);
      expect(Object.keys(grads).length).toBe(head.trainableVariables.length);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      head.dispose();
    }
  });

  it('clone() copies values and freeze state; a non-trainable clone pairs one-to-one and is hidden from tfjs optimizers', () => {
    const head = predictorHead({ inputDim: 3, hiddenDim: 4 });
    head.setBatchNormFrozen(true);
    const before = tf.memory().numTensors;
    const copy = head.clone({ trainable: false });
    expect(tf.memory().numTensors).toBe(before + head.namedVariables().length);
    expect(copy.batchNormFrozen).toBe(true);
    expect(copy.trainableVariables.map((v) => v.shape)).toEqual(head.trainableVariables.map((v) => v.shape));
    expect(copy.nonTrainableVariables.map((v) => v.shape)).toEqual(head.nonTrainableVariables.map((v) => v.shape));
    expect(copy.trainableVariables.every((v) => !v.trainable)).toBe(true);
    expect(copy.namedVariables().map((n) => arr(n.variable))).toEqual(head.namedVariables().map((n) => arr(n.variable)));
    const w = head.trainableVariables[0]!;
    w.assign(tf.zerosLike(w));
    expect(arr(copy.trainableVariables[0]).some((v) => v !== 0)).toBe(true);
    copy.dispose();
    head.dispose();
    expect(head.isDisposed).toBe(true);
    expect(() => head.apply(tf.zeros([2, 3]) as tf.Tensor2D, { training: false })).toThrow(/disposed/);
  });
});

describe('BatchNorm in heads is nn\'s fused training op', () => {
  it('gradients (input and every parameter) equal those of the plain BatchNorm formula as broadcast arithmetic', () => {
    for (const head of [predictorHead({ inputDim: 5, hiddenDim: 6, outputDim: 3, seed: 2 }), mlpHeadV2({ inputDim: 5, hiddenDim: 6, outputDim: 3, layers: 3, seed: 3 })]) {
      const h = tf.randomNormal([7, 5], 0, 1, 'float32', 4) as tf.Tensor2D;
      const w = tf.randomNormal([7, 3], 0, 1, 'float32', 5);
      const v = (p: string) => head.variable(p);
      // The formula PyTorch's BatchNorm1d computes, written with tfjs ops (tfjs differentiates it).
      const reference = (x: tf.Tensor2D): tf.Tensor2D => {
        let z = x;
        head.layers.forEach((layer, i) => {
          const p = `layer${i + 1}`;
          z = tf.matMul(z, v(`${p}.kernel`)) as tf.Tensor2D;
          if (layer.bias) z = tf.add(z, v(`${p}.bias`));
          if (layer.batchNorm !== null) {
            const { mean, variance } = tf.moments(z, [0]);
            const xhat = tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, head.bnEpsilon)));
            z = tf.mul(xhat, v(`${p}.bn.gamma`));
            if (layer.batchNorm.center) z = tf.add(z, v(`${p}.bn.beta`));
          }
          if (layer.relu) z = tf.relu(z);
        });
        return z;
      };
      const params = head.trainableVariables as tf.Variable[];
      const grads = (f: (x: tf.Tensor2D) => tf.Tensor2D) => {
        const dh = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D), w)))(h);
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(f(h), w)) as tf.Scalar, params);
        return [arr(dh), ...params.map((p) => arr(g[p.name]))];
      };
      const want = grads(reference);
      const got = grads((x) => head.apply(x, { training: true }));
      got.forEach((g, i) => g.forEach((x, j) => expect(x).toBeCloseTo(want[i]![j]!, 4)));
      tf.dispose([h, w]);
      head.dispose();
    }
  });
});

describe('heads bad input', () => {
  const argumentOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (e instanceof ArgumentError || e instanceof ShapeError) return e.argument;
      throw e;
    }
    return 'no error';
  };

  it('reject non-positive or non-integer widths, naming the option', () => {
    expect(argumentOf(() => linearHead({ inputDim: 0, outputDim: 2 }))).toBe('options.inputDim');
    expect(argumentOf(() => linearHead({ inputDim: 2, outputDim: -1 }))).toBe('options.outputDim');
    expect(argumentOf(() => mlpHead({ inputDim: 2, hiddenDim: 0 }))).toBe('options.hiddenDim');
    expect(argumentOf(() => mlpHead({ inputDim: 2.5 }))).toBe('options.inputDim');
    expect(argumentOf(() => mlpHead(undefined as never))).toBe('options');
    expect(argumentOf(() => mlpHeadV2({ inputDim: 2, layers: 0 }))).toBe('options.layers');
    expect(argumentOf(() => mlpHeadV2({ inputDim: 2, outputDim: Number.NaN }))).toBe('options.outputDim');
    expect(argumentOf(() => mlpHeadV2({ inputDim: 2, bnMomentum: -0.1 }))).toBe('options.bnMomentum');
    expect(argumentOf(() => predictorHead({ inputDim: 2 } as never))).toBe('options.hiddenDim');
    expect(argumentOf(() => predictorHead({ inputDim: 2, hiddenDim: 2, batchNorm: 'yes' as never }))).toBe('options.batchNorm');
    expect(argumentOf(() => linearHead({ inputDim: 2, outputDim: 2, seed: 0.5 }))).toBe('options.seed');
  });

  it('reject inputs of the wrong rank, width or dtype, a batch of one in BatchNorm training, and a missing training flag', () => {
    const head = mlpHeadV2({ inputDim: 3, hiddenDim: 4, outputDim: 2 });
    const rank3 = tf.zeros([2, 3, 1]);
    const wide = tf.zeros([2, 4]);
    const ints = tf.zeros([2, 3], 'int32');
    const one = tf.zeros([1, 3]);
    expect(argumentOf(() => head.apply(rank3 as never, { training: false }))).toBe('h');
    expect(argumentOf(() => head.apply(wide as tf.Tensor2D, { training: false }))).toBe('h');
    expect(argumentOf(() => head.apply(ints as tf.Tensor2D, { training: false }))).toBe('h');
    expect(argumentOf(() => head.apply(one as tf.Tensor2D, { training: true }))).toBe('h');
    expect(argumentOf(() => head.apply(one as tf.Tensor2D, {} as never))).toBe('options.training');
    const z = head.apply(one as tf.Tensor2D, { training: false });
    expect(z.shape).toEqual([1, 2]);
    const lin = linearHead({ inputDim: 3, outputDim: 2 });
    const zl = lin.apply(one as tf.Tensor2D, { training: true }); // no BatchNorm: batch of one is fine
    expect(zl.shape).toEqual([1, 2]);
    tf.dispose([rank3, wide, ints, one, z, zl]);
    head.dispose();
    lin.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { convNet, foldBatchNorm, mlpEncoder, resnet } from './index.js';
import type { GraphEncoder } from './graph-encoder.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

/** Gives every BatchNorm layer non-trivial statistics and affine parameters. */
function perturbBatchNorm(e: GraphEncoder, seed: number): void {
  e.namedVariables().forEach((n, i) => {
    if (!/\.(gamma|beta|moving_mean|moving_variance)$/.test(n.path)) return;
    const lo = n.path.endsWith('moving_variance') ? 0.2 : -1;
    const r = tf.randomUniform(n.variable.shape, lo, 2, 'float32', seed * 31 + i);
    n.variable.assign(r);
    r.dispose();
  });
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(b), 1))).dataSync()[0]!);
}

describe('foldBatchNorm', () => {
  it('computes the inference function of the unfolded encoder (ResNet with ImageNet stem, ConvNet, MLP)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const nets = [
          resnet({ depth: 18, stem: 'imagenet', widthMultiplier: 0.0625, seed }),
          resnet({ depth: 50, stem: 'cifar', widthMultiplier: 0.03125, seed }),
          convNet({ widths: [4, 8], seed }),
        ];
        const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', seed);
        for (const e of nets) {
          perturbBatchNorm(e, seed);
          const folded = foldBatchNorm(e);
          const a = e.apply(x, { training: false });
          const b = folded.apply(x, { training: false });
          expect(maxRelDiff(b, a)).toBeLessThan(1e-4);
          tf.dispose([a, b]);
          folded.dispose();
          e.dispose();
        }
        const m = mlpEncoder({ inputDim: 5, hidden: [6, 3], batchNorm: true, seed });
        perturbBatchNorm(m, seed);
        const xm = tf.randomNormal([4, 5], 0, 1, 'float32', seed);
        const fm = foldBatchNorm(m);
        const a = m.apply(xm, { training: false });
        const b = fm.apply(xm, { training: false });
        expect(maxRelDiff(b, a)).toBeLessThan(1e-5);
        tf.dispose([x, xm, a, b]);
        fm.dispose();
        m.dispose();
      }),
      { numRuns: 3 },
    );
  });

  it('removes every BatchNorm that follows a conv, fuses the ReLU, and has no trainable variables', () => {
    const e = resnet({ depth: 18, stem: 'imagenet', widthMultiplier: 0.0625 });
    const f = foldBatchNorm(e);
    expect(f.spec.nodes.some((n) => n.op === 'batchNorm')).toBe(false);
    expect(f.spec.nodes.find((n) => n.name === 'conv1')).toMatchObject({ useBias: true, activation: 'relu' });
    expect(f.spec.nodes.find((n) => n.name === 'layer1.0.conv2')).toMatchObject({ useBias: true, activation: 'linear' });
    expect(f.trainableVariables.length).toBe(0);
    expect(f.name).toBe(`${e.name}-folded`);
    const x = tf.zeros([2, 8, 8, 3]);
    expect(() => f.apply(x, { training: true })).toThrow(/options.training/);
    // Later changes to the source do not reach the folded copy.
    const h0 = f.apply(x, { training: false });
    perturbBatchNorm(e, 1);
    const h1 = f.apply(x, { training: false });
    expect(Array.from(h1.dataSync())).toEqual(Array.from(h0.dataSync()));
    tf.dispose([x, h0, h1]);
    e.dispose();
    f.dispose();
  });

  it('leaks nothing and rejects non-encoders', () => {
    const e = convNet({ widths: [3, 4] });
    const before = tf.memory().numTensors;
    const f = foldBatchNorm(e);
    expect(tf.memory().numTensors).toBe(before + f.namedVariables().length);
    f.dispose();
    expect(tf.memory().numTensors).toBe(before);
    e.dispose();
    expect(() => foldBatchNorm(e)).toThrow(ArgumentError);
    expect(() => foldBatchNorm({} as never)).toThrow(/'encoder'/);
  });
});

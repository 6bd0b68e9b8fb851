import { initBackend } from '@contrastive/backend';
import { identityHead, linearHead } from '@contrastive/heads';
import { mlpEncoder } from '@contrastive/encoders';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectedEncoder } from './projected-encoder.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('projectedEncoder (evaluation on z = g(h), SimCLR Figure 8)', () => {
  it('computes g(f(x)) exactly, leaks nothing, and owns both parts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 }), (b, seed) => {
        const f = mlpEncoder({ inputDim: 4, hidden: [6], batchNorm: false, seed });
        const g = linearHead({ inputDim: f.outputDim, outputDim: 3, seed: seed + 1 });
        const z = projectedEncoder(f, g);
        expect(z.outputDim).toBe(3);
        expect(z.trainableVariables).toHaveLength(f.trainableVariables.length + g.trainableVariables.length);
        const x = tf.randomNormal([b, 4], 0, 1, 'float32', seed);
        const before = tf.memory().numTensors;
        const out = z.apply(x, { training: false });
        expect(tf.memory().numTensors).toBe(before + 1);
        const h = f.apply(x, { training: false });
        const ref = g.apply(h, { training: false });
        expect(Array.from(out.dataSync())).toEqual(Array.from(ref.dataSync()));
        tf.dispose([x, out, h, ref]);
        const vars = tf.memory().numTensors;
        z.dispose();
        expect(tf.memory().numTensors).toBeLessThan(vars);
      }),
      { numRuns: 10 },
    );
  });

  it('with the identity head, z = h', () => {
    const f = mlpEncoder({ inputDim: 3, hidden: [5], batchNorm: false, seed: 2 });
    const z = projectedEncoder(f, identityHead({ inputDim: f.outputDim }));
    const x = tf.randomNormal([2, 3], 0, 1, 'float32', 1);
    const a = z.apply(x, { training: false });
    const b = f.apply(x, { training: false });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
    z.dispose();
  });
});

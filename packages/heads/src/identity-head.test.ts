import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityHead } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('identityHead (SimCLR Figure 8: no projection)', () => {
  it('z = h for any input, with no variables, as a new tensor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (b, d, seed) => {
        const g = identityHead({ inputDim: d });
        const h = tf.randomNormal([b, d], 0, 1, 'float32', seed) as tf.Tensor2D;
        for (const training of [true, false]) {
          const z = g.apply(h, { training });
          expect(z).not.toBe(h);
          expect(z.shape).toEqual([b, d]);
          expect(Array.from(z.dataSync())).toEqual(Array.from(h.dataSync()));
          z.dispose();
        }
        expect(g.outputDim).toBe(d);
        expect(g.trainableVariables).toHaveLength(0);
        expect(g.nonTrainableVariables).toHaveLength(0);
        h.dispose();
        g.dispose();
      }),
      { numRuns: 20 },
    );
  });

  it('passes gradients through unchanged and leaks nothing', () => {
    const g = identityHead({ inputDim: 3 });
    const h = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const before = tf.memory().numTensors;
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.square(g.apply(x as tf.Tensor2D, { training: true }))))(h);
    expect(Array.from(grad.dataSync())).toEqual([2, 4, 6, 8, 10, 12]);
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const copy = g.clone();
    expect(copy.outputDim).toBe(3);
    copy.dispose();
    h.dispose();
  });

  it('rejects bad options naming the argument', () => {
    expect(() => identityHead({ inputDim: 0 })).toThrow(/options\.inputDim/);
    expect(() => identityHead({ inputDim: 4, outputDim: 2 } as never)).toThrow(ArgumentError);
    expect(() => identityHead({ inputDim: 4, outputDim: 2 } as never)).toThrow(/outputDim/);
  });
});

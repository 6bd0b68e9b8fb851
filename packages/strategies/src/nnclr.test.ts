/**
 * NNCLR (Dwibedi et al. 2021): learns on exact CIFAR-10 images (issue 15, point 5); the positive
 * is the nearest support-set row.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { nearestNeighbours, nnclr } from './nnclr.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('nnclr', () => {
  it('learns: kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    const { encoder, head } = learningParts(8);
    const strategy = nnclr({ encoder, head, predictorHiddenDim: 128, queueSize: 512, temperature: 0.1, augment: learningAugment('simclr'), seed: 9 });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05 });
    console.log(describeRun('nnclr', run));
    expectLearned(run);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('nearestNeighbours returns, for each row, the unit support row of highest cosine; tidy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (b, k, d, seed) => {
        const z = tf.randomNormal([b, d], 0, 1, 'float32', seed) as tf.Tensor2D;
        const support = tf.randomNormal([k, d], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
        const before = tf.memory().numTensors;
        const nn = nearestNeighbours(z, support);
        expect(tf.memory().numTensors).toBe(before + 1);
        const zs = z.arraySync();
        const ss = support.arraySync().map((r) => {
          const n = Math.hypot(...r);
          return r.map((x) => x / n);
        });
        nn.arraySync().forEach((row, i) => {
          const cos = ss.map((s) => s.reduce((a, x, c) => a + x * (zs[i]![c] as number), 0));
          const best = Math.max(...cos);
          const got = ss.findIndex((s) => s.every((x, c) => Math.abs(x - (row[c] as number)) < 1e-5));
          expect(got).toBeGreaterThanOrEqual(0);
          expect(cos[got]).toBeCloseTo(best, 4);
        });
        tf.dispose([z, support, nn]);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a bad temperature and unknown options by name', () => {
    const { encoder, head } = learningParts(10);
    expect(() => nnclr({ encoder, head, temperature: 0, augment: learningAugment('simclr') })).toThrow(/options.temperature/);
    expect(() => nnclr({ encoder, head, queuesize: 3 } as never)).toThrow(/options.queuesize/);
    encoder.dispose();
    head.dispose();
  });
});

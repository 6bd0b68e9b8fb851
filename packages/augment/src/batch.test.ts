import { initBackend } from '@contrastive/backend';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyToSamples, gatherBatch, selectSamples } from './batch.js';
import { leakedBy, randomImages, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('gatherBatch', () => {
  it('equals tf.gather along the batch axis, exactly', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (seed, b, h, w, raw) => {
        const indices = raw.map((i) => i % b);
        const x = randomImages(seed, [b, h, w, 3]);
        const ours = gatherBatch(x, indices);
        const theirs = tf.gather(x, tf.tensor1d(indices, 'int32'));
        expect(values(ours)).toEqual(values(theirs));
        tf.dispose([x, ours, theirs]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('applyToSamples / selectSamples', () => {
  it('applies fn to the selected samples only and keeps the others exactly', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), (seed, flags) => {
        const b = flags.length;
        const x = randomImages(seed, [b, 4, 5, 3]);
        const out = applyToSamples(x, flags, (subset) => tf.sub(1, subset) as tf.Tensor4D);
        const inverted = tf.sub(1, x) as tf.Tensor4D;
        const expected = selectSamples(flags, inverted, x);
        expect(values(out)).toEqual(values(expected));
        tf.dispose([x, out, inverted, expected]);
      }),
      { numRuns: 20 },
    );
  });

  it('is tidy', () => {
    const x = randomImages(1, [4, 5, 5, 3]);
    for (const flags of [[true, false, true, false], [false, false, false, false], [true, true, true, true]]) {
      expect(leakedBy(() => applyToSamples(x, flags, (s) => tf.mul(s, 0.5) as tf.Tensor4D))).toBe(0);
    }
    x.dispose();
  });
});

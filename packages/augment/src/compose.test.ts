import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomGaussianBlur } from './blur.js';
import { randomColorJitter, simclrJitter } from './color-jitter.js';
import { compose } from './compose.js';
import { randomResizedCrop, type CropBox } from './crop.js';
import { randomHorizontalFlip } from './flip.js';
import { randomGrayscale } from './grayscale.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('compose', () => {
  it('equals applying each step in turn with the same parameters (crop + flip fused in one pass)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 8, max: 14 }), fc.integer({ min: 6, max: 12 }), (seed, b, side, size) => {
        const steps = [
          randomResizedCrop({ size }),
          randomHorizontalFlip({ p: 0.5 }),
          randomColorJitter(simclrJitter(1)),
          randomGrayscale({ p: 0.5 }),
          randomGaussianBlur({ p: 0.5, kernelSize: 3 }),
        ] as const;
        const pipeline = compose(steps);
        const x = randomImages(seed, [b, side, side, 3]);
        const g = { batchSize: b, height: side, width: side, channels: 3 };
        const params = pipeline.sample(Rng.fromSeed(seed), g);
        expect(params).toHaveLength(steps.length);
        expect(pipeline.outputGeometry(g)).toEqual({ ...g, height: size, width: size });
        const out = pipeline.applyParams(x, params);
        const stepwise = tf.tidy(() => {
          let y = x;
          steps.forEach((s, i) => {
            y = (s as { applyParams(images: tf.Tensor4D, p: unknown): tf.Tensor4D }).applyParams(y, params[i]);
          });
          return y;
        });
        expect(maxAbsDiff(out, toRef(stepwise))).toBeLessThan(2e-5);
        // apply(rng) draws exactly what sample(rng) draws.
        const applied = pipeline.apply(x, Rng.fromSeed(seed));
        expect(values(applied)).toEqual(values(out));
        tf.dispose([x, out, stepwise, applied]);
      }),
      { numRuns: 12 },
    );
  });

  it('samples later steps with the geometry produced by earlier ones', () => {
    const pipeline = compose([randomResizedCrop({ size: 224 }), randomGaussianBlur({ p: 1 })]);
    const params = pipeline.sample(Rng.fromSeed(0), { batchSize: 2, height: 32, width: 32, channels: 3 });
    expect((params[0] as CropBox[]).length).toBe(2);
    expect((params[1] as { kernelSize: number }).kernelSize).toBe(23);
  });

  it('an empty composition is the identity and every composition is tidy', () => {
    const x = randomImages(3, [2, 8, 8, 3]);
    const id = compose([]);
    const out = id.apply(x, Rng.fromSeed(1));
    expect(values(out)).toEqual(values(x));
    out.dispose();
    const pipeline = compose([randomResizedCrop({ size: 6 }), randomHorizontalFlip(), randomColorJitter({ hue: 0.3 })]);
    expect(leakedBy(() => pipeline.apply(x, Rng.fromSeed(2)))).toBe(0);
    expect(leakedBy(() => id.apply(x, Rng.fromSeed(2)))).toBe(0);
    x.dispose();
  });

  it('rejects bad steps and parameters by name', () => {
    expect(() => compose([randomHorizontalFlip(), {} as never])).toThrow(/'steps\[1\]'/);
    expect(() => compose('crop' as never)).toThrow(/'steps'/);
    const x = randomImages(4, [2, 8, 8, 3]);
    const pipeline = compose([randomHorizontalFlip(), randomGrayscale()]);
    expect(() => pipeline.applyParams(x, [[true, false]])).toThrow(/'params'/);
    expect(() => pipeline.applyParams(x, [[true, false], [true]])).toThrow(/'params'/);
    x.dispose();
  });
});

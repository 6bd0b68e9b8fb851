// The kernels must not depend on @contrastive/backend's replacement kernels: run the colour,
// crop and blur kernels on the stock wasm engine (no training kernels) and on the cpu engine,
// against the per-pixel references.
import { initBackend, type BackendOptions } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gaussianBlur } from './blur.js';
import { colorJitter, randomColorJitter, simclrJitter } from './color-jitter.js';
import { resizedCrop } from './crop.js';
import { horizontalFlip } from './flip.js';
import { adjustHue } from './hsv.js';
import { simclr } from './recipes.js';
import { refAdjustHue, refColorJitter, refGaussianBlur, refResizedCrop } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

const engines: [string, BackendOptions][] = [
  ['stock wasm (no replacement kernels)', { prefer: 'wasm', trainingKernels: false }],
  ['cpu', { prefer: 'cpu' }],
];

describe.each(engines)('on %s', (_, options) => {
  it('hue, jitter, crop, flip and blur match the references', async () => {
    const report = await initBackend(options);
    expect(report.engine).toBe(options.prefer);
    const x = randomImages(21, [4, 9, 10, 3], 256);
    const shifts = [0.3, -0.2, 0, 0.5];
    const hue = adjustHue(x, shifts);
    expect(maxAbsDiff(hue, refAdjustHue(toRef(x), shifts))).toBeLessThan(2e-5);
    const params = randomColorJitter({ ...simclrJitter(1), p: 1 }).sample(Rng.fromSeed(4), { batchSize: 4, height: 9, width: 10, channels: 3 });
    const jittered = colorJitter(x, params);
    expect(maxAbsDiff(jittered, refColorJitter(toRef(x), params))).toBeLessThan(5e-5);
    const boxes = [
      { top: 0, left: 0, height: 4, width: 5 },
      { top: 2, left: 3, height: 7, width: 7 },
      { top: 5, left: 0, height: 4, width: 10 },
      { top: 0, left: 0, height: 9, width: 10 },
    ];
    const flips = [true, false, true, false];
    const crop = resizedCrop(x, boxes, [12, 8], flips);
    expect(maxAbsDiff(crop, refResizedCrop(toRef(x), boxes, [12, 8], flips))).toBeLessThan(1e-4);
    const twice = tf.tidy(() => horizontalFlip(horizontalFlip(x)));
    expect(values(twice)).toEqual(values(x));
    const sigmas = [0.5, null, 2, 1.2];
    const blurred = gaussianBlur(x, sigmas, 7);
    expect(maxAbsDiff(blurred, refGaussianBlur(toRef(x), sigmas, 7))).toBeLessThan(1e-5);
    expect(leakedBy(() => simclr({ size: 8 }).apply(x, Rng.fromSeed(1)))).toBe(0);
    tf.dispose([x, hue, jittered, crop, twice, blurred]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng } from '@contrastive/core';
import { gaussianNoiseViews } from './noise-views.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('gaussianNoiseViews', () => {
  it('adds independent N(0, std^2) noise per view to [B, F] rows; seeded; no leak', () => {
    const x = tf.tensor2d(Array.from({ length: 500 }, (_, i) => [i % 7, -1, 2, 0.5]));
    const aug = gaussianNoiseViews({ std: 0.3, numViews: 3 });
    const before = tf.memory().numTensors;
    const views = aug.apply(x as unknown as tf.Tensor4D, Rng.fromSeed(4));
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(views.map((v) => v.shape)).toEqual([[500, 4], [500, 4], [500, 4]]);
    const base = x.dataSync();
    const noise = views.map((v) => Array.from(v.dataSync(), (u, i) => u - (base[i] as number)));
    for (const n of noise) {
      const mean = n.reduce((s, v) => s + v, 0) / n.length;
      const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(sd).toBeGreaterThan(0.27);
      expect(sd).toBeLessThan(0.33);
    }
    expect(noise[0]).not.toEqual(noise[1]);
    const again = aug.apply(x as unknown as tf.Tensor4D, Rng.fromSeed(4));
    expect(Array.from(again[2]!.dataSync())).toEqual(Array.from(views[2]!.dataSync()));
    tf.dispose([x, ...views, ...again]);
  });

  it('std 0 gives identical views; options are checked by name', () => {
    const x = tf.tensor2d([[1, 2]]);
    const [a, b] = gaussianNoiseViews({ std: 0 }).apply(x as unknown as tf.Tensor4D, Rng.fromSeed(0));
    expect(Array.from(a!.dataSync())).toEqual([1, 2]);
    expect(Array.from(b!.dataSync())).toEqual([1, 2]);
    tf.dispose([x, a!, b!]);
    expect(() => gaussianNoiseViews({ std: -1 })).toThrow(/options.std/);
    expect(() => gaussianNoiseViews({ std: 1, numViews: 0 })).toThrow(ArgumentError);
  });
});

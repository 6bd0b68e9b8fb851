import { initBackend } from '@contrastive/backend';
import { ArgumentError, NonFiniteError, Rng, ShapeError, type ViewAugmenter } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GaussianBlurParams } from './blur.js';
import { randomHorizontalFlip } from './flip.js';
import { CIFAR10_STATS } from './normalize.js';
import { byol, mocoV2, simclr } from './recipes.js';
import { leakedBy, maxAbsDiff, randomImages, range, toRef, values } from './test-support.js';
import { multiView } from './views.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const recipes: [string, (size: number) => ViewAugmenter][] = [
  ['simclr (paper)', (size) => simclr({ size })],
  ['simclr (cifar)', (size) => simclr({ size, strength: 0.5, blur: false })],
  ['mocoV2', (size) => mocoV2({ size })],
  ['byol', (size) => byol({ size })],
];

describe.each(recipes)('%s', (_, make) => {
  it('returns numViews views [B, size, size, 3] in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 8, max: 16 }), fc.integer({ min: 8, max: 16 }), (seed, b, side, size) => {
        const recipe = make(size);
        const x = randomImages(seed, [b, side, side, 3]);
        const views = recipe.apply(x, Rng.fromSeed(seed));
        expect(views).toHaveLength(recipe.numViews);
        for (const v of views) {
          expect(v.shape).toEqual([b, size, size, 3]);
          const [lo, hi] = range(v);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
        }
        tf.dispose([x, ...views]);
      }),
      { numRuns: 8 },
    );
  });

  it('the same seed gives the same views; different seeds give different views', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        fc.pre(a !== b);
        const recipe = make(12);
        const x = randomImages(7, [3, 14, 14, 3]);
        const first = recipe.apply(x, Rng.fromSeed(a));
        const again = recipe.apply(x, Rng.fromSeed(a));
        const other = recipe.apply(x, Rng.fromSeed(b));
        first.forEach((v, i) => expect(values(again[i] as tf.Tensor)).toEqual(values(v)));
        expect(first.map(values)).not.toEqual(other.map(values));
        tf.dispose([x, ...first, ...again, ...other]);
      }),
      { numRuns: 6 },
    );
  });

  it('is tidy', () => {
    const x = randomImages(8, [4, 16, 16, 3]);
    const recipe = make(16);
    expect(leakedBy(() => recipe.apply(x, Rng.fromSeed(1)))).toBe(0);
    x.dispose();
  });

  it('rejects bad input by name with typed errors', () => {
    const recipe = make(8);
    const rng = Rng.fromSeed(0);
    const rank3 = tf.zeros([8, 8, 3]);
    expect(() => recipe.apply(rank3 as never, rng)).toThrow(ShapeError);
    expect(() => recipe.apply(rank3 as never, rng)).toThrow(/'images'/);
    const big = tf.fill([2, 8, 8, 3], 1.5) as tf.Tensor4D;
    expect(() => recipe.apply(big, rng)).toThrow(ArgumentError);
    expect(() => recipe.apply(big, rng)).toThrow(/'images'.*\[0, 1\]/);
    const negative = tf.fill([2, 8, 8, 3], -0.1) as tf.Tensor4D;
    expect(() => recipe.apply(negative, rng)).toThrow(/'images'/);
    const nan = tf.fill([2, 8, 8, 3], Number.NaN) as tf.Tensor4D;
    expect(() => recipe.apply(nan, rng)).toThrow(NonFiniteError);
    const oneChannel = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    expect(() => recipe.apply(oneChannel, rng)).toThrow(/3 channels/);
    const ints = tf.zeros([2, 8, 8, 3], 'int32') as tf.Tensor4D;
    expect(() => recipe.apply(ints, rng)).toThrow(/float32/);
    expect(() => recipe.apply(tf.zeros([2, 8, 8, 3]) as tf.Tensor4D, 42 as never)).toThrow(/'rng'/);
    tf.dispose([rank3, big, negative, nan, oneChannel, ints]);
  });
});

describe('recipe parameters', () => {
  const g = { batchSize: 4000, height: 32, width: 32, channels: 3 };

  it('simclr: paper defaults blur with p = 0.5 and kernel 10%; CIFAR has no blur step', () => {
    const paper = simclr({ size: 224 });
    const [view] = paper.sample(Rng.fromSeed(1), { ...g, batchSize: 2000, height: 224, width: 224 }) as unknown[][];
    const blur = (view as unknown[])[4] as GaussianBlurParams;
    expect(blur.kernelSize).toBe(23);
    const share = blur.sigmas.filter((s) => s !== null).length / blur.sigmas.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
    const cifar = simclr({ size: 32, strength: 0.5, blur: false });
    expect((cifar.sample(Rng.fromSeed(1), g)[0] as unknown[]).length).toBe(4);
    expect(simclr({ size: 32, views: 4 }).numViews).toBe(4);
  });

  it('byol: view 1 always blurs and never solarizes; view 2 blurs 10% and solarizes 20%', () => {
    const [v1, v2] = byol({ size: 32 }).sample(Rng.fromSeed(3), g) as unknown[][];
    const blur1 = (v1 as unknown[])[4] as GaussianBlurParams;
    const blur2 = (v2 as unknown[])[4] as GaussianBlurParams;
    const sol1 = (v1 as unknown[])[5] as boolean[];
    const sol2 = (v2 as unknown[])[5] as boolean[];
    expect(blur1.sigmas.every((s) => s !== null)).toBe(true);
    expect(sol1.some(Boolean)).toBe(false);
    const share = (xs: readonly unknown[], f: (v: unknown) => boolean): number => xs.filter(f).length / xs.length;
    expect(share(blur2.sigmas, (s) => s !== null)).toBeGreaterThan(0.08);
    expect(share(blur2.sigmas, (s) => s !== null)).toBeLessThan(0.12);
    expect(share(sol2, Boolean)).toBeGreaterThan(0.17);
    expect(share(sol2, Boolean)).toBeLessThan(0.23);
  });

  it('mocoV2 crops with scale (0.2, 1)', () => {
    const [view] = mocoV2({ size: 32 }).sample(Rng.fromSeed(4), g) as unknown[][];
    const crops = (view as unknown[])[0] as { scale: number; fallback: boolean }[];
    for (const c of crops) if (!c.fallback) expect(c.scale).toBeGreaterThanOrEqual(0.2);
  });

  it('views come from independent child streams: applyParams(sample(rng)) equals apply(rng)', () => {
    const recipe = byol({ size: 10 });
    const x = randomImages(5, [2, 12, 12, 3]);
    const params = recipe.sample(Rng.fromSeed(9), { batchSize: 2, height: 12, width: 12, channels: 3 });
    const a = recipe.applyParams(x, params);
    const b = recipe.apply(x, Rng.fromSeed(9));
    a.forEach((v, i) => expect(values(v)).toEqual(values(b[i] as tf.Tensor)));
    tf.dispose([x, ...a, ...b]);
  });

  it('normalize appends (x - mean) / std', () => {
    const x = randomImages(6, [2, 12, 12, 3]);
    const plain = simclr({ size: 8, blur: false }).apply(x, Rng.fromSeed(2));
    const normed = simclr({ size: 8, blur: false, normalize: CIFAR10_STATS }).apply(x, Rng.fromSeed(2));
    const expected = tf.div(tf.sub(plain[0] as tf.Tensor, CIFAR10_STATS.mean as number[]), CIFAR10_STATS.std as number[]) as tf.Tensor4D;
    expect(maxAbsDiff(normed[0] as tf.Tensor, toRef(expected))).toBeLessThan(1e-5);
    tf.dispose([x, ...plain, ...normed, expected]);
  });

  it('rejects bad options by name', () => {
    expect(() => simclr({ size: 0 })).toThrow(/'options.size'/);
    expect(() => simclr({ size: 32, strength: -1 })).toThrow(/'options.strength'/);
    expect(() => simclr({ size: 32, blur: 'yes' as never })).toThrow(/'options.blur'/);
    expect(() => simclr({ size: 32, views: 0 })).toThrow(/'options.views'/);
    expect(() => simclr({ size: 32, scale: [0.9, 0.1] })).toThrow(/'options.scale'/);
    expect(() => simclr({ size: 32, strenght: 0.5 } as never)).toThrow(/'options.strenght'/);
    expect(() => mocoV2({ size: 32, normalize: { mean: [0], std: [1] } })).toThrow(/'options.normalize.mean'/);
    expect(() => byol({ size: -3 })).toThrow(/'options.size'/);
    expect(() => multiView({ name: 'x', views: [] })).toThrow(/'options.views'/);
    expect(() => multiView({ name: '', views: [randomHorizontalFlip()] })).toThrow(/'options.name'/);
  });

  it('checkValues: false skips the value check (rank and channels are still checked)', () => {
    const recipe = simclr({ size: 8, checkValues: false });
    const big = tf.fill([1, 8, 8, 3], 1.5) as tf.Tensor4D;
    tf.dispose(recipe.apply(big, Rng.fromSeed(0)));
    expect(() => recipe.apply(tf.zeros([8, 8, 3]) as never, Rng.fromSeed(0))).toThrow(ShapeError);
    big.dispose();
  });
});

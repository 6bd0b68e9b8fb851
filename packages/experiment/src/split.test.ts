import { ConfigError } from '@contrastive/core';
import { createImageDataset, imageAt } from '@contrastive/data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededSplit, seededSubset, toRgb } from './split.js';

/** n one-pixel grey images whose byte is the image's index (mod 256), labels i mod 3. */
function dataset(n: number) {
  return createImageDataset({
    name: 'toy',
    images: Uint8Array.from({ length: n }, (_, i) => i % 256),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 3),
    height: 1,
    width: 1,
    channels: 1,
    classNames: ['a', 'b', 'c'],
  });
}

const ids = (d: ReturnType<typeof dataset>): number[] => Array.from(d.images);

describe('seededSplit', () => {
  it('property: a partition of the samples, round(n·f) in test, both in dataset order, same seed same split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (n, f, seed) => {
        const testCount = Math.round(n * f);
        fc.pre(testCount >= 1 && testCount < n);
        const { train, test } = seededSplit(dataset(n), f, seed);
        expect(test.length).toBe(testCount);
        expect([...ids(train), ...ids(test)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i % 256).sort((a, b) => a - b));
        for (const part of [train, test]) for (let i = 1; i < part.length; i++) expect(imageAt(part, i)[0]).toBeGreaterThan(imageAt(part, i - 1)[0] as number);
        expect(ids(seededSplit(dataset(n), f, seed).test)).toEqual(ids(test));
        expect(Array.from(test.labels)).toEqual(ids(test).map((v) => v % 3));
      }),
      { numRuns: 50 },
    );
  });

  it('different seeds hold out different samples', () => {
    expect(ids(seededSplit(dataset(100), 0.2, 1).test)).not.toEqual(ids(seededSplit(dataset(100), 0.2, 2).test));
  });

  it('a split that leaves one side empty is a ConfigError naming the key and the value', () => {
    const e = (() => {
      try {
        seededSplit(dataset(3), 0.1, 0);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).argument).toBe('config.data.testFraction');
    expect((e as ConfigError).received).toBe(0.1);
    expect((e as ConfigError).message).toContain('0.1 of 3 samples leaves an empty test split');
    expect(() => seededSplit(dataset(3), 0.9, 0)).toThrow('leaves an empty training split');
  });
});

describe('seededSubset and toRgb', () => {
  it('a subset keeps size samples in dataset order, and everything when it asks for more', () => {
    const d = dataset(50);
    const s = seededSubset(d, 10, 4);
    expect(s.length).toBe(10);
    expect(ids(s)).toEqual([...ids(s)].sort((a, b) => a - b));
    expect(ids(seededSubset(d, 10, 4))).toEqual(ids(s));
    expect(seededSubset(d, 50, 4)).toBe(d);
  });

  it('grey bytes are repeated into R, G and B; an RGB dataset is returned as it is', () => {
    const rgb = toRgb(dataset(4));
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.images)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(toRgb(rgb)).toBe(rgb);
  });
});

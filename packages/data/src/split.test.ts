import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Rng } from '@contrastive/core';
import { splitIndices } from './split.js';

describe('splitIndices', () => {
  it('disjoint sets that together hold every index once; per class round(n_c * f) in test', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer(), (labels, f, seed) => {
        const { train, test } = splitIndices(labels, { testFraction: f, rng: Rng.fromSeed(seed) });
        expect([...train, ...test].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
        for (let c = 0; c <= 4; c++) {
          const n = labels.filter((l) => l === c).length;
          expect(Array.from(test).filter((i) => labels[i] === c).length).toBe(Math.round(n * f));
        }
      }),
    );
  });

  it('same seed, same split; another seed, another split; unstratified takes round(n * f) overall', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 3);
    const a = splitIndices(labels, { testFraction: 0.3, rng: Rng.fromSeed(5) });
    expect(splitIndices(labels, { testFraction: 0.3, rng: Rng.fromSeed(5) })).toEqual(a);
    expect(splitIndices(labels, { testFraction: 0.3, rng: Rng.fromSeed(6) }).test).not.toEqual(a.test);
    expect(splitIndices(labels, { testFraction: 0.3, rng: Rng.fromSeed(5), stratify: false }).test.length).toBe(30);
  });

  it('checks its arguments by name', () => {
    expect(() => splitIndices([0, 1], { testFraction: 1, rng: Rng.fromSeed(0) })).toThrow(/options.testFraction/);
    expect(() => splitIndices([0, 1], { testFraction: 0.5, rng: 3 as never })).toThrow(ArgumentError);
  });
});

import { createImageDataset } from '@contrastive/data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balancedIndices } from './evaluate.js';

function dataset(labels: number[], classes: number) {
  return createImageDataset({
    name: 'toy',
    images: new Uint8Array(labels.length * 3),
    labels: Uint8Array.from(labels),
    height: 1,
    width: 1,
    channels: 3,
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
  });
}

describe('balancedIndices', () => {
  it('property: size distinct sorted indices, per-class counts as even as the data allows, deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 250 }), fc.integer({ min: 0, max: 1000 }), (labels, size, seed) => {
        const d = dataset(labels, 5);
        const idx = balancedIndices(d, size, seed);
        const n = Math.min(size, labels.length);
        expect(idx.length).toBe(n);
        expect(new Set(idx).size).toBe(n);
        for (let i = 1; i < idx.length; i++) expect(idx[i] as number).toBeGreaterThan(idx[i - 1] as number);
        expect(Array.from(balancedIndices(d, size, seed))).toEqual(Array.from(idx));
        // Reference: round-robin over classes gives every class min(available, q) or q + 1 samples.
        const available = [0, 1, 2, 3, 4].map((c) => labels.filter((l) => l === c).length);
        const picked = [0, 1, 2, 3, 4].map((c) => Array.from(idx).filter((i) => labels[i] === c).length);
        const capped = picked.filter((p, c) => p < (available[c] as number));
        if (capped.length > 1) expect(Math.max(...capped) - Math.min(...capped)).toBeLessThanOrEqual(1);
        picked.forEach((p, c) => {
          if (p < (available[c] as number)) expect(p).toBeGreaterThanOrEqual(Math.max(...picked) - 1);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('different seeds pick different subsets; the whole set is returned in order', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 10);
    const d = dataset(labels, 10);
    expect(Array.from(balancedIndices(d, 20, 1))).not.toEqual(Array.from(balancedIndices(d, 20, 2)));
    expect(Array.from(balancedIndices(d, 500, 1))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

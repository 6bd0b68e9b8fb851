import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ArgumentError } from '@contrastive/core';
import { cosineMomentum } from './cosine-momentum.js';

describe('cosineMomentum', () => {
  it('starts at the base momentum and ends at 1', () => {
    expect(cosineMomentum(0, 100, 0.996)).toBeCloseTo(0.996, 12);
    expect(cosineMomentum(100, 100, 0.996)).toBeCloseTo(1, 12);
    expect(cosineMomentum(50, 100, 0.99)).toBeCloseTo(0.995, 12);
  });

  it('rises monotonically within [base, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (total, base, raw) => {
        const t = raw % total;
        const a = cosineMomentum(t, total, base);
        const b = cosineMomentum(t + 1, total, base);
        expect(b).toBeGreaterThanOrEqual(a - 1e-15);
        expect(a).toBeGreaterThanOrEqual(base - 1e-15);
        expect(b).toBeLessThanOrEqual(1 + 1e-15);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects out-of-range arguments', () => {
    expect(() => cosineMomentum(11, 10, 0.9)).toThrow(/'step'/);
    expect(() => cosineMomentum(-1, 10, 0.9)).toThrow(ArgumentError);
    expect(() => cosineMomentum(0, 0, 0.9)).toThrow(/'totalSteps'/);
    expect(() => cosineMomentum(0, 10, 1.5)).toThrow(/'base'/);
  });
});

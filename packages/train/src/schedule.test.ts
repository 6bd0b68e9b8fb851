import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ArgumentError } from '@contrastive/core';
import { constantLr, scaleLearningRate, warmupCosine } from './schedule.js';

describe('warmupCosine', () => {
  it('ramps linearly to the base rate, then follows the half cosine down to the final rate', () => {
    const lr = warmupCosine({ baseLr: 1, warmupSteps: 4, totalSteps: 14, finalLr: 0.1 });
    expect([0, 1, 2, 3].map(lr)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(lr(4)).toBeCloseTo(1, 12);
    expect(lr(9)).toBeCloseTo(0.55, 12); // halfway through the cosine
    expect(lr(14)).toBe(0.1);
    expect(lr(100)).toBe(0.1);
    expect(lr.config).toEqual({ kind: 'warmupCosine', baseLr: 1, totalSteps: 14, warmupSteps: 4, finalLr: 0.1 });
  });

  it('increases during warmup and never increases after it, staying within [final, base]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 499 }), fc.double({ min: 0.001, max: 10, noNaN: true }), fc.nat(), (total, warmRaw, base, raw) => {
        const warmupSteps = warmRaw % total;
        const lr = warmupCosine({ baseLr: base, warmupSteps, totalSteps: total });
        const t = raw % (total + 5);
        const a = lr(t);
        const b = lr(t + 1);
        if (t + 1 < warmupSteps) expect(b).toBeGreaterThan(a);
        else if (t >= warmupSteps) expect(b).toBeLessThanOrEqual(a + 1e-12);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(base * (1 + 1e-12));
      }),
      { numRuns: 100 },
    );
  });

  it('rejects bad options and steps', () => {
    expect(() => warmupCosine({ baseLr: 1, totalSteps: 10, warmupSteps: 10 })).toThrow(/options\.warmupSteps/);
    expect(() => warmupCosine({ baseLr: -1, totalSteps: 10 })).toThrow(/options\.baseLr/);
    expect(() => warmupCosine({ baseLr: 1, totalSteps: 0 })).toThrow(/options\.totalSteps/);
    expect(() => warmupCosine({ baseLr: 1, totalSteps: 10 })(-1)).toThrow(ArgumentError);
    expect(() => constantLr(Number.NaN)).toThrow(/learningRate/);
    expect(constantLr(0.1)(7)).toBe(0.1);
  });
});

describe('scaleLearningRate', () => {
  it("uses SimCLR's rules: 0.3 × B/256 (linear) and 0.075 × sqrt(B)", () => {
    expect(scaleLearningRate({ batchSize: 256, rule: 'linear' })).toBeCloseTo(0.3, 12);
    expect(scaleLearningRate({ batchSize: 4096, rule: 'linear' })).toBeCloseTo(4.8, 12);
    expect(scaleLearningRate({ batchSize: 4096, rule: 'sqrt' })).toBeCloseTo(4.8, 12);
    expect(scaleLearningRate({ batchSize: 256, rule: 'sqrt' })).toBeCloseTo(1.2, 12);
    expect(scaleLearningRate({ batchSize: 512, rule: 'linear', baseLr: 0.03 })).toBeCloseTo(0.06, 12);
  });

  it('scales linearly or by the square root in the batch size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 1, max: 8 }), (b, k) => {
        expect(scaleLearningRate({ batchSize: b * k, rule: 'linear' })).toBeCloseTo(k * scaleLearningRate({ batchSize: b, rule: 'linear' }), 9);
        expect(scaleLearningRate({ batchSize: b * k * k, rule: 'sqrt' })).toBeCloseTo(k * scaleLearningRate({ batchSize: b, rule: 'sqrt' }), 9);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad options', () => {
    expect(() => scaleLearningRate({ batchSize: 0, rule: 'linear' })).toThrow(/options\.batchSize/);
    expect(() => scaleLearningRate({ batchSize: 8, rule: 'log' as 'linear' })).toThrow(/options\.rule/);
    expect(() => scaleLearningRate({ batchSize: 8, rule: 'sqrt', baseLr: 0 })).toThrow(/options\.baseLr/);
  });
});

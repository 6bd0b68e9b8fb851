import { expect } from 'vitest';
import { lossEnds, type LearningRun } from './learning.js';

/**
 * Asserts what every learning test asserts: kNN at least `margin` above the same encoder at
 * random init, the mean of the last 20 losses below the first 20's, a flat tensor count once
 * the optimizer's slots exist (from step 2 on).
 */
export function expectLearned(run: LearningRun, margin = 0.02): void {
  expect(run.after.knn).toBeGreaterThan(run.before.knn + margin);
  const { first, last } = lossEnds(run.losses);
  expect(last).toBeLessThan(first);
  expect(new Set(run.tensorCounts.slice(2)).size).toBe(1);
}


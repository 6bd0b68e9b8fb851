/**
 * SimCLR learns on exact CIFAR-10 images: kNN above the same encoder at random init, loss
 * decreasing, tensor count flat (issue 15, point 5); and it trains with multi-crop views.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { simclr as simclrAugment } from '@contrastive/augment';
import { SIDE, describeRun, learn, learningParts, loadLearningData, lossEnds, type LearningData } from '../test/learning.js';
import { simclr } from './simclr.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('simclr learns', () => {
  it('kNN above random init, loss decreasing, tensor count flat', () => {
    const { encoder, head } = learningParts(1);
    const strategy = simclr({ encoder, head, temperature: 0.5, augment: simclrAugment({ size: SIDE, strength: 0.5, blur: false, checkValues: false }) });
    const run = learn(strategy, encoder, data, { steps: Number(process.env['STEPS'] ?? 200), lr: 0.05 });
    console.log(describeRun('simclr', run));
    expect(run.after.knn).toBeGreaterThan(run.before.knn + 0.02);
    const { first, last } = lossEnds(run.losses);
    expect(last).toBeLessThan(first);
    expect(new Set(run.tensorCounts.slice(2)).size).toBe(1);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });
});

/**
 * SimCLR learns on exact CIFAR-10 images (issue 15, point 5): kNN above the same encoder at
 * random init, loss decreasing, tensor count flat.
 */
import { beforeAll, describe, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { simclr } from './simclr.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('simclr learns', () => {
  it('kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    const { encoder, head } = learningParts(1);
    const strategy = simclr({ encoder, head, temperature: 0.5, augment: learningAugment('simclr') });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05 });
    console.log(describeRun('simclr', run));
    expectLearned(run);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });
});

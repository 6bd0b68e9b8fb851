/**
 * Barlow Twins (Zbontar et al. 2021) learns on exact CIFAR-10 images (issue 15, point 5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { barlowTwins } from './barlow-twins.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('barlowTwins', () => {
  it('learns: kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    // Barlow Twins wants a wide projector (the paper: 8192) and, at this scale, Adam: SGD at lr
    // 0.01 or 0.05 lowered kNN below random init in 200 steps.
    const { encoder, head } = learningParts(11, { hiddenDim: 256, outputDim: 256 });
    const strategy = barlowTwins({ encoder, head, lambda: 5e-3, augment: learningAugment('simclr') });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 1e-3, optimizer: 'adam' });
    console.log(describeRun('barlowTwins', run));
    expectLearned(run);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('rejects a negative lambda and unknown options by name', () => {
    const { encoder, head } = learningParts(12);
    expect(() => barlowTwins({ encoder, head, lambda: -1, augment: learningAugment('byol') })).toThrow(/options.lambda/);
    expect(() => barlowTwins({ encoder, head, lamda: 1 } as never)).toThrow(/options.lamda/);
    encoder.dispose();
    head.dispose();
  });
});

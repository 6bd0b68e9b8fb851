/**
 * VICReg (Bardes et al. 2022) learns on exact CIFAR-10 images (issue 15, point 5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { vicreg } from './vicreg.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('vicreg', () => {
  it('learns: kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    // VICReg's variance and covariance terms want a wide projector ("expander"; the paper: 8192)
    // and, at this scale, Adam: SGD at lr 0.01 or 0.05 lowered kNN below random init in 200 steps.
    const { encoder, head } = learningParts(11, { hiddenDim: 256, outputDim: 256 });
    const strategy = vicreg({ encoder, head, augment: learningAugment('simclr') });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 1e-3, optimizer: 'adam' });
    console.log(describeRun('vicreg', run));
    expectLearned(run);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('rejects bad weights and unknown options by name', () => {
    const { encoder, head } = learningParts(14);
    expect(() => vicreg({ encoder, head, variance: -1, augment: learningAugment('byol') })).toThrow(/options.variance/);
    expect(() => vicreg({ encoder, head, epsilon: 0, augment: learningAugment('byol') })).toThrow(/options.epsilon/);
    expect(() => vicreg({ encoder, head, varience: 1 } as never)).toThrow(/options.varience/);
    encoder.dispose();
    head.dispose();
  });
});

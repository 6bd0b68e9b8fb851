/**
 * DCL and DCLW (Yeh et al. 2022) learn on exact CIFAR-10 images (issue 15, point 5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { dcl } from './dcl.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('dcl', () => {
  it('learns: kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    const { encoder, head } = learningParts(15);
    const strategy = dcl({ encoder, head, temperature: 0.2, augment: learningAugment('simclr') });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05 });
    console.log(describeRun('dcl', run));
    expectLearned(run);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('sigma makes it DCLW; bad values and unknown options are errors by name', () => {
    const { encoder, head } = learningParts(16);
    expect(dcl({ encoder, head, sigma: 0.5, augment: learningAugment('simclr') }).name).toBe('dclw');
    expect(() => dcl({ encoder, head, temperature: -1, augment: learningAugment('simclr') })).toThrow(/options.temperature/);
    expect(() => dcl({ encoder, head, sigma: 0, augment: learningAugment('simclr') })).toThrow(/options.sigma/);
    expect(() => dcl({ encoder, head, tau: 0.1 } as never)).toThrow(/options.tau/);
    encoder.dispose();
    head.dispose();
  });
});

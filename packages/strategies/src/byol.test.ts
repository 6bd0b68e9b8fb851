/**
 * BYOL (Grill et al. 2020): learns on exact CIFAR-10 images (issue 15, point 5), its target is
 * a momentum copy under a cosine schedule that receives no gradient, and its options are checked.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { byol } from './byol.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('byol', () => {
  it('learns: kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    const { encoder, head } = learningParts(2);
    const strategy = byol({ encoder, head, predictorHiddenDim: 128, momentum: 0.99, cosineSchedule: { totalSteps: 200 }, augment: learningAugment('byol'), seed: 3 });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05 });
    console.log(describeRun('byol', run));
    expectLearned(run);
    // the cosine schedule rises from τ_base to 1
    expect(strategy.keyBranch.momentumAt(0)).toBeCloseTo(0.99, 10);
    expect(strategy.keyBranch.momentumAt(200)).toBeCloseTo(1, 10);
    strategy.dispose();
    expect(strategy.predictor.trainableVariables.every((v) => v.isDisposed)).toBe(true);
    encoder.dispose();
    head.dispose();
  });

  it('the target network gets no gradient; the predictor is trained; unknown options are errors', () => {
    const { encoder, head } = learningParts(4);
    const strategy = byol({ encoder, head, predictorHiddenDim: 16, augment: learningAugment('byol') });
    const target = new Set(strategy.nonTrainableVariables.map((v) => v.name));
    expect(strategy.trainableVariables.some((v) => target.has(v.name))).toBe(false);
    expect(strategy.trainableVariables.length).toBe(encoder.trainableVariables.length + head.trainableVariables.length + strategy.predictor.trainableVariables.length);
    expect([...strategy.stateDict!().keys()].filter((k) => k.startsWith('head.predictor.')).length).toBeGreaterThan(0);
    expect(() => byol({ encoder, head, momentun: 0.9 } as never)).toThrow(/options.momentun/);
    expect(() => byol({ encoder, head, momentum: 2, augment: learningAugment('byol') })).toThrow(/options.momentum/);
    const before = tf.memory().numTensors;
    strategy.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    encoder.dispose();
    head.dispose();
  });
});

/**
 * SimSiam (Chen & He 2021): learns on exact CIFAR-10 images (issue 15, point 5), and without its
 * stop-gradient it collapses: the std of the L2-normalised projections z falls towards 0 and
 * their effective rank towards 1, while with the stop-gradient both grow (Sec. 4.1, Fig. 2
 * plots the std of the l2-normalised output z). The projector is SimCLR v1's MLP, whose output
 * can reach a constant (an output BatchNorm without shift, as in SimCLR v2's head, keeps z
 * centred and slows the collapse down far beyond a test's budget).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, lossEnds, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { simsiam } from './simsiam.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('simsiam', () => {
  it('learns with the stop-gradient; collapses without it (embedding std -> 0, RankMe -> 1)', { timeout: LEARNING_TIMEOUT_MS }, () => {
    const runs = [true, false].map((stopGradient) => {
      const { encoder, head } = learningParts(5, { head: 'v1' });
      const strategy = simsiam({ encoder, head, predictorHiddenDim: 16, stopGradient, augment: learningAugment('simclr'), seed: 6 });
      const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05, head });
      console.log(describeRun(stopGradient ? 'simsiam' : 'simsiam without stop-gradient', run));
      strategy.dispose();
      encoder.dispose();
      head.dispose();
      return run;
    });
    const [kept, removed] = runs as [ReturnType<typeof learn>, ReturnType<typeof learn>];
    expectLearned(kept);
    const at = (m: { headStd?: number; headRank?: number }) => ({ std: m.headStd as number, rank: m.headRank as number });
    // With the stop-gradient the projections spread out ...
    expect(at(kept.after).std).toBeGreaterThan(2 * at(kept.before).std);
    // ... without it they fall together: std below its value at init and far below the kept run's,
    // effective rank towards 1, and the loss near its collapsed minimum of -1.
    expect(at(removed.after).std).toBeLessThan(at(removed.before).std);
    expect(at(removed.after).std).toBeLessThan(0.2 * at(kept.after).std);
    expect(at(removed.after).rank).toBeLessThan(at(kept.after).rank / 2);
    expect(lossEnds(removed.losses).last).toBeLessThan(-0.85);
  });

  it('unknown or ill-typed options are errors naming the option', () => {
    const { encoder, head } = learningParts(7);
    expect(() => simsiam({ encoder, head, stopGradient: 'no' as unknown as boolean, augment: learningAugment('simclr') })).toThrow(/options.stopGradient/);
    expect(() => simsiam({ encoder, head, stopgradient: false } as never)).toThrow(/options.stopgradient/);
    encoder.dispose();
    head.dispose();
  });
});

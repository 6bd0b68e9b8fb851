/**
 * SimSiam (Chen & He 2021): learns on exact CIFAR-10 images (issue 15, point 5), and without its
 * stop-gradient it collapses: the std of the L2-normalised embeddings goes to 0 while with the
 * stop-gradient it does not (Sec. 4.1, Fig. 2).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, expectLearned, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { simsiam } from './simsiam.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('simsiam', () => {
  it('learns with the stop-gradient; collapses without it (embedding std -> 0, RankMe -> 1)', () => {
    const runs = [true, false].map((stopGradient) => {
      const { encoder, head } = learningParts(5);
      const strategy = simsiam({ encoder, head, predictorHiddenDim: 16, stopGradient, augment: learningAugment('simclr'), seed: 6 });
      const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05 });
      console.log(describeRun(stopGradient ? 'simsiam' : 'simsiam without stop-gradient', run));
      strategy.dispose();
      encoder.dispose();
      head.dispose();
      return run;
    });
    const [kept, removed] = runs as [ReturnType<typeof learn>, ReturnType<typeof learn>];
    expectLearned(kept);
    // Collapse: every image maps to (nearly) the same point.
    expect(removed.after.std).toBeLessThan(0.1 * kept.after.std);
    expect(removed.after.rank).toBeLessThan(kept.after.rank / 2);
    expect(removed.after.knn).toBeLessThan(kept.after.knn);
  });

  it('unknown or ill-typed options are errors naming the option', () => {
    const { encoder, head } = learningParts(7);
    expect(() => simsiam({ encoder, head, stopGradient: 'no' as unknown as boolean, augment: learningAugment('simclr') })).toThrow(/options.stopGradient/);
    expect(() => simsiam({ encoder, head, stopgradient: false } as never)).toThrow(/options.stopgradient/);
    encoder.dispose();
    head.dispose();
  });
});

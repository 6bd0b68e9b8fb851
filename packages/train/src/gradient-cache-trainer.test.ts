// The trainer's `gradientCache` option: the same training as the plain step for a
// BatchNorm-free encoder, and typed errors naming the option.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { Trainer, train, type StepInfo } from './trainer.js';
import { sgd } from './sgd.js';
import { imageBatch, maxAbs, readVariables, tinySimclr } from '../test/gradient-cache-fixtures.js';
import { toyData, toyStrategy } from '../test/toy-strategy.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('Trainer gradientCache option', () => {
  it('trains a BatchNorm-free SimCLR to the same losses and weights as the plain step', async () => {
    const run = async (gradientCache?: { chunkSize: number }) => {
      const kit = tinySimclr({ batchNorm: false, seed: 7 });
      const stages = kit.strategy.stages!;
      let embedCalls = 0; // the plain step's strategy.loss does not go through this wrapper
      const strategy = { ...kit.strategy, stages: { ...stages, embed: (x: tf.Tensor4D) => (embedCalls++, stages.embed(x)) } };
      const steps: StepInfo[] = [];
      await train({
        strategy,
        data: () => [imageBatch(5, 1), imageBatch(5, 2), imageBatch(4, 3)],
        epochs: 2,
        optimizer: sgd({ momentum: 0.9 }),
        learningRate: 0.1,
        seed: 4,
        progress: false,
        callbacks: { onStepEnd: (info) => void steps.push(info) },
        ...(gradientCache ? { gradientCache } : {}),
      });
      const weights = readVariables(kit.strategy.trainableVariables);
      kit.dispose();
      return { losses: steps.map((s) => s.loss), weights: Object.values(weights), embedCalls };
    };
    const before = tf.memory().numTensors;
    const plain = await run();
    const cached = await run({ chunkSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(cached.losses).toHaveLength(6);
    // 6 steps; 2 views of 5, 5 or 4 rows in chunks of 3 = 4 chunks, embedded in both passes.
    expect([plain.embedCalls, cached.embedCalls]).toEqual([0, 6 * 4 * 2]);
    cached.losses.forEach((l, i) => expect(Math.abs(l - (plain.losses[i] as number))).toBeLessThanOrEqual(1e-4 * Math.abs(l)));
    cached.weights.forEach((w, i) => {
      const p = plain.weights[i] as Float32Array;
      const scale = maxAbs(p);
      w.forEach((x, j) => expect(Math.abs(x - (p[j] as number))).toBeLessThanOrEqual(1e-4 * scale));
    });
    // The steps moved the weights (the comparison is not between two untouched copies).
    const init = tinySimclr({ batchNorm: false, seed: 7 });
    const initial = Object.values(readVariables(init.strategy.trainableVariables));
    init.dispose();
    expect(plain.weights.some((w, i) => w.some((x, j) => Math.abs(x - ((initial[i] as Float32Array)[j] as number)) > 1e-4))).toBe(true);
  });

  it('refuses a strategy without stages and bad options, naming options.gradientCache', () => {
    const toy = toyStrategy({ prefix: 'gc-no-stages' });
    const base = { data: toyData(), epochs: 1, optimizer: sgd(), learningRate: 0.1, progress: false } as const;
    const make = (strategy: unknown, gradientCache: unknown) => () => new Trainer({ ...base, strategy, gradientCache } as never);
    expect(make(toy, { chunkSize: 4 })).toThrow(ArgumentError);
    expect(make(toy, { chunkSize: 4 })).toThrow(/argument 'options\.gradientCache' needs a strategy with 'stages'.*'toy-simclr' has none/);
    const kit = tinySimclr({ batchNorm: false, seed: 8 });
    for (const chunkSize of [0, 1.5, '8', undefined]) {
      expect(make(kit.strategy, { chunkSize })).toThrow(/argument 'options\.gradientCache\.chunkSize' must be an integer >= 1/);
    }
    for (const bad of [8, null, [8]]) {
      expect(make(kit.strategy, bad)).toThrow(/argument 'options\.gradientCache' must be an options object/);
    }
    // The plain trainer still accepts the stage-less strategy.
    new Trainer({ ...base, strategy: toy }).dispose();
    kit.dispose();
    toy.dispose();
  });
});

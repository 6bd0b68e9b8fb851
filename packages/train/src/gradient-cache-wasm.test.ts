// The gradient cache on the wasm engine (the engine whose 4 GiB heap it is for): the same loss and
// gradients as the full-batch step for a BatchNorm-free ConvNet, and no leak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { computeLossAndGradientsCached, planChunks } from './gradient-cache.js';
import { computeLossAndGradients, disposeLossAndGradients } from './step.js';
import { expectGradsClose, imageBatch, readVariables, tinySimclr, writeVariables, type TinySimclr } from '../test/gradient-cache-fixtures.js';

let kit: TinySimclr;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  kit = tinySimclr({ batchNorm: false, seed: 5 });
});
afterAll(() => kit.dispose());

describe('gradient cache on wasm', () => {
  for (const [b, chunkSize] of [
    [6, 2],
    [7, 3],
  ] as const) {
    it(`batch ${b}, chunks of ${chunkSize}: full-batch loss and gradients, no leak`, () => {
      expect(tf.getBackend()).toBe('wasm');
      const { strategy } = kit;
      const state = strategy.init(Rng.fromSeed(0));
      const batch = imageBatch(b, 60 + b);
      const full = computeLossAndGradients(strategy, batch, state, Rng.fromSeed(3));
      const before = tf.memory().numTensors;
      const cached = computeLossAndGradientsCached(strategy, batch, state, Rng.fromSeed(3), { chunkSize });
      const l0 = full.loss.dataSync()[0] as number;
      expect(Math.abs((cached.loss.dataSync()[0] as number) - l0)).toBeLessThanOrEqual(1e-5 * Math.abs(l0));
      expectGradsClose(cached.grads, full.grads);
      disposeLossAndGradients(cached);
      expect(tf.memory().numTensors).toBe(before);
      disposeLossAndGradients(full);
      batch.images.dispose();
    });
  }

  it('with BatchNorm: the running averages are those of one training pass per chunk', () => {
    const bn = tinySimclr({ batchNorm: true, seed: 6 });
    const { strategy } = bn;
    const stages = strategy.stages!;
    const stats = strategy.nonTrainableVariables;
    const initial = readVariables(stats);
    const state = strategy.init(Rng.fromSeed(0));
    const batch = imageBatch(5, 71);
    const before = tf.memory().numTensors;
    disposeLossAndGradients(computeLossAndGradientsCached(strategy, batch, state, Rng.fromSeed(2), { chunkSize: 3 }));
    expect(tf.memory().numTensors).toBe(before);
    const after = readVariables(stats);
    writeVariables(stats, initial);
    tf.tidy(() => {
      const views = stages.views(batch, Rng.fromSeed(2));
      for (const c of planChunks([5, 5], 3)) stages.embed(tf.slice(views[c.view] as tf.Tensor4D, c.start, c.size));
    });
    const once = readVariables(stats);
    for (const v of stats) {
      const e = once[v.name] as Float32Array;
      (after[v.name] as Float32Array).forEach((x, i) => expect(Math.abs(x - (e[i] as number))).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(e[i] as number))));
      expect(Array.from(e)).not.toEqual(Array.from(initial[v.name] as Float32Array)); // the pass did move them
    }
    batch.images.dispose();
    bn.dispose();
  });
});

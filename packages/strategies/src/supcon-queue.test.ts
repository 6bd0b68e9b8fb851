/**
 * SupCon + labelled momentum queue + momentum encoder: learns on exact CIFAR-10 images
 * (issue 15, point 5); the queue stores each key's label, and a checkpoint restores both.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Batch, type StepAux } from '@contrastive/core';
import { batchFromIndices } from '@contrastive/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNING_TIMEOUT_MS, describeRun, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { expectLearned } from '../test/expect-learned.js';
import { supconQueue } from './supcon-queue.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

describe('supconQueue', () => {
  it('learns: kNN above random init, loss decreasing, tensor count flat', { timeout: LEARNING_TIMEOUT_MS }, () => {
    const { encoder, head } = learningParts(17);
    const strategy = supconQueue({ encoder, head, queueSize: 512, momentum: 0.99, temperature: 0.1, augment: learningAugment('simclr') });
    const run = learn(strategy, encoder, data, { steps: 200, lr: 0.05 });
    console.log(describeRun('supconQueue', run));
    expectLearned(run);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('enqueues the last global view keys with the batch labels; a checkpoint restores keys and labels', () => {
    const { encoder, head } = learningParts(18);
    const strategy = supconQueue({ encoder, head, queueSize: 40, augment: learningAugment('simclr', { count: 1, size: 8 }) });
    const rng = Rng.fromSeed(4);
    let state = strategy.init(rng.split());
    const written: number[] = [];
    for (let step = 0; step < 3; step++) {
      const batch = batchFromIndices(data.train, Array.from({ length: 16 }, (_, i) => 16 * step + i)) as Batch;
      written.push(...Array.from(batch.labels!.dataSync()));
      let aux: StepAux = { tensors: {} };
      tf.tidy(() => {
        const out = strategy.loss(batch, state, rng.split());
        for (const t of Object.values(out.aux.tensors)) tf.keep(t);
        aux = out.aux;
      });
      state = strategy.afterStep(state, aux, batch, step);
      tf.dispose([...Object.values(aux.tensors), batch.images, batch.labels!]);
    }
    // slots 0..39 after 48 keys: pointer 8; slot j holds key j+40 for j < 8, else key j
    const expected = Array.from({ length: 40 }, (_, j) => (j < 8 ? written[j + 40] : written[j]));
    expect(Array.from(state.negatives!.labels!.dataSync())).toEqual(expected);
    const saved = strategy.serializeState(state);
    const restored = strategy.deserializeState(saved);
    expect(Array.from(restored.negatives!.labels!.dataSync())).toEqual(expected);
    expect(restored.negatives!.keys.arraySync()).toEqual(state.negatives!.keys.arraySync());
    tf.dispose(Object.values(saved.tensors));
    strategy.disposeState(restored);
    strategy.disposeState(state);
    expect(() => supconQueue({ encoder, head, variant: 'both' as 'out', augment: learningAugment('simclr') })).toThrow(/options.variant/);
    expect(() => supconQueue({ encoder, head, queuesize: 3 } as never)).toThrow(/options.queuesize/);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });
});

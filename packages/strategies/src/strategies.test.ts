/**
 * Each named strategy's loss decreases on a small real batch set (64 exact CIFAR-10 images
 * from ../shared/data), training a tiny ConvNet + MLP head with SGD on the wasm engine, and
 * each strategy leaks no tensor across steps.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng, type Batch, type Strategy, type StepAux } from '@contrastive/core';
import { batchFromIndices, type ImageDataset } from '@contrastive/data';
import { readCifar10Binary } from '@contrastive/data/node';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '../../../test/shared-data.js';
import { instDisc } from './inst-disc.js';
import { mocoV2 } from './moco-v2.js';
import { simclr } from './simclr.js';
import { supcon } from './supcon.js';

let data: ImageDataset;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  data = await readCifar10Binary(path.join(sharedDataDir(), 'cifar10', 'lossless', 'test_first1000.bin'), { limit: 64 });
});

const parts = (seed: number) => {
  const encoder = convNet({ widths: [8, 16], inputShape: [32, 32, 3], seed });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 32, outputDim: 16, seed: seed + 1 });
  return { encoder, head };
};

/** Trains `steps` SGD steps over two fixed batches of 32; returns the loss of every step. */
function trainLosses<S>(strategy: Strategy<S>, steps: number, lr = 0.05): number[] {
  const optimizer = tf.train.momentum(lr, 0.9);
  const rng = Rng.fromSeed(11);
  let state = strategy.init(rng.split());
  const batches = [0, 1].map((k) => batchFromIndices(data, Array.from({ length: 32 }, (_, i) => k * 32 + i)));
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = batches[step % 2] as Batch;
    let aux: StepAux = { tensors: {} };
    const value = optimizer.minimize(() => {
      const out = strategy.loss(batch, state, rng.split());
      for (const t of Object.values(out.aux.tensors)) tf.keep(t);
      aux = out.aux;
      return out.loss;
    }, true, strategy.trainableVariables as tf.Variable[]);
    losses.push(value!.dataSync()[0]!);
    value!.dispose();
    state = strategy.afterStep(state, aux, batch, step);
    tf.dispose(Object.values(aux.tensors));
    counts.push(tf.memory().numTensors);
  }
  // flat tensor count once the optimizer's slots exist (after step 1)
  expect(new Set(counts.slice(2)).size).toBe(1);
  strategy.disposeState(state);
  batches.forEach((b) => tf.dispose([b.images, ...(b.labels ? [b.labels] : [])]));
  optimizer.dispose();
  return losses;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('named strategies train on real CIFAR-10 images', () => {
  it('simclr: NT-Xent decreases', () => {
    const { encoder, head } = parts(1);
    const losses = trainLosses(simclr({ encoder, head, temperature: 0.5 }), 24);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
    encoder.dispose();
    head.dispose();
  });

  it('supcon (L_out and L_in): loss decreases with labels', () => {
    for (const variant of ['out', 'in'] as const) {
      const { encoder, head } = parts(2);
      const losses = trainLosses(supcon({ encoder, head, variant, temperature: 0.1 }), 16);
      expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
      encoder.dispose();
      head.dispose();
    }
  });

  it('mocoV2: InfoNCE against the queue decreases', () => {
    const { encoder, head } = parts(3);
    // The queue holds exactly the previous batch (the other 32 images): with 64 images in all,
    // a longer queue would hold stale keys of the query's own image (false negatives).
    const strategy = mocoV2({ encoder, head, queueSize: 32, momentum: 0.9, temperature: 0.2, shuffleGroups: 2 });
    const losses = trainLosses(strategy, 24);
    // step 0 reads the random initial queue; compare from step 1 on
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(1, 5)));
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('instDisc: loss against the memory bank decreases', () => {
    const { encoder, head } = parts(4);
    const losses = trainLosses(instDisc({ encoder, head, datasetSize: 64, numNegatives: 32, temperature: 0.1 }), 24);
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
    encoder.dispose();
    head.dispose();
  });

  it('mocoV2 momentum: m=1 freezes the key encoder, and keys carry no gradient to it', () => {
    const { encoder, head } = parts(5);
    const strategy = mocoV2({ encoder, head, queueSize: 64, momentum: 1 });
    const before = strategy.keyBranch.nonTrainableVariables.map((v) => Array.from(v.dataSync()));
    trainLosses(strategy, 3);
    const after = strategy.keyBranch.nonTrainableVariables.map((v) => Array.from(v.dataSync()));
    // the key branch's parameters are unchanged (its BN running statistics are its own and move)
    const keyParams = strategy.keyBranch.keyEncoder.trainableVariables.length + 0;
    expect(after.slice(0, keyParams)).toEqual(before.slice(0, keyParams));
    expect(strategy.trainableVariables.some((v) => strategy.keyBranch.nonTrainableVariables.includes(v))).toBe(false);
    strategy.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('bad input: supcon without labels, instDisc without indices, bad momentum', () => {
    const { encoder, head } = parts(6);
    const x = tf.zeros([4, 32, 32, 3]) as tf.Tensor4D;
    const s = supcon({ encoder, head });
    expect(() => s.loss({ images: x }, s.init(Rng.fromSeed(1)), Rng.fromSeed(1))).toThrow(/'batch.labels' is required/);
    const d = instDisc({ encoder, head, datasetSize: 8, numNegatives: 4 });
    const st = d.init(Rng.fromSeed(1));
    expect(() => tf.tidy(() => d.loss({ images: x }, st, Rng.fromSeed(1)).loss)).toThrow(/'batch.indices' is required/);
    d.disposeState(st);
    expect(() => mocoV2({ encoder, head, momentum: 1.5 })).toThrow(ArgumentError);
    expect(() => mocoV2({ encoder, head, shuffleGroups: 0 })).toThrow(/'options.shuffleGroups'/);
    x.dispose();
    encoder.dispose();
    head.dispose();
  });

  it('validate: per-step value checks only when asked (each one is a host read-back)', () => {
    const { encoder, head } = parts(7);
    const bad = tf.fill([4, 32, 32, 3], 2) as tf.Tensor4D; // outside [0, 1]
    const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
    for (const validate of [true, false]) {
      const strategies = [
        simclr({ encoder, head, validate }),
        supcon({ encoder, head, validate }),
        mocoV2({ encoder, head, queueSize: 8, validate }),
        instDisc({ encoder, head, datasetSize: 8, numNegatives: 4, validate }),
      ] as Strategy<unknown>[];
      for (const s of strategies) {
        const state = s.init(Rng.fromSeed(1));
        const batch = { images: bad, labels, indices: Int32Array.from([0, 1, 2, 3]) };
        const run = () => tf.tidy(() => s.loss(batch, state, Rng.fromSeed(1)).loss);
        if (validate) expect(run, s.name).toThrow(/values in \[0, 1\]/);
        else expect(run, s.name).not.toThrow();
        s.dispose();
      }
    }
    expect(() => simclr({ encoder, head, validate: 'yes' as never })).toThrow(/'options.validate' must be a boolean/);
    tf.dispose([bad, labels]);
    encoder.dispose();
    head.dispose();
  });
});

describe('stateDict: every variable of a strategy by a stable path', () => {
  it('covers trainable and non-trainable variables exactly, with paths independent of construction order', () => {
    const build = () => {
      const { encoder, head } = parts(7);
      const strategy = mocoV2({ encoder, head, queueSize: 32 });
      return { encoder, head, strategy };
    };
    const a = build();
    const unrelated = parts(8);
    const b = build();
    const dict = a.strategy.stateDict?.() as ReadonlyMap<string, tf.Variable>;
    expect(new Set(dict.values())).toEqual(new Set([...a.strategy.trainableVariables, ...a.strategy.nonTrainableVariables]));
    expect(dict.size).toBe(a.strategy.trainableVariables.length + a.strategy.nonTrainableVariables.length);
    expect([...dict.keys()]).toEqual([...(b.strategy.stateDict?.().keys() ?? [])]);
    expect(dict.get('encoder.block1.conv.kernel')).toBe(a.encoder.variable('block1.conv.kernel'));
    expect(dict.get('head.layer2.bias')).toBe(a.head.variable('layer2.bias'));
    expect(dict.get('keyBranch.encoder.block2.bn.moving_mean')).toBe(a.strategy.keyBranch.keyEncoder.variable('block2.bn.moving_mean'));
    expect(dict.has('keyBranch.head.layer1.kernel')).toBe(true);
    const plain = simclr({ encoder: a.encoder, head: a.head });
    expect([...(plain.stateDict?.().keys() ?? [])].every((p) => p.startsWith('encoder.') || p.startsWith('head.'))).toBe(true);
    for (const x of [a, b]) {
      x.strategy.keyBranch.dispose();
      x.encoder.dispose();
      x.head.dispose();
    }
    unrelated.encoder.dispose();
    unrelated.head.dispose();
  });
});

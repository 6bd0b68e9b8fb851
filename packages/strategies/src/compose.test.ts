import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import {
  ArgumentError,
  DisposedError,
  Rng,
  type ContrastiveLoss,
  type Encoder,
  type NegativeSource,
  type ProjectionHead,
  type SerializedState,
  type ViewAugmenter,
  type Batch,
  type StepAux,
  type Strategy,
} from '@contrastive/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import type { KeyBranch } from './key-branch.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

// Toy parts, each honouring its core contract, so compose() is tested on its own.
const noiseAugment: ViewAugmenter = {
  name: 'noise',
  numViews: 2,
  apply: (images, rng) =>
    [0, 1].map(() => tf.tidy(() => tf.clipByValue(tf.add(images, tf.randomUniform(images.shape, -0.05, 0.05, 'float32', rng.seed())), 0, 1) as tf.Tensor4D)),
};
function linearEncoder(inputSize: number, dim: number, seed: number): Encoder {
  const w = tf.variable(tf.randomNormal([inputSize, dim], 0, 0.1, 'float32', seed));
  return {
    name: 'linear-encoder',
    outputDim: dim,
    trainableVariables: [w],
    nonTrainableVariables: [],
    apply: (x) => tf.tidy(() => tf.matMul(tf.reshape(x, [x.shape[0], -1]), w) as tf.Tensor2D),
    dispose: () => w.dispose(),
  };
}
function identityHead(dim: number): ProjectionHead {
  return {
    name: 'identity', inputDim: dim, outputDim: dim, trainableVariables: [], nonTrainableVariables: [],
    apply: (h) => tf.clone(h), dispose: () => undefined,
  };
}
/** Mean squared distance between the normalised views, plus the mean similarity to negatives. */
const toyLoss: ContrastiveLoss = {
  name: 'toy',
  compute: ({ views, negatives, labels }) =>
    tf.tidy(() => {
      const [a, b] = views.map((v) => tf.div(v, tf.norm(v, 'euclidean', 1, true))) as [tf.Tensor2D, tf.Tensor2D];
      let l = tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1));
      if (negatives) l = tf.add(l, tf.mean(tf.matMul(a, negatives, false, true)));
      if (labels) l = tf.add(l, tf.mul(0, tf.sum(labels)));
      return l as tf.Scalar;
    }),
};
/** A negative source that stores every write (for checking what compose() writes). */
interface LogState { readonly rows: tf.Tensor2D; readonly indices: number[] }
function logSource(dim: number): NegativeSource<LogState> {
  return {
    name: 'log',
    init: () => ({ rows: tf.zeros([1, dim]) as tf.Tensor2D, indices: [] }),
    read: (s) => tf.clone(s.rows),
    write: (s, keys, indices) => {
      const rows = tf.concat([s.rows, keys]) as tf.Tensor2D;
      s.rows.dispose();
      return { rows, indices: [...s.indices, ...(indices ?? [])] };
    },
    serialize: (s): SerializedState => ({ tensors: { rows: tf.clone(s.rows) }, meta: { indices: s.indices } }),
    deserialize: (d) => ({ rows: tf.clone(d.tensors['rows'] as tf.Tensor2D), indices: d.meta['indices'] as number[] }),
    dispose: (s) => s.rows.dispose(),
  };
}

/** Runs strategy.loss under a tidy scope, as a trainer does: aux tensors survive (tf.keep). */
function lossStep<S>(strategy: Strategy<S>, batch: Batch, state: S, rng: Rng): { loss: tf.Scalar; aux: StepAux } {
  let aux: StepAux = { tensors: {} };
  const loss = tf.tidy(() => {
    const r = strategy.loss(batch, state, rng);
    aux = r.aux;
    return r.loss;
  });
  return { loss, aux };
}

const images = (): tf.Tensor4D => tf.randomUniform([4, 2, 2, 3], 0, 1, 'float32', 3) as tf.Tensor4D;

describe('compose', () => {
  it('computes a finite scalar loss whose gradient reaches the encoder, and leaks nothing', () => {
    const encoder = linearEncoder(12, 5, 1);
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss });
    const x = images();
    const rng = Rng.fromSeed(1);
    const state = strategy.init(rng);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const { loss, aux } = strategy.loss({ images: x }, state, rng);
      expect(Object.keys(aux.tensors)).toEqual([]);
      return loss;
    }, strategy.trainableVariables as tf.Variable[]);
    expect(value.shape).toEqual([]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const g = grads[encoder.trainableVariables[0]!.name]!;
    expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    encoder.dispose();
  });

  it('same rng state gives the same loss; a different seed a different one', () => {
    const encoder = linearEncoder(12, 5, 2);
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss });
    const x = images();
    const run = (seed: number): number => tf.tidy(() => strategy.loss({ images: x }, strategy.init(Rng.fromSeed(0)), Rng.fromSeed(seed)).loss.dataSync()[0]!);
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
    x.dispose();
    encoder.dispose();
  });

  it("writes the online embedding of view 0 with the batch's indices, and its state round-trips", () => {
    const encoder = linearEncoder(12, 5, 3);
    const source = logSource(5);
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss, negatives: source });
    const x = images();
    const rng = Rng.fromSeed(2);
    let state = strategy.init(rng);
    const indices = Int32Array.from([7, 8, 9, 10]);
    const before = tf.memory().numTensors;
    const { loss, aux } = lossStep(strategy, { images: x, indices }, state, rng);
    expect(aux.tensors['write']!.shape).toEqual([4, 5]);
    state = strategy.afterStep(state, aux, { images: x, indices }, 0);
    tf.dispose([loss, ...Object.values(aux.tensors)]);
    expect(state.negatives!.indices).toEqual([7, 8, 9, 10]);
    expect(state.negatives!.rows.shape).toEqual([5, 5]);
    // the initial 1-row state was replaced by a 5-row one: +0 net tensors after disposal of aux
    expect(tf.memory().numTensors).toBe(before);
    const serialized = strategy.serializeState(state);
    const restored = strategy.deserializeState(serialized);
    tf.dispose(Object.values(serialized.tensors));
    expect(restored.negatives!.indices).toEqual([7, 8, 9, 10]);
    expect(Array.from(restored.negatives!.rows.dataSync())).toEqual(Array.from(state.negatives!.rows.dataSync()));
    strategy.disposeState(restored);
    strategy.disposeState(state);
    x.dispose();
    encoder.dispose();
  });

  it('writes the key branch output when there is one and calls its update after each step', () => {
    const encoder = linearEncoder(12, 5, 4);
    const updates: number[] = [];
    const branch: KeyBranch = {
      name: 'constant-keys',
      nonTrainableVariables: [],
      keys: (views) => views.map((v) => tf.fill([v.shape[0], 5], 2) as tf.Tensor2D),
      update: (step) => updates.push(step),
      dispose: () => undefined,
    };
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss, keyBranch: branch, negatives: logSource(5) });
    const x = images();
    const rng = Rng.fromSeed(3);
    let state = strategy.init(rng);
    const { loss, aux } = lossStep(strategy, { images: x }, state, rng);
    expect(Array.from(aux.tensors['write']!.dataSync()).every((v) => v === 2)).toBe(true);
    state = strategy.afterStep(state, aux, { images: x }, 41);
    expect(updates).toEqual([41]);
    tf.dispose([loss, ...Object.values(aux.tensors)]);
    strategy.disposeState(state);
    x.dispose();
    encoder.dispose();
  });

  it('stages: lossFromEmbeddings(views.map(embed)) equals loss() for the same rng', () => {
    const encoder = linearEncoder(12, 5, 6);
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss, negatives: logSource(5) });
    const x = images();
    const state = strategy.init(Rng.fromSeed(0));
    const batch = { images: x, indices: Int32Array.from([0, 1, 2, 3]) };
    const whole = lossStep(strategy, batch, state, Rng.fromSeed(9));
    const staged = tf.tidy(() => {
      const rng = Rng.fromSeed(9);
      const stages = strategy.stages!;
      const views = stages.views(batch, rng);
      const z = views.map((v) => stages.embed(v));
      const out = stages.lossFromEmbeddings(z, views, batch, state, rng);
      return [out.loss, out.aux.tensors['write']!];
    });
    expect(staged[0]!.dataSync()[0]).toBeCloseTo(whole.loss.dataSync()[0]!, 6);
    expect(Array.from(staged[1]!.dataSync())).toEqual(Array.from(whole.aux.tensors['write']!.dataSync()));
    tf.dispose([...staged, whole.loss, ...Object.values(whole.aux.tensors)]);
    strategy.disposeState(state);
    x.dispose();
    encoder.dispose();
  });

  it('rejects bad parts with typed errors naming the argument', () => {
    const encoder = linearEncoder(12, 5, 5);
    const base = { augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss };
    expect(() => compose({ ...base, head: identityHead(6) })).toThrow(/'options.head' must take the encoder's output \(inputDim 5\), received inputDim 6/);
    expect(() => compose({ ...base, loss: undefined as never })).toThrow(ArgumentError);
    expect(() => compose({ ...base, forward: 'sideways' as never })).toThrow(/'options.forward'/);
    expect(() => compose({ ...base, write: 'keys', negatives: logSource(5) })).toThrow(/no keyBranch/);
    expect(() => compose({ ...base, owns: 5 as never })).toThrow(/'options.owns' must be an array of objects with dispose\(\)/);
    expect(() => compose({ ...base, owns: [{}] as never })).toThrow(ArgumentError);
    const supervised = compose({ ...base, useLabels: true });
    const x = images();
    expect(() => supervised.loss({ images: x }, supervised.init(Rng.fromSeed(1)), Rng.fromSeed(1))).toThrow(/'batch.labels' is required/);
    x.dispose();
    encoder.dispose();
  });

  it('dispose(): frees the live states and the owned parts once, never the caller\'s parts', () => {
    const encoder = linearEncoder(12, 5, 7);
    const baseline = tf.memory().numTensors;
    let branchDisposals = 0;
    const branch: KeyBranch = {
      name: 'constant-keys',
      nonTrainableVariables: [],
      keys: (views) => views.map((v) => tf.fill([v.shape[0], 5], 1) as tf.Tensor2D),
      update: () => undefined,
      dispose: () => void branchDisposals++,
    };
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss, keyBranch: branch, negatives: logSource(5), owns: [branch] });
    const x = images();
    const rng = Rng.fromSeed(2);
    // Two live states: one stepped twice, one restored from a checkpoint; a third freed by the caller.
    let state = strategy.init(rng);
    for (let step = 0; step < 2; step++) {
      const { loss, aux } = lossStep(strategy, { images: x }, state, rng);
      state = strategy.afterStep(state, aux, { images: x }, step);
      tf.dispose([loss, ...Object.values(aux.tensors)]);
    }
    const saved = strategy.serializeState(state);
    const restored = strategy.deserializeState(saved);
    tf.dispose(Object.values(saved.tensors));
    strategy.disposeState(strategy.init(rng));
    expect(tf.memory().numTensors).toBeGreaterThan(baseline + 1);
    x.dispose();
    strategy.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    expect(branchDisposals).toBe(1);
    expect(encoder.trainableVariables[0]!.isDisposed).toBe(false);
    // Twice is a no-op; so is freeing a state afterwards (a trainer may still hold one).
    strategy.dispose();
    strategy.disposeState(restored);
    expect(branchDisposals).toBe(1);
    expect(tf.memory().numTensors).toBe(baseline);
    encoder.dispose();
  });

  it('every other method throws DisposedError after dispose()', () => {
    const encoder = linearEncoder(12, 5, 8);
    const strategy = compose({ augment: noiseAugment, encoder, head: identityHead(5), loss: toyLoss, negatives: logSource(5) });
    const state = strategy.init(Rng.fromSeed(1));
    const saved = strategy.serializeState(state);
    strategy.dispose();
    const x = images();
    const batch = { images: x };
    const stages = strategy.stages!;
    const calls: Array<[string, () => unknown]> = [
      ['init', () => strategy.init(Rng.fromSeed(1))],
      ['loss', () => strategy.loss(batch, state, Rng.fromSeed(1))],
      ['afterStep', () => strategy.afterStep(state, { tensors: {} }, batch, 0)],
      ['serializeState', () => strategy.serializeState(state)],
      ['deserializeState', () => strategy.deserializeState(saved)],
      ['views', () => stages.views(batch, Rng.fromSeed(1))],
      ['embed', () => stages.embed(x)],
      ['lossFromEmbeddings', () => stages.lossFromEmbeddings([], [], batch, state, Rng.fromSeed(1))],
    ];
    for (const [method, call] of calls) {
      expect(call).toThrow(DisposedError);
      expect(call).toThrow(expect.objectContaining({ code: 'DISPOSED', argument: method }));
    }
    tf.dispose([x, ...Object.values(saved.tensors)]);
    encoder.dispose();
  });
});

describe('compose: labelled negatives (negativeLabels)', () => {
  it('hands the loss the rows and labels of a labelled queue and writes the batch labels with the keys', async () => {
    const { momentumQueue } = await import('@contrastive/negatives');
    const encoder = linearEncoder(4 * 4 * 3, 6, 1);
    const head = identityHead(6);
    const seen: { rows: number; labels: number[] }[] = [];
    const loss: ContrastiveLoss = {
      name: 'spy',
      compute: (inputs) => {
        seen.push({ rows: inputs.negatives!.shape[0], labels: Array.from(inputs.negativeLabels!.dataSync()) });
        return toyLoss.compute({ views: inputs.views, negatives: inputs.negatives! });
      },
    };
    const queue = momentumQueue({ size: 5, dim: 6, labels: true });
    const s = compose({ augment: noiseAugment, encoder, head, loss, negatives: queue, useLabels: true, negativeLabels: true, write: 'online' });
    const rng = Rng.fromSeed(2);
    let state = s.init(rng.split());
    for (const labels of [[3, 4, 5], [6, 7, 8]]) {
      const batch: Batch = { images: tf.randomUniform([3, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D, labels: tf.tensor1d(labels, 'int32') };
      let aux: StepAux = { tensors: {} };
      tf.tidy(() => {
        const out = s.loss(batch, state, rng.split());
        for (const t of Object.values(out.aux.tensors)) tf.keep(t);
        aux = out.aux;
      });
      state = s.afterStep(state, aux, batch, 0);
      tf.dispose([...Object.values(aux.tensors), batch.images, batch.labels!]);
    }
    expect(seen).toEqual([
      { rows: 5, labels: [-1, -1, -1, -1, -1] },
      { rows: 5, labels: [3, 4, 5, -1, -1] },
    ]);
    // slots 0-2 got 3, 4, 5; then 6, 7 went to slots 3, 4 and 8 wrapped round to slot 0
    expect(Array.from(state.negatives!.labels!.dataSync())).toEqual([8, 4, 5, 6, 7]);
    s.dispose();
    encoder.dispose();
  });

  it('refuses negativeLabels without useLabels or without a labelled source, naming the option', async () => {
    const { momentumQueue } = await import('@contrastive/negatives');
    const encoder = linearEncoder(4 * 4 * 3, 6, 1);
    const head = identityHead(6);
    const queue = momentumQueue({ size: 5, dim: 6, labels: true });
    expect(() => compose({ augment: noiseAugment, encoder, head, loss: toyLoss, negatives: queue, negativeLabels: true, write: 'online' })).toThrow(/options.negativeLabels/);
    expect(() => compose({ augment: noiseAugment, encoder, head, loss: toyLoss, useLabels: true, negativeLabels: true })).toThrow(/options.negativeLabels/);
    expect(() => compose({ augment: noiseAugment, encoder, head, loss: toyLoss, negativeLabels: 'yes' as unknown as boolean })).toThrow(ArgumentError);
    expect(() => compose({ augment: noiseAugment, encoder, head, loss: toyLoss, keyViews: 0 })).toThrow(/options.keyViews/);
    encoder.dispose();
  });
});

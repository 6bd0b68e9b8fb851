/**
 * Strategy.dispose() for every named strategy (and compose(), through them): after building,
 * stepping and disposing, the tensor count is back to the caller's baseline (encoder and head
 * only); the caller's parts survive; a second dispose is a no-op; other calls throw DisposedError.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { initBackend } from '@contrastive/backend';
import { DisposedError, Rng, type Batch, type StepAux, type Strategy } from '@contrastive/core';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { beforeAll, describe, expect, it } from 'vitest';
import { instDisc } from './inst-disc.js';
import { mocoV2 } from './moco-v2.js';
import { simclr } from './simclr.js';
import { supcon } from './supcon.js';
import { barlowTwins } from './barlow-twins.js';
import { byol } from './byol.js';
import { dcl } from './dcl.js';
import { nnclr } from './nnclr.js';
import { simsiam } from './simsiam.js';
import { supconQueue } from './supcon-queue.js';
import { vicreg } from './vicreg.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const KINDS = ['simclr', 'supcon', 'mocoV2', 'instDisc', 'byol', 'simsiam', 'barlowTwins', 'vicreg', 'nnclr', 'dcl', 'supconQueue'] as const;
type Kind = (typeof KINDS)[number];

function parts(seed: number) {
  const encoder = convNet({ widths: [4], inputShape: [32, 32, 3], seed });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 8, outputDim: 8, seed: seed + 1 });
  return { encoder, head };
}

function build(kind: Kind, encoder: ReturnType<typeof parts>['encoder'], head: ReturnType<typeof parts>['head']): Strategy<unknown> {
  switch (kind) {
    case 'simclr':
      return simclr({ encoder, head }) as Strategy<unknown>;
    case 'supcon':
      return supcon({ encoder, head }) as Strategy<unknown>;
    case 'mocoV2':
      return mocoV2({ encoder, head, queueSize: 16, shuffleGroups: 2 }) as Strategy<unknown>;
    case 'instDisc':
      return instDisc({ encoder, head, datasetSize: 16, numNegatives: 8 }) as Strategy<unknown>;
    case 'byol':
      return byol({ encoder, head, predictorHiddenDim: 8 }) as Strategy<unknown>;
    case 'simsiam':
      return simsiam({ encoder, head }) as Strategy<unknown>;
    case 'barlowTwins':
      return barlowTwins({ encoder, head }) as Strategy<unknown>;
    case 'vicreg':
      return vicreg({ encoder, head }) as Strategy<unknown>;
    case 'nnclr':
      return nnclr({ encoder, head, queueSize: 16, predictorHiddenDim: 8 }) as Strategy<unknown>;
    case 'dcl':
      return dcl({ encoder, head }) as Strategy<unknown>;
    case 'supconQueue':
      return supconQueue({ encoder, head, queueSize: 16 }) as Strategy<unknown>;
  }
}

function makeBatch(): Batch {
  return {
    images: tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D,
    labels: tf.tensor1d([0, 1, 0, 1], 'int32'),
    indices: Int32Array.from([0, 5, 9, 15]),
  };
}

/** `steps` SGD steps as a trainer takes them; returns the last state (not freed). */
function step(strategy: Strategy<unknown>, steps: number, batch: Batch): unknown {
  const optimizer = tf.train.sgd(0.01);
  const rng = Rng.fromSeed(3);
  let state = strategy.init(rng.split());
  for (let i = 0; i < steps; i++) {
    let aux: StepAux = { tensors: {} };
    const loss = optimizer.minimize(() => {
      const out = strategy.loss(batch, state, rng.split());
      for (const t of Object.values(out.aux.tensors)) tf.keep(t);
      aux = out.aux;
      return out.loss;
    }, true, strategy.trainableVariables as tf.Variable[]);
    loss?.dispose();
    state = strategy.afterStep(state, aux, batch, i);
    tf.dispose(Object.values(aux.tensors));
  }
  optimizer.dispose();
  return state;
}

describe('Strategy.dispose()', () => {
  it('every strategy returns to the baseline tensor count, built only or after steps (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.integer({ min: 0, max: 2 }), fc.boolean(), (kind, steps, callerFreesState) => {
        const { encoder, head } = parts(1);
        const batch = makeBatch();
        const baseline = tf.memory().numTensors;
        const strategy = build(kind, encoder, head);
        const state = step(strategy, steps, batch);
        if (callerFreesState) strategy.disposeState(state);
        strategy.dispose();
        expect(tf.memory().numTensors).toBe(baseline);
        // The caller's encoder and head are untouched and still work.
        expect([...encoder.trainableVariables, ...head.trainableVariables].every((v) => !v.isDisposed)).toBe(true);
        const z = tf.tidy(() => head.apply(encoder.apply(batch.images as tf.Tensor4D, { training: false }), { training: false }));
        expect(z.shape).toEqual([4, 8]);
        z.dispose();
        tf.dispose([batch.images, batch.labels as tf.Tensor]);
        encoder.dispose();
        head.dispose();
      }),
      { numRuns: 33 },
    );
  });

  it('a second dispose is a no-op; disposeState after dispose too; anything else throws DisposedError', () => {
    for (const kind of KINDS) {
      const { encoder, head } = parts(2);
      const batch = makeBatch();
      const baseline = tf.memory().numTensors;
      const strategy = build(kind, encoder, head);
      const state = step(strategy, 1, batch);
      const saved = strategy.serializeState(state);
      strategy.dispose();
      expect(() => strategy.dispose()).not.toThrow();
      expect(() => strategy.disposeState(state)).not.toThrow();
      expect(tf.memory().numTensors).toBe(baseline + Object.keys(saved.tensors).length);
      expect(() => strategy.init(Rng.fromSeed(1))).toThrow(DisposedError);
      expect(() => strategy.loss(batch, state, Rng.fromSeed(1))).toThrow(expect.objectContaining({ code: 'DISPOSED', argument: 'loss' }));
      expect(() => strategy.afterStep(state, { tensors: {} }, batch, 1)).toThrow(DisposedError);
      expect(() => strategy.deserializeState(saved)).toThrow(DisposedError);
      expect(() => strategy.stages?.views(batch, Rng.fromSeed(1))).toThrow(DisposedError);
      expect(tf.memory().numTensors).toBe(baseline + Object.keys(saved.tensors).length);
      tf.dispose([...Object.values(saved.tensors), batch.images, batch.labels as tf.Tensor]);
      encoder.dispose();
      head.dispose();
    }
  });

  it('mocoV2 frees its momentum copies, not the online encoder and head', () => {
    const { encoder, head } = parts(3);
    const strategy = mocoV2({ encoder, head, queueSize: 16 });
    const copies = strategy.keyBranch.nonTrainableVariables;
    expect(copies.length).toBeGreaterThan(0);
    strategy.dispose();
    expect(copies.every((v) => v.isDisposed)).toBe(true);
    expect(encoder.trainableVariables.every((v) => !v.isDisposed)).toBe(true);
    encoder.dispose();
    head.dispose();
  });
});

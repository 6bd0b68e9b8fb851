/**
 * Multi-crop views (2 global + N local crops of a smaller size, Caron et al. 2020) through every
 * named strategy: one forward pass of the online encoder per view size, a finite loss whose
 * gradient reaches the encoder, and no leaked tensor across steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Batch, type Encoder, type StepAux, type Strategy } from '@contrastive/core';
import { batchFromIndices } from '@contrastive/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { learningAugment, learningParts, loadLearningData, type LearningData } from '../test/learning.js';
import { barlowTwins } from './barlow-twins.js';
import { byol } from './byol.js';
import { dcl } from './dcl.js';
import { nnclr } from './nnclr.js';
import { simclr } from './simclr.js';
import { simsiam } from './simsiam.js';
import { supcon } from './supcon.js';
import { supconQueue } from './supcon-queue.js';
import { vicreg } from './vicreg.js';

let data: LearningData;
beforeAll(async () => {
  data = await loadLearningData();
});

type Parts = ReturnType<typeof learningParts>;
const simclrCrops = () => learningAugment('simclr', { count: 2, size: 8 });
const byolCrops = () => learningAugment('byol', { count: 2, size: 8 });
const cases: [string, (p: Parts) => Strategy<unknown>][] = [
  ['simclr', ({ encoder, head }) => simclr({ encoder, head, augment: simclrCrops() }) as Strategy<unknown>],
  ['supcon', ({ encoder, head }) => supcon({ encoder, head, augment: simclrCrops() }) as Strategy<unknown>],
  ['byol', ({ encoder, head }) => byol({ encoder, head, predictorHiddenDim: 16, augment: byolCrops() }) as Strategy<unknown>],
  ['simsiam', ({ encoder, head }) => simsiam({ encoder, head, augment: simclrCrops() }) as Strategy<unknown>],
  ['barlowTwins', ({ encoder, head }) => barlowTwins({ encoder, head, augment: byolCrops() }) as Strategy<unknown>],
  ['vicreg', ({ encoder, head }) => vicreg({ encoder, head, augment: byolCrops() }) as Strategy<unknown>],
  ['nnclr', ({ encoder, head }) => nnclr({ encoder, head, queueSize: 64, predictorHiddenDim: 16, augment: simclrCrops() }) as Strategy<unknown>],
  ['dcl', ({ encoder, head }) => dcl({ encoder, head, augment: simclrCrops() }) as Strategy<unknown>],
  ['supconQueue', ({ encoder, head }) => supconQueue({ encoder, head, queueSize: 64, augment: simclrCrops() }) as Strategy<unknown>],
];

/** Records the input shape of every online encoder call. */
function spyShapes(encoder: Encoder): { shapes: number[][]; restore(): void } {
  const shapes: number[][] = [];
  const original = encoder.apply.bind(encoder);
  (encoder as { apply: Encoder['apply'] }).apply = (x, o) => {
    shapes.push([...x.shape]);
    return original(x, o);
  };
  return { shapes, restore: () => ((encoder as { apply: Encoder['apply'] }).apply = original) };
}

describe.each(cases)('%s with 2 global (16 px) + 2 local (8 px) views', (_, make) => {
  it('one online forward pass per view size, finite loss with a gradient, tensor count flat', () => {
    const parts = learningParts(21);
    const strategy = make(parts);
    const spy = spyShapes(parts.encoder);
    const rng = Rng.fromSeed(3);
    const optimizer = tf.train.sgd(0.01);
    let state = strategy.init(rng.split());
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      const batch = batchFromIndices(data.train, Array.from({ length: 16 }, (_, i) => 16 * step + i)) as Batch;
      spy.shapes.length = 0;
      let aux: StepAux = { tensors: {} };
      const { value, grads } = tf.variableGrads(() => {
        const out = strategy.loss(batch, state, rng.split());
        for (const t of Object.values(out.aux.tensors)) tf.keep(t);
        aux = out.aux;
        return out.loss;
      }, strategy.trainableVariables as tf.Variable[]);
      expect(spy.shapes).toEqual([
        [32, 16, 16, 3],
        [32, 8, 8, 3],
      ]);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      const encoderGrad = tf.tidy(() => tf.addN(parts.encoder.trainableVariables.map((v) => tf.sum(tf.abs(grads[v.name]!)))).dataSync()[0] as number);
      expect(encoderGrad).toBeGreaterThan(0);
      optimizer.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
      state = strategy.afterStep(state, aux, batch, step);
      tf.dispose([...Object.values(aux.tensors), batch.images, ...(batch.labels ? [batch.labels] : [])]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    spy.restore();
    strategy.disposeState(state);
    strategy.dispose();
    optimizer.dispose();
    parts.encoder.dispose();
    parts.head.dispose();
  });
});

describe('the localCrops option of the named strategies (default augmenter)', () => {
  it('builds the recipe with 2 global views of imageSize and N local views; needs imageSize', () => {
    const { encoder, head } = learningParts(22);
    const rng = Rng.fromSeed(1);
    const batch = batchFromIndices(data.train, [0, 1, 2, 3]) as Batch;
    for (const strategy of [
      simclr({ encoder, head, imageSize: 16, localCrops: { count: 3, size: 8 } }),
      supcon({ encoder, head, imageSize: 16, localCrops: { count: 3, size: 8 } }),
      byol({ encoder, head, predictorHiddenDim: 8, imageSize: 16, localCrops: { count: 3, size: 8 } }),
      dcl({ encoder, head, imageSize: 16, localCrops: { count: 3, size: 8 } }),
    ] as Strategy<unknown>[]) {
      const views = strategy.stages!.views(batch, rng.split());
      expect(views.map((v) => v.shape.slice(1, 3))).toEqual([[16, 16], [16, 16], [8, 8], [8, 8], [8, 8]]);
      tf.dispose(views);
      strategy.dispose();
    }
    expect(() => simclr({ encoder, head, localCrops: { count: 3, size: 8 } })).toThrow(/options.imageSize/);
    expect(() => vicreg({ encoder, head, imageSize: 0 })).toThrow(/options.imageSize/);
    tf.dispose([batch.images, batch.labels!]);
    encoder.dispose();
    head.dispose();
  });
});

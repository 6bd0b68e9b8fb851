/**
 * The harness of the strategies' learning tests (issue 15, point 5): a few hundred SGD steps of
 * a small ConvNet on exact CIFAR-10 images (`../shared/data/cifar10/lossless`), with the kNN
 * accuracy (Wu et al. 2018) of the encoder measured at random init and after training on a
 * fixed bank and test set, the loss per step, the tensor count per step, and the collapse
 * monitors (embedding std, RankMe) of the test features.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { Rng, type Batch, type Encoder, type ProjectionHead, type StepAux, type Strategy, type ViewAugmenter } from '@contrastive/core';
import { batchFromIndices, type ImageDataset } from '@contrastive/data';
import { readCifar10Binary } from '@contrastive/data/node';
import { convNet, type GraphEncoder } from '@contrastive/encoders';
import { effectiveRank, embeddingStd, knnAccuracy } from '@contrastive/eval';
import { mlpHead, mlpHeadV2, type DenseHead } from '@contrastive/heads';
import { sharedDataDir } from '../../../test/shared-data.js';
import { defaultAugment } from '../src/default-augment.js';

/** Training images, kNN bank and kNN test set. */
export interface LearningData {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
}

/** Exact CIFAR-10: the first 4000 training images and the first 1000 test images, on wasm. */
export async function loadLearningData(): Promise<LearningData> {
  await initBackend({ prefer: 'wasm' });
  const dir = path.join(sharedDataDir(), 'cifar10', 'lossless');
  const [train, test] = await Promise.all([
    readCifar10Binary(path.join(dir, 'train_first4000.bin'), { limit: TRAIN_IMAGES }),
    readCifar10Binary(path.join(dir, 'test_first1000.bin'), { limit: TEST_IMAGES }),
  ]);
  return { train, test };
}

/**
 * Time limit of one learning test: 200 steps take about 30 s of CPU time, but on two cores
 * shared with other jobs the wall time has reached 5 minutes.
 */
export const LEARNING_TIMEOUT_MS = 900_000;

/** Images the strategies train on, which also form the kNN bank. */
export const TRAIN_IMAGES = 1024;
/** Test images the kNN monitor classifies. */
export const TEST_IMAGES = 500;

/**
 * Side of the images the learning tests train and evaluate at: CIFAR-10 downscaled to 16 x 16
 * (views are random resized crops of this size; kNN features come from the resized images),
 * which keeps a few hundred steps within seconds on two contended cores.
 */
export const SIDE = 16;

/**
 * The small encoder (any input size: global average pooling) and projector of every learning
 * test: the SimCLR v2 projector (BatchNorm on every layer) or, with `head: 'v1'`, SimCLR v1's
 * Linear-ReLU-Linear (whose output can collapse to a constant: no BatchNorm keeps it centred).
 */
export function learningParts(seed: number, options: { outputDim?: number; hiddenDim?: number; head?: 'v1' | 'v2' } = {}): { encoder: GraphEncoder; head: DenseHead } {
  const encoder = convNet({ widths: [16, 32, 64], seed });
  const headOptions = { inputDim: encoder.outputDim, hiddenDim: options.hiddenDim ?? 128, outputDim: options.outputDim ?? 64, seed: seed + 1 };
  const head = options.head === 'v1' ? mlpHead(headOptions) : mlpHeadV2(headOptions);
  return { encoder, head };
}

/** A strategy's default recipe at {@link SIDE} (no per-step value checks), optionally with multi-crop. */
export function learningAugment(recipe: 'simclr' | 'byol', localCrops?: { count: number; size: number }): ViewAugmenter {
  return defaultAugment(recipe, SIDE, false, localCrops);
}

/** Encoder features `[N, D]` of a whole data set at {@link SIDE} (inference mode), in batches of 250. */
export function features(encoder: Encoder, data: ImageDataset): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < data.length; start += 250) {
    const idx = Array.from({ length: Math.min(250, data.length - start) }, (_, i) => start + i);
    const batch = batchFromIndices(data, idx);
    parts.push(tf.tidy(() => encoder.apply(tf.image.resizeBilinear(batch.images, [SIDE, SIDE], true), { training: false })));
    tf.dispose([batch.images, batch.labels]);
  }
  const out = tf.concat(parts, 0) as tf.Tensor2D;
  tf.dispose(parts);
  return out;
}

/** What {@link measure} reads. */
export interface Measurement {
  readonly knn: number;
  /** Collapse monitors of the encoder's test features. */
  readonly std: number;
  readonly rank: number;
  /** The same of the projector's output z on the test images, when a head is given. */
  readonly headStd?: number;
  readonly headRank?: number;
}

/**
 * kNN accuracy (k = 20, τ = 0.1) of the encoder and the collapse monitors of its test features
 * (and of the head's output, when given: SimSiam's Fig. 2 plots the std of the projection z).
 */
export function measure(encoder: Encoder, data: LearningData, head?: ProjectionHead): Measurement {
  const bank = features(encoder, data.train);
  const test = features(encoder, data.test);
  try {
    if (head !== undefined) {
      const z = tf.tidy(() => head.apply(test, { training: false }));
      const out = { headStd: embeddingStd(z), headRank: effectiveRank(z) };
      z.dispose();
      return { ...knnAndMonitors(bank, test, data), ...out };
    }
    return knnAndMonitors(bank, test, data);
  } finally {
    tf.dispose([bank, test]);
  }
}

function knnAndMonitors(bank: tf.Tensor2D, test: tf.Tensor2D, data: LearningData): Measurement {
  {
    const knn = knnAccuracy({
      trainFeatures: bank,
      trainLabels: Int32Array.from(data.train.labels),
      testFeatures: test,
      testLabels: Int32Array.from(data.test.labels),
      k: 20,
      temperature: 0.1,
      numClasses: 10,
    });
    return { knn, std: embeddingStd(test), rank: effectiveRank(test) };
  }
}

/** What {@link learn} reports. */
export interface LearningRun {
  readonly before: Measurement;
  readonly after: Measurement;
  readonly losses: number[];
  /** `tf.memory().numTensors` after each step. */
  readonly tensorCounts: number[];
  /** Wall time of the whole run, measurements included, and of the training steps alone. */
  readonly seconds: number;
  readonly trainSeconds: number;
}

/** Options of {@link learn}. */
export interface LearnOptions {
  readonly steps: number;
  readonly batchSize?: number;
  readonly lr: number;
  readonly seed?: number;
  readonly weightDecay?: number;
  /** Also measure the collapse monitors of this head's output. */
  readonly head?: ProjectionHead;
  /** `'sgd'` (default: SGD with momentum 0.9 and L2 weight decay) or `'adam'` (no decay). */
  readonly optimizer?: 'sgd' | 'adam';
  /** Stop earlier once training (measurements excluded) has taken this many seconds. */
  readonly maxSeconds?: number;
}

/**
 * Trains `strategy` (whose online encoder is `encoder`) for `steps` SGD-with-momentum steps on
 * seeded random batches of the training images, measuring kNN before and after. The state is
 * freed at the end; the strategy, encoder and head stay the caller's.
 */
export function learn<S>(strategy: Strategy<S>, encoder: Encoder, data: LearningData, options: LearnOptions): LearningRun {
  const start = performance.now();
  const before = measure(encoder, data, options.head);
  const batchSize = options.batchSize ?? 64;
  const rng = Rng.fromSeed(options.seed ?? 7);
  const adam = options.optimizer === 'adam';
  const optimizer = adam ? tf.train.adam(options.lr) : tf.train.momentum(options.lr, 0.9);
  const vars = strategy.trainableVariables as tf.Variable[];
  const decay = adam ? 0 : (options.weightDecay ?? 5e-4);
  let state = strategy.init(rng.split());
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  const trainStart = performance.now();
  for (let step = 0; step < options.steps; step++) {
    if (options.maxSeconds !== undefined && (performance.now() - trainStart) / 1000 >= options.maxSeconds) break;
    const perm = rng.permutation(data.train.length);
    const batch = batchFromIndices(data.train, perm.slice(0, batchSize)) as Batch;
    let aux: StepAux = { tensors: {} };
    const value = optimizer.minimize(
      () => {
        const out = strategy.loss(batch, state, rng.split());
        for (const t of Object.values(out.aux.tensors)) tf.keep(t);
        aux = out.aux;
        if (decay === 0) return out.loss;
        // L2 weight decay on the trainable weights (SGD's usual 5e-4)
        const l2 = tf.mul(tf.addN(vars.map((v) => tf.sum(tf.square(v)))), decay / 2);
        return tf.add(out.loss, l2) as tf.Scalar;
      },
      true,
      vars,
    );
    losses.push(value!.dataSync()[0] as number);
    value!.dispose();
    state = strategy.afterStep(state, aux, batch, step);
    tf.dispose([...Object.values(aux.tensors), batch.images, ...(batch.labels ? [batch.labels] : [])]);
    tensorCounts.push(tf.memory().numTensors);
  }
  strategy.disposeState(state);
  optimizer.dispose();
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const after = measure(encoder, data, options.head);
  return { before, after, losses, tensorCounts, seconds: (performance.now() - start) / 1000, trainSeconds };
}

/** Mean of the first and of the last `n` losses. */
export function lossEnds(losses: readonly number[], n = 20): { first: number; last: number } {
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: mean(losses.slice(0, n)), last: mean(losses.slice(-n)) };
}

/** One line for the test log. */
export function describeRun(name: string, run: LearningRun): string {
  const { first, last } = lossEnds(run.losses);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const head = run.after.headStd === undefined ? '' : `, head z std ${run.before.headStd?.toFixed(4)} -> ${run.after.headStd.toFixed(4)}, rank ${run.before.headRank?.toFixed(1)} -> ${run.after.headRank?.toFixed(1)}`;
  return `${name}: kNN ${pct(run.before.knn)} -> ${pct(run.after.knn)}, loss ${first.toFixed(3)} -> ${last.toFixed(3)}, std ${run.before.std.toFixed(4)} -> ${run.after.std.toFixed(4)}, rank ${run.before.rank.toFixed(1)} -> ${run.after.rank.toFixed(1)}${head}, ${run.seconds.toFixed(1)} s`;
}

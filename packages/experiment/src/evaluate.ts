/**
 * Evaluation of a frozen encoder on a labelled dataset: representations h of a
 * training subset (the kNN bank and the linear probe's training set) and of the test set, then
 * the weighted kNN vote (Wu et al. 2018: k = 200, τ = 0.1), the linear probe on standardised
 * features (Chen et al. 2020, SimCLR §4), and alignment / uniformity (Wang & Isola 2020).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Encoder, type ViewAugmenter } from '@contrastive/core';
import { batchFromIndices, disposeBatch, subsetDataset, type ImageDataset } from '@contrastive/data';
import { foldBatchNorm } from '@contrastive/encoders';
import { alignment, embed, knnAccuracy, linearProbe, uniformity } from '@contrastive/eval';
import { silentProgress, type Progress } from './progress.js';
import { InterruptedError, stopPoint, type StopRequest } from './stop.js';

/**
 * A seeded, class-balanced subset of `size` samples of `dataset` (the same seed and size give the
 * same indices; a smaller size gives a prefix-like subset of the same order per class), in
 * ascending index order.
 */
export function balancedIndices(dataset: ImageDataset, size: number, seed: number): Int32Array {
  const n = Math.min(size, dataset.length);
  if (n === dataset.length) return Int32Array.from({ length: n }, (_, i) => i);
  const classes = dataset.classNames.length;
  const order = Rng.fromSeed(seed).permutation(dataset.length);
  const perClass: number[][] = Array.from({ length: classes }, () => []);
  for (const i of order) perClass[dataset.labels[i] as number]?.push(i);
  const picked: number[] = [];
  // Round-robin over the classes in the permutation's order: as balanced as the data allows.
  for (let r = 0; picked.length < n; r++) {
    let any = false;
    for (let c = 0; c < classes && picked.length < n; c++) {
      const list = perClass[c] as number[];
      if (r < list.length) {
        picked.push(list[r] as number);
        any = true;
      }
    }
    if (!any) break;
  }
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/** The first `size` samples of `dataset` (all of them if it has fewer). */
export function prefixDataset(dataset: ImageDataset, size: number): ImageDataset {
  if (size >= dataset.length) return dataset;
  return subsetDataset(dataset, Int32Array.from({ length: size }, (_, i) => i));
}

/** Options of {@link embedDataset}. */
export interface EmbedDatasetOptions {
  /** Rows per forward pass; default 256. */
  readonly batchSize?: number;
  readonly progress?: Progress;
  /** Progress label, e.g. `'embed test'`. */
  readonly label?: string;
  readonly stop?: StopRequest;
  /** Fold BatchNorm into the convolutions first (faster, same outputs to rounding); default true. */
  readonly fold?: boolean;
}

/** Representations of a whole data set and its labels. */
export interface EmbeddedImages {
  /** `[N, D]`; the caller disposes it. */
  readonly features: tf.Tensor2D;
  readonly labels: Int32Array;
  readonly seconds: number;
}

/**
 * Runs `encoder` in inference mode over every image of `dataset`, `batchSize` at a time, with a
 * progress bar; stops between chunks when `stop` is requested ({@link InterruptedError}).
 */
export async function embedDataset(encoder: Encoder, dataset: ImageDataset, options: EmbedDatasetOptions = {}): Promise<EmbeddedImages> {
  const batchSize = options.batchSize ?? 256;
  const start = performance.now();
  let folded: Encoder | null = null;
  if (options.fold ?? true) {
    try {
      folded = foldBatchNorm(encoder);
    } catch {
      folded = null; // not foldable (e.g. no BatchNorm): use the encoder as it is
    }
  }
  const net = folded ?? encoder;
  const bar = (options.progress ?? silentProgress)(options.label ?? 'embed', dataset.length, 'img');
  const parts: tf.Tensor2D[] = [];
  try {
    for (let s = 0; s < dataset.length; s += batchSize) {
      const indices = Int32Array.from({ length: Math.min(batchSize, dataset.length - s) }, (_, i) => s + i);
      const batch = batchFromIndices(dataset, indices);
      try {
        parts.push(embed(net, batch.images, { batchSize }));
      } finally {
        disposeBatch(batch);
      }
      bar.update(Math.min(dataset.length, s + batchSize));
      await stopPoint(options.stop, options.label ?? 'embedding');
    }
    const features = parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat2d(parts, 0);
    if (parts.length > 1) tf.dispose(parts);
    const seconds = (performance.now() - start) / 1000;
    bar.done(`${dataset.length} images in ${seconds.toFixed(1)} s (${(dataset.length / seconds).toFixed(0)} img/s)`);
    return { features, labels: Int32Array.from(dataset.labels), seconds };
  } catch (e) {
    bar.done();
    tf.dispose(parts);
    throw e;
  } finally {
    folded?.dispose();
  }
}

/** Settings of {@link evaluateEncoder} (the configuration's `eval` section). */
export interface EvaluationSettings {
  readonly k: number;
  readonly temperature: number;
  readonly batchSize: number;
  readonly linear: {
    readonly epochs: number;
    readonly lr: number;
    readonly weightDecay: number;
    readonly batchSize: number;
    readonly optimizer: 'adam' | 'sgd';
  };
}

/** What {@link evaluateEncoder} measured. */
export interface EncoderEvaluation {
  /** kNN top-1 accuracy on the test images (fraction). */
  readonly knn: number;
  /** Linear-probe top-1 accuracy on the test images (fraction). */
  readonly linear: number;
  /** Linear-probe accuracy on its own training set. */
  readonly linearTrain: number;
  /** Wang & Isola 2020 alignment (α = 2) of two augmented views of test images; lower is better. */
  readonly alignment: number | null;
  /** Wang & Isola 2020 uniformity (t = 2) of the test representations; lower is better. */
  readonly uniformity: number;
  readonly bankSize: number;
  readonly testSize: number;
  readonly dim: number;
  readonly seconds: number;
}

/** Options of {@link evaluateEncoder}. */
export interface EvaluateOptions extends EvaluationSettings {
  /** The kNN bank and linear-probe training set. */
  readonly bank: ImageDataset;
  /** The test images. */
  readonly test: ImageDataset;
  readonly seed: number;
  /** Views for the alignment measure (two per image); none: alignment is skipped. */
  readonly augment?: ViewAugmenter;
  /** Test images used for alignment (default 512). */
  readonly alignmentImages?: number;
  readonly progress?: Progress;
  readonly stop?: StopRequest;
  /** A name for progress labels, e.g. `'pretrained'`. */
  readonly label?: string;
  /** Keep the test representations (returned; the caller disposes them). */
  readonly keepTestFeatures?: boolean;
}

/**
 * kNN and linear-probe accuracy (plus alignment and uniformity) of a frozen encoder.
 *
 * @example
 * ```ts
 * const { evaluation } = await evaluateEncoder(encoder, { bank, test, k: 200, temperature: 0.1, batchSize: 256,
 *   linear: { epochs: 30, lr: 1e-3, weightDecay: 1e-4, batchSize: 256, optimizer: 'adam' }, seed: 0 });
 * ```
 */
export async function evaluateEncoder(
  encoder: Encoder,
  options: EvaluateOptions,
): Promise<{ evaluation: EncoderEvaluation; testFeatures: tf.Tensor2D | null }> {
  const start = performance.now();
  const label = options.label === undefined ? '' : `${options.label} `;
  const common = { batchSize: options.batchSize, ...(options.progress ? { progress: options.progress } : {}), ...(options.stop ? { stop: options.stop } : {}) };
  const bank = await embedDataset(encoder, options.bank, { ...common, label: `${label}embed bank` });
  let test: EmbeddedImages | null = null;
  try {
    test = await embedDataset(encoder, options.test, { ...common, label: `${label}embed test` });
    const k = Math.min(options.k, options.bank.length);
    const knn = knnAccuracy({
      trainFeatures: bank.features,
      trainLabels: bank.labels,
      testFeatures: test.features,
      testLabels: test.labels,
      k,
      temperature: options.temperature,
      numClasses: options.bank.classNames.length,
    });
    await stopPoint(options.stop, 'the kNN evaluation');
    const linearBar = (options.progress ?? silentProgress)(`${label}linear probe`, options.linear.epochs, 'epochs');
    let probe;
    try {
      probe = await linearProbe({
        trainFeatures: bank.features,
        trainLabels: bank.labels,
        testFeatures: test.features,
        testLabels: test.labels,
        numClasses: options.bank.classNames.length,
        epochs: options.linear.epochs,
        lr: options.linear.lr,
        weightDecay: options.linear.weightDecay,
        batchSize: options.linear.batchSize,
        optimizer: options.linear.optimizer,
        rng: Rng.fromSeed(options.seed + 7),
        onEpochEnd: (epoch, loss) => linearBar.update(epoch + 1, { loss: loss.toFixed(3) }),
        ...(options.stop ? { signal: options.stop.abortSignal } : {}),
      });
    } catch (e) {
      linearBar.done();
      if (options.stop?.requested === true) throw new InterruptedError(`stopped by ${options.stop.signal ?? 'request'} during the linear probe`);
      throw e;
    }
    linearBar.done(`test accuracy ${probe.testAccuracy.toFixed(4)} (train ${probe.trainAccuracy.toFixed(4)})`);
    const uniformRows = Math.min(2000, test.features.shape[0]);
    const uni = tf.slice(test.features, [0, 0], [uniformRows, -1]);
    const uniformityValue = uniformRows >= 2 ? uniformity(uni) : Number.NaN;
    uni.dispose();
    let alignmentValue: number | null = null;
    if (options.augment !== undefined) alignmentValue = alignmentOf(encoder, options.augment, options.test, options.alignmentImages ?? 512, options.seed);
    const evaluation: EncoderEvaluation = {
      knn,
      linear: probe.testAccuracy,
      linearTrain: probe.trainAccuracy,
      alignment: alignmentValue,
      uniformity: uniformityValue,
      bankSize: options.bank.length,
      testSize: options.test.length,
      dim: test.features.shape[1],
      seconds: (performance.now() - start) / 1000,
    };
    const keep = options.keepTestFeatures === true;
    const testFeatures = keep ? test.features : null;
    if (!keep) test.features.dispose();
    return { evaluation, testFeatures };
  } catch (e) {
    test?.features.dispose();
    throw e;
  } finally {
    bank.features.dispose();
  }
}

/** Mean alignment of two augmented views of the first `count` test images (inference mode). */
function alignmentOf(encoder: Encoder, augment: ViewAugmenter, test: ImageDataset, count: number, seed: number): number {
  const n = Math.min(count, test.length);
  const batch = batchFromIndices(test, Int32Array.from({ length: n }, (_, i) => i));
  const rng = Rng.fromSeed(seed + 11);
  try {
    let views: tf.Tensor4D[] = augment.apply(batch.images as tf.Tensor4D, rng);
    // A one-view recipe (instDisc): draw a second view.
    if (views.length < 2) views = [...views, ...augment.apply(batch.images as tf.Tensor4D, rng)];
    try {
      const [a, b] = views as [tf.Tensor4D, tf.Tensor4D];
      const za = embed(encoder, a, { batchSize: 256 });
      const zb = embed(encoder, b, { batchSize: 256 });
      try {
        return alignment(za, zb);
      } finally {
        tf.dispose([za, zb]);
      }
    } finally {
      tf.dispose(views);
    }
  } finally {
    disposeBatch(batch);
  }
}

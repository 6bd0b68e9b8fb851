/**
 * NNCLR (Dwibedi et al. 2021, "With a Little Help from My Friends: Nearest-Neighbor
 * Contrastive Learning of Visual Representations"): the positive of a view is not the other
 * view's embedding but the nearest neighbour of this view's projection in a support set, a
 * FIFO queue of past projections (Sec. 3.1-3.2, eq. 2). The loss is InfoNCE between the
 * other view's prediction and that neighbour, with the batch's other neighbours as negatives,
 * symmetrised over the two views; the support set holds the projection z of view 1 of each
 * step (stop-gradient). With multi-crop, every view is matched to each global view's neighbour.
 *
 * Direction: eq. 2 normalises over the predictions `p_k` for one neighbour; here, as in
 * MoCo's InfoNCE, the softmax runs over the neighbours for one prediction (the gradient flows
 * to the prediction; the neighbour is a stop-gradient support row either way).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ContrastiveLoss, Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import { ArgumentError, assertPositive } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import { predictorHead } from '@contrastive/heads';
import { infoNce } from '@contrastive/losses';
import { momentumQueue, type MomentumQueueState } from '@contrastive/negatives';
import { l2Normalize } from '@contrastive/nn';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { checkStrategyOptions } from './strategy-options.js';
import { validateOption } from './validate-option.js';
import { meanOverViewPairs } from './view-pairs.js';
import { splitProjectionPrediction, withPredictor } from './with-predictor.js';

/** Options of {@link nnclr}. */
export interface NnclrStrategyOptions {
  readonly encoder: Encoder;
  /** The projector (NNCLR: 3-layer MLP with BN, output 256). */
  readonly head: ProjectionHead;
  /** The predictor; default `predictorHead({ inputDim: D, hiddenDim: predictorHiddenDim })`, owned by the strategy. */
  readonly predictor?: ProjectionHead;
  /** Hidden width of the default predictor; default min(4096, 16 x D) (NNCLR: 4096 for 256). */
  readonly predictorHiddenDim?: number;
  /** Support-set (queue) size; default 4096 (NNCLR: 98304 on ImageNet). */
  readonly queueSize?: number;
  /** Temperature τ; default 0.1 (NNCLR). */
  readonly temperature?: number;
  /** Default: SimCLR's augmentation (NNCLR uses BYOL's), CIFAR settings for small inputs. */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** Seed of the default predictor's weights; default 0. */
  readonly seed?: number;
  /** Per-step value checks (host read-backs); default false. */
  readonly validate?: boolean;
}

const KNOWN = ['encoder', 'head', 'predictor', 'predictorHiddenDim', 'queueSize', 'temperature', 'augment', 'localCrops', 'imageSize', 'seed', 'validate'];

/**
 * The nearest neighbour (cosine) in `support` `[K, D]` of each row of `z` `[B, D]`: `[B, D]` unit
 * rows (NNCLR eq. 1). No gradient flows to `z` or `support` (argmax and a gather of queue rows).
 */
export function nearestNeighbours(z: tf.Tensor2D, support: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const unit = l2Normalize(support);
    const nearest = tf.argMax(tf.matMul(l2Normalize(z), unit, false, true), 1) as tf.Tensor1D;
    return tf.gather(unit, nearest) as tf.Tensor2D;
  });
}

/** NNCLR's loss over `[z | p]` embeddings, with the support set as `inputs.negatives` (`[K, 2D]`: z | p rows). */
function nnclrLoss(temperature: number, checkValues: boolean): ContrastiveLoss {
  return {
    name: 'nnclr',
    compute(inputs) {
      if (inputs.negatives === undefined) {
        throw new ArgumentError("nnclr.loss: argument 'inputs.negatives' (the support set) is required, received undefined", {
          argument: 'inputs.negatives',
          expected: 'the support queue rows',
          received: undefined,
        });
      }
      const rows = inputs.negatives;
      return tf.tidy(() => {
        const parts = inputs.views.map(splitProjectionPrediction);
        const d = parts[0]![0].shape[1];
        const support = tf.slice(rows, [0, 0], [-1, d]) as tf.Tensor2D;
        const neighbours = parts.slice(0, 2).map(([z]) => nearestNeighbours(z, support));
        return meanOverViewPairs('nnclr.loss', parts.length, (v, g) => infoNce(parts[v]![1], neighbours[g]!, null, { temperature, checkValues }));
      });
    },
  };
}

/**
 * The NNCLR strategy. Its state is the support queue; it owns a predictor it built; the encoder,
 * projector and a passed-in predictor or augmenter stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = nnclr({ encoder, head, queueSize: 4096, temperature: 0.1 });
 * ```
 */
export function nnclr(options: NnclrStrategyOptions): Strategy<ComposedState<MomentumQueueState>> {
  checkStrategyOptions('nnclr', options, KNOWN);
  const size = imageSizeOf('nnclr', options);
  const checkValues = validateOption('nnclr', options);
  const augment = options.augment ?? defaultAugment('simclr', size, checkValues, options.localCrops);
  const temperature = options.temperature ?? 0.1;
  assertPositive('nnclr', 'options.temperature', temperature);
  const d = options.head.outputDim;
  const ownPredictor =
    options.predictor === undefined ? predictorHead({ inputDim: d, hiddenDim: options.predictorHiddenDim ?? Math.min(4096, 16 * d), seed: options.seed ?? 0 }) : null;
  const predictor = options.predictor ?? (ownPredictor as ProjectionHead);
  try {
    const head = withPredictor(options.head, predictor, 'both');
    return compose<MomentumQueueState>({
      name: 'nnclr',
      augment,
      encoder: options.encoder,
      head,
      // The support set stores view 0's [z | p] rows (the loss reads the z half).
      negatives: momentumQueue({ size: options.queueSize ?? 4096, dim: head.outputDim, normalize: false, checkValues }),
      write: 'online',
      loss: nnclrLoss(temperature, checkValues),
      owns: ownPredictor ? [ownPredictor] : [],
    });
  } catch (e) {
    ownPredictor?.dispose();
    throw e;
  }
}

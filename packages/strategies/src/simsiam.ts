/**
 * SimSiam (Chen & He 2021, "Exploring Simple Siamese Representation Learning"): one network
 * (encoder f, projector, predictor h) on two views; the loss is the symmetrised negative cosine
 * D(p1, stopgrad(z2))/2 + D(p2, stopgrad(z1))/2 (eq. 1-4). No momentum encoder, no negatives;
 * the stop-gradient is what prevents collapse (Sec. 4.1, Fig. 2): `stopGradient: false`
 * removes it, for that ablation. With multi-crop, every view predicts each global view's z.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ContrastiveLoss, Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import { predictorHead } from '@contrastive/heads';
import { negativeCosine } from '@contrastive/losses';
import { l2Normalize } from '@contrastive/nn';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { booleanOption, checkStrategyOptions } from './strategy-options.js';
import { validateOption } from './validate-option.js';
import { meanOverViewPairs } from './view-pairs.js';
import { splitProjectionPrediction, withPredictor } from './with-predictor.js';

/** Options of {@link simsiam}. */
export interface SimsiamStrategyOptions {
  readonly encoder: Encoder;
  /** The projector (SimSiam: 3-layer MLP with BN, output 2048). */
  readonly head: ProjectionHead;
  /** The predictor h; default `predictorHead({ inputDim: D, hiddenDim: predictorHiddenDim })`, owned by the strategy. */
  readonly predictor?: ProjectionHead;
  /** Hidden width of the default predictor; default max(1, D / 4) (SimSiam: 512 for 2048, the bottleneck of Sec. 4.4). */
  readonly predictorHiddenDim?: number;
  /** Default: SimCLR's augmentation (SimSiam uses the MoCo v2 / SimCLR set), CIFAR settings for small inputs. */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** Keep the stop-gradient on the target z (default true); false is the collapsing ablation of Sec. 4.1. */
  readonly stopGradient?: boolean;
  /** Seed of the default predictor's weights; default 0. */
  readonly seed?: number;
  /** Per-step value checks (host read-backs); default false. */
  readonly validate?: boolean;
}

const KNOWN = ['encoder', 'head', 'predictor', 'predictorHiddenDim', 'augment', 'localCrops', 'imageSize', 'stopGradient', 'seed', 'validate'];

/** -cos(p, z) averaged over rows, with the gradient flowing to both (the ablation without stop-gradient). */
function negativeCosineBothWays(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(l2Normalize(p), l2Normalize(z)), 1))) as tf.Scalar;
}

/** SimSiam's loss over `[z | p]` embeddings of each view. */
function simsiamLoss(stopGradient: boolean, checkValues: boolean): ContrastiveLoss {
  return {
    name: stopGradient ? 'simsiam' : 'simsiam-no-stop-gradient',
    compute(inputs) {
      return tf.tidy(() => {
        const parts = inputs.views.map(splitProjectionPrediction);
        return meanOverViewPairs('simsiam.loss', parts.length, (v, g) => {
          const p = parts[v]![1];
          const z = parts[g]![0];
          return stopGradient ? negativeCosine(p, z, { checkValues }) : negativeCosineBothWays(p, z);
        });
      });
    },
  };
}

/**
 * The SimSiam strategy. It owns a predictor it built; the encoder, projector and a passed-in
 * predictor or augmenter stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = simsiam({ encoder, head: mlpHeadV2({ inputDim: encoder.outputDim, hiddenDim: 512, outputDim: 512 }) });
 * ```
 */
export function simsiam(options: SimsiamStrategyOptions): Strategy<ComposedState<never>> {
  checkStrategyOptions('simsiam', options, KNOWN);
  const size = imageSizeOf('simsiam', options);
  const checkValues = validateOption('simsiam', options);
  const stopGradient = booleanOption('simsiam', 'stopGradient', options.stopGradient, true);
  const augment = options.augment ?? defaultAugment('simclr', size, checkValues, options.localCrops);
  const d = options.head.outputDim;
  const ownPredictor =
    options.predictor === undefined ? predictorHead({ inputDim: d, hiddenDim: options.predictorHiddenDim ?? Math.max(1, Math.floor(d / 4)), seed: options.seed ?? 0 }) : null;
  const predictor = options.predictor ?? (ownPredictor as ProjectionHead);
  try {
    return compose<never>({
      name: stopGradient ? 'simsiam' : 'simsiam-no-stop-gradient',
      augment,
      encoder: options.encoder,
      head: withPredictor(options.head, predictor, 'both'),
      loss: simsiamLoss(stopGradient, checkValues),
      owns: ownPredictor ? [ownPredictor] : [],
    });
  } catch (e) {
    ownPredictor?.dispose();
    throw e;
  }
}

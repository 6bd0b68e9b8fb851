/**
 * The shape shared by the strategies whose loss compares two views of a batch with no key
 * branch and no negative source (Barlow Twins, VICReg, DCL): one encoder and projector, a loss
 * term `term(z_view, z_target)` averaged over the view pairs (with multi-crop, every view
 * against each global view; Caron et al. 2020).
 */
import type { ContrastiveLoss, Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import * as tf from '@tensorflow/tfjs-core';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { checkStrategyOptions } from './strategy-options.js';
import { validateOption } from './validate-option.js';
import { meanOverViewPairs } from './view-pairs.js';

/** The options every pair-loss strategy accepts. */
export interface PairLossStrategyOptions {
  readonly encoder: Encoder;
  /** The projector. */
  readonly head: ProjectionHead;
  /** Default: the strategy's recipe at the encoder's input size (plus `localCrops`). */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** Per-step value checks (host read-backs); default false. */
  readonly validate?: boolean;
}

/** What a named pair-loss strategy declares. */
export interface PairLossSpec {
  readonly name: string;
  /** The strategy's own option keys (besides encoder, head, augment, localCrops, validate). */
  readonly ownOptions: readonly string[];
  readonly recipe: 'simclr' | 'byol';
  /** The loss of one (view, target) pair of `[B, D]` embeddings. */
  term(view: tf.Tensor2D, target: tf.Tensor2D, checkValues: boolean): tf.Scalar;
}

const COMMON = ['encoder', 'head', 'augment', 'localCrops', 'imageSize', 'validate'];

/** Builds the strategy: `compose()` with the pair-averaged loss. */
export function pairLossStrategy(options: PairLossStrategyOptions, spec: PairLossSpec): Strategy<ComposedState<never>> {
  checkStrategyOptions(spec.name, options, [...COMMON, ...spec.ownOptions]);
  const size = imageSizeOf(spec.name, options);
  const checkValues = validateOption(spec.name, options);
  const loss: ContrastiveLoss = {
    name: spec.name,
    compute: (inputs) => meanOverViewPairs(`${spec.name}.loss`, inputs.views.length, (v, g) => spec.term(inputs.views[v]!, inputs.views[g]!, checkValues)),
  };
  return compose<never>({
    name: spec.name,
    augment: options.augment ?? defaultAugment(spec.recipe, size, checkValues, options.localCrops),
    encoder: options.encoder,
    head: options.head,
    loss,
  });
}

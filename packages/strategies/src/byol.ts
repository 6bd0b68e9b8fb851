/**
 * BYOL (Grill et al. 2020, "Bootstrap Your Own Latent: A New Approach to Self-Supervised
 * Learning"): an online network (encoder, projector, predictor q) predicts the projection of
 * another view by a target network, an exponential moving average of the online encoder and
 * projector (Sec. 3.1, eq. 1-2), with the momentum raised from τ_base to 1 along a cosine
 * (Sec. 3.2). No negatives. The loss is the symmetrised negative cosine between the online
 * prediction of one view and the target projection of the other (eq. 2 is 2 - 2 cos; the
 * constant and factor do not change the optimum); with multi-crop, every view predicts each
 * global view's target.
 */
import type { ContrastiveLoss, Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import type { CloneableModule } from '@contrastive/encoders';
import { predictorHead } from '@contrastive/heads';
import { negativeCosine } from '@contrastive/losses';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { momentumBranch, type MomentumBranch } from './momentum-branch.js';
import { checkStrategyOptions } from './strategy-options.js';
import { validateOption } from './validate-option.js';
import { meanOverViewPairs } from './view-pairs.js';
import { withPredictor } from './with-predictor.js';

/** Options of {@link byol}. */
export interface ByolStrategyOptions<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>> {
  readonly encoder: E;
  /** The projector g (BYOL: MLP 4096-256 with BN); the target network holds its EMA copy. */
  readonly head: H;
  /** The predictor q; default `predictorHead({ inputDim: head.outputDim, hiddenDim: predictorHiddenDim })`, owned by the strategy. */
  readonly predictor?: ProjectionHead;
  /** Hidden width of the default predictor; default min(4096, 16 x head.outputDim) (BYOL: 4096 for 256). */
  readonly predictorHiddenDim?: number;
  /** Default: BYOL's two asymmetric views at the encoder's input size (plus `localCrops`). */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** Base momentum τ_base; default 0.996 (BYOL). */
  readonly momentum?: number;
  /** `{ totalSteps }`: the cosine schedule from τ_base to 1 over the run (BYOL, Sec. 3.2); default constant momentum. */
  readonly cosineSchedule?: { readonly totalSteps: number };
  /** Seed of the default predictor's weights; default 0. */
  readonly seed?: number;
  /** Per-step value checks (host read-backs); default false. */
  readonly validate?: boolean;
}

/** A BYOL strategy with access to its target network (owned by the strategy). */
export type ByolStrategy<E extends Encoder, H extends ProjectionHead> = Strategy<ComposedState<never>> & {
  readonly keyBranch: MomentumBranch<E, H>;
  readonly predictor: ProjectionHead;
};

const KNOWN = ['encoder', 'head', 'predictor', 'predictorHiddenDim', 'augment', 'localCrops', 'imageSize', 'momentum', 'cosineSchedule', 'seed', 'validate'];

/** The BYOL loss: views are online predictions, keys the target projections of the global views. */
function byolLoss(checkValues: boolean): ContrastiveLoss {
  return {
    name: 'byol',
    compute(inputs) {
      const keys = inputs.keys ?? [];
      return meanOverViewPairs('byol.loss', inputs.views.length, (v, g) => negativeCosine(inputs.views[v]!, keys[g]!, { checkValues }));
    },
  };
}

/**
 * The BYOL strategy. It owns its target network (momentum copies of encoder and projector) and
 * a predictor it built; the online encoder, projector and a passed-in predictor or augmenter
 * stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = byol({ encoder, head: mlpHeadV2({ inputDim: encoder.outputDim, hiddenDim: 512, outputDim: 128 }),
 *   momentum: 0.99, cosineSchedule: { totalSteps } });
 * ```
 */
export function byol<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>>(options: ByolStrategyOptions<E, H>): ByolStrategy<E, H> {
  checkStrategyOptions('byol', options, KNOWN);
  const size = imageSizeOf('byol', options);
  const checkValues = validateOption('byol', options);
  const augment = options.augment ?? defaultAugment('byol', size, checkValues, options.localCrops);
  const ownPredictor =
    options.predictor === undefined
      ? predictorHead({ inputDim: options.head.outputDim, hiddenDim: options.predictorHiddenDim ?? Math.min(4096, 16 * options.head.outputDim), seed: options.seed ?? 0 })
      : null;
  const predictor = options.predictor ?? (ownPredictor as ProjectionHead);
  let keyBranch: MomentumBranch<E, H> | null = null;
  try {
    keyBranch = momentumBranch({
      encoder: options.encoder,
      head: options.head,
      momentum: options.momentum ?? 0.996,
      ...(options.cosineSchedule !== undefined ? { cosineSchedule: options.cosineSchedule } : {}),
    });
    const strategy = compose<never>({
      name: 'byol',
      augment,
      encoder: options.encoder,
      head: withPredictor(options.head, predictor, 'prediction'),
      keyBranch,
      keyViews: 2,
      loss: byolLoss(checkValues),
      owns: ownPredictor ? [keyBranch, ownPredictor] : [keyBranch],
    });
    return { ...strategy, keyBranch, predictor };
  } catch (e) {
    keyBranch?.dispose();
    ownPredictor?.dispose();
    throw e;
  }
}

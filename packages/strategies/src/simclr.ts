/**
 * SimCLR (Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
 * Representations"): two augmented views per image, a shared encoder and projection head,
 * NT-Xent over the 2N views with in-batch negatives (Algorithm 1).
 */
import type { ContrastiveLoss, Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import { ntXent, ntXentLoss } from '@contrastive/losses';
import { meanOverViewPairs } from './view-pairs.js';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { validateOption } from './validate-option.js';

/** Options of {@link simclr}. */
export interface SimclrStrategyOptions {
  readonly encoder: Encoder;
  readonly head: ProjectionHead;
  /**
   * The augmentation; default SimCLR's recipe at the encoder's input size with CIFAR
   * settings (strength 0.5, no blur) for inputs of side <= 64, paper settings otherwise.
   */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020; docs/strategies/multi-crop.md); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** NT-Xent temperature τ; default 0.5 (the paper's CIFAR-10 setting, Appendix B.9). */
  readonly temperature?: number;
  /**
   * Check values on every step: the default augmenter's input range ([0, 1], finite) and the
   * loss's inputs (finite embeddings, no all-zero row, integer labels). Each check is a host
   * read-back, which stalls a GPU engine, so the default is false: the trainer checks each
   * epoch's first batch inside its one read-back per step, and a non-finite loss still shows.
   * A passed-in augmenter keeps its own `checkValues` setting.
   */
  readonly validate?: boolean;
}

/**
 * The SimCLR strategy. `dispose()` frees the states it handed out; the encoder, head and a
 * passed-in augmenter stay the caller's.
 *
 * @example
 * ```ts
 * const encoder = resnet18({ stem: 'cifar' });
 * const head = mlpHead({ inputDim: encoder.outputDim, outputDim: 128 });
 * const strategy = simclr({ encoder, head, temperature: 0.5 });
 * ```
 */
export function simclr(options: SimclrStrategyOptions): Strategy<ComposedState<never>> {
  const size = imageSizeOf('simclr', options);
  const checkValues = validateOption('simclr', options);
  const augment = options.augment ?? defaultAugment('simclr', size, checkValues, options.localCrops);
  return compose<never>({
    name: 'simclr',
    augment,
    encoder: options.encoder,
    head: options.head,
    loss: multiCropNtXent(options.temperature ?? 0.5, checkValues),
  });
}

/**
 * NT-Xent over two views; with multi-crop views (2 global + N local, Caron et al. 2020) the mean
 * of NT-Xent over every (view, global view) pair.
 */
function multiCropNtXent(temperature: number, checkValues: boolean): ContrastiveLoss {
  const two = ntXentLoss({ temperature, checkValues });
  return {
    name: two.name,
    compute(inputs) {
      if (inputs.views.length <= 2) return two.compute(inputs);
      return meanOverViewPairs('simclr.loss', inputs.views.length, (v, g) => ntXent(inputs.views[v]!, inputs.views[g]!, { temperature, checkValues }));
    },
  };
}

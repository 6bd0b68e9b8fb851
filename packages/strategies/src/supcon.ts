/**
 * Supervised contrastive learning (Khosla et al. 2020, "Supervised Contrastive Learning"):
 * every other view of the same class is a positive; L_out (eq. 2, the paper's choice) or
 * L_in (eq. 3).
 */
import type { Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import { supConLoss } from '@contrastive/losses';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { validateOption } from './validate-option.js';

/** Options of {@link supcon}. */
export interface SupconStrategyOptions {
  readonly encoder: Encoder;
  readonly head: ProjectionHead;
  /** Default: SimCLR's augmentation (the paper's choice), CIFAR settings for small inputs. */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020; docs/strategies/multi-crop.md); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** Temperature τ; default 0.1 (the paper's setting). */
  readonly temperature?: number;
  /** `'out'` (eq. 2, default) or `'in'` (eq. 3). */
  readonly variant?: 'out' | 'in';
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
 * The SupCon strategy; batches must carry `labels`. `dispose()` frees the states it handed
 * out; the encoder, head and a passed-in augmenter stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = supcon({ encoder, head, temperature: 0.1, variant: 'out' });
 * ```
 */
export function supcon(options: SupconStrategyOptions): Strategy<ComposedState<never>> {
  const size = imageSizeOf('supcon', options);
  const checkValues = validateOption('supcon', options);
  const augment = options.augment ?? defaultAugment('simclr', size, checkValues, options.localCrops);
  return compose<never>({
    name: `supcon-${options.variant ?? 'out'}`,
    augment,
    encoder: options.encoder,
    head: options.head,
    loss: supConLoss({ temperature: options.temperature ?? 0.1, variant: options.variant ?? 'out', checkValues }),
    useLabels: true,
  });
}

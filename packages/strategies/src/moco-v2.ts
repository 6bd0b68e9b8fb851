/**
 * MoCo v2 (Chen, Fan, Girshick, He 2020, "Improved Baselines with Momentum Contrastive
 * Learning"): MoCo (He et al. 2020) with an MLP head, stronger augmentation (blur) and
 * τ = 0.2. The query is the online embedding of view 1, its positive key the momentum
 * encoder's embedding of view 2, the negatives a FIFO queue of K past keys; the key is
 * enqueued after the step.
 */
import type { Encoder, ProjectionHead, Strategy, ViewAugmenter } from '@contrastive/core';
import { mocoV2 as mocoV2Augment } from '@contrastive/augment';
import type { CloneableModule } from '@contrastive/encoders';
import { infoNceLoss } from '@contrastive/losses';
import { momentumQueue, type MomentumQueueState } from '@contrastive/negatives';
import { compose, type ComposedState } from './compose.js';
import { imageSizeOf } from './image-size.js';
import { validateOption } from './validate-option.js';
import { momentumBranch, type MomentumBranch } from './momentum-branch.js';

/** Options of {@link mocoV2}. */
export interface MocoV2StrategyOptions<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>> {
  readonly encoder: E;
  readonly head: H;
  /** Default: MoCo v2's augmentation at the encoder's input size. */
  readonly augment?: ViewAugmenter;
  /** Queue length K; default 4096 (65536 in the paper's ImageNet runs). */
  readonly queueSize?: number;
  /** Temperature τ; default 0.2. */
  readonly temperature?: number;
  /** Momentum m; default 0.999. */
  readonly momentum?: number;
  /** Cosine momentum schedule from m to 1 over `totalSteps`. */
  readonly cosineSchedule?: { readonly totalSteps: number };
  /** Shuffling-BN substitute on one device (see {@link momentumBranch}); default 1 (off). */
  readonly shuffleGroups?: number;
  /** `true` adds the symmetric term (query from view 2, key from view 1); default false. */
  readonly symmetric?: boolean;
  /**
   * Check values on every step: the default augmenter's input range ([0, 1], finite) and the
   * loss's inputs (finite embeddings, no all-zero row, integer labels). Each check is a host
   * read-back, which stalls a GPU engine, so the default is false: the trainer checks each
   * epoch's first batch inside its one read-back per step, and a non-finite loss still shows.
   * A passed-in augmenter keeps its own `checkValues` setting.
   */
  readonly validate?: boolean;
}

/** A MoCo v2 strategy, with access to its key branch (owned by the strategy: freed by its `dispose()`). */
export type MocoV2Strategy<E extends Encoder, H extends ProjectionHead> = Strategy<ComposedState<MomentumQueueState>> & {
  readonly keyBranch: MomentumBranch<E, H>;
};

/**
 * The MoCo v2 strategy. It owns its key branch (the momentum copies of the encoder and head):
 * `dispose()` frees them and the queues (states) it handed out that are still alive; the
 * online encoder, head and a passed-in augmenter stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = mocoV2({ encoder, head, queueSize: 4096, temperature: 0.2, momentum: 0.99 });
 * ```
 */
export function mocoV2<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>>(
  options: MocoV2StrategyOptions<E, H>,
): MocoV2Strategy<E, H> {
  const size = imageSizeOf('mocoV2', options);
  const checkValues = validateOption('mocoV2', options);
  const augment = options.augment ?? mocoV2Augment({ size, checkValues });
  const keyBranch = momentumBranch({
    encoder: options.encoder,
    head: options.head,
    ...(options.momentum !== undefined ? { momentum: options.momentum } : {}),
    ...(options.cosineSchedule !== undefined ? { cosineSchedule: options.cosineSchedule } : {}),
    ...(options.shuffleGroups !== undefined ? { shuffleGroups: options.shuffleGroups } : {}),
  });
  let strategy: Strategy<ComposedState<MomentumQueueState>>;
  try {
    strategy = compose<MomentumQueueState>({
      name: 'moco-v2',
      augment,
      encoder: options.encoder,
      head: options.head,
      keyBranch,
      negatives: momentumQueue({ size: options.queueSize ?? 4096, dim: options.head.outputDim, checkValues }),
      loss: infoNceLoss({
        temperature: options.temperature ?? 0.2,
        checkValues,
        pairs: options.symmetric === true ? [[0, 1], [1, 0]] : [[0, 1]],
      }),
      write: 'keys',
      // The momentum copies exist only for this strategy: its dispose() frees them.
      owns: [keyBranch],
    });
  } catch (e) {
    keyBranch.dispose();
    throw e;
  }
  return { ...strategy, keyBranch };
}

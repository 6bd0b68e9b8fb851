/**
 * SupCon with a momentum queue (Khosla et al. 2020, "Supervised Contrastive Learning", eq. 2-3,
 * with MoCo's dictionary, He et al. 2020, §3.2): the anchors are the online embeddings of every
 * view; the contrast set adds the momentum encoder's keys of the global views and a FIFO queue
 * of past keys that carry their class labels, so every stored key of the anchor's class is a
 * positive and the rest are negatives, far more than one batch holds (the MoCo-style supervised
 * contrast of e.g. PaCo, Cui et al. 2021). The keys of the last global view are enqueued with
 * their labels after each step. Batches must carry `labels`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertOneOf, assertPositive, type ContrastiveLoss, type Encoder, type ProjectionHead, type Strategy, type ViewAugmenter } from '@contrastive/core';
import type { LocalCropsOptions } from '@contrastive/augment';
import type { CloneableModule } from '@contrastive/encoders';
import { supCon } from '@contrastive/losses';
import { momentumQueue, type MomentumQueueState } from '@contrastive/negatives';
import { compose, type ComposedState } from './compose.js';
import { defaultAugment } from './default-augment.js';
import { imageSizeOf } from './image-size.js';
import { momentumBranch, type MomentumBranch } from './momentum-branch.js';
import { checkStrategyOptions } from './strategy-options.js';
import { validateOption } from './validate-option.js';

/** Options of {@link supconQueue}. */
export interface SupconQueueStrategyOptions<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>> {
  readonly encoder: E;
  readonly head: H;
  /** Default: SimCLR's augmentation (the paper's), CIFAR settings for small inputs (plus `localCrops`). */
  readonly augment?: ViewAugmenter;
  /** Multi-crop local views for the default augmenter (Caron et al. 2020); needs `imageSize`. */
  readonly localCrops?: LocalCropsOptions;
  /** Side of the default augmenter's (global) views; default the encoder's `inputShape`. */
  readonly imageSize?: number;
  /** Temperature τ; default 0.1 (Khosla et al.). */
  readonly temperature?: number;
  /** `'out'` (eq. 2, default) or `'in'` (eq. 3). */
  readonly variant?: 'out' | 'in';
  /** Queue length K; default 4096. */
  readonly queueSize?: number;
  /** Momentum m of the key encoder; default 0.999 (MoCo). */
  readonly momentum?: number;
  /** Cosine momentum schedule from m to 1 over `totalSteps`. */
  readonly cosineSchedule?: { readonly totalSteps: number };
  /** Per-step value checks (host read-backs); default false. */
  readonly validate?: boolean;
}

/** A SupCon + queue strategy with access to its key branch (owned by the strategy). */
export type SupconQueueStrategy<E extends Encoder, H extends ProjectionHead> = Strategy<ComposedState<MomentumQueueState>> & {
  readonly keyBranch: MomentumBranch<E, H>;
};

const KNOWN = ['encoder', 'head', 'augment', 'localCrops', 'imageSize', 'temperature', 'variant', 'queueSize', 'momentum', 'cosineSchedule', 'validate'];

/** SupCon over the online views, with the keys and the labelled queue rows as the external set. */
function supconQueueLoss(temperature: number, variant: 'out' | 'in', checkValues: boolean): ContrastiveLoss {
  return {
    name: `supcon-queue-${variant}`,
    compute(inputs) {
      const { labels, keys, negatives, negativeLabels } = inputs;
      if (labels === undefined || keys === undefined || negatives === undefined || negativeLabels === undefined) {
        throw new ArgumentError("supconQueue.loss: argument 'inputs' must carry labels, keys, negatives and negativeLabels", {
          argument: 'inputs',
          expected: 'labels, keys, negatives and negativeLabels',
          received: Object.keys(inputs),
        });
      }
      return tf.tidy(() => {
        const external = tf.concat([...keys, negatives], 0) as tf.Tensor2D;
        const externalLabels = tf.concat([...keys.map(() => tf.cast(labels, 'int32')), tf.cast(negativeLabels, 'int32')], 0) as tf.Tensor1D;
        return supCon(inputs.views, labels, { temperature, variant, checkValues, negatives: external, negativeLabels: externalLabels });
      });
    },
  };
}

/**
 * The SupCon + momentum queue strategy. It owns its key branch (momentum copies of the encoder
 * and head) and the queues it handed out; the online encoder, head and a passed-in augmenter
 * stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = supconQueue({ encoder, head, queueSize: 4096, temperature: 0.1, momentum: 0.99 });
 * ```
 */
export function supconQueue<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>>(
  options: SupconQueueStrategyOptions<E, H>,
): SupconQueueStrategy<E, H> {
  const where = 'supconQueue';
  checkStrategyOptions(where, options, KNOWN);
  const size = imageSizeOf(where, options);
  const checkValues = validateOption(where, options);
  const temperature = options.temperature ?? 0.1;
  assertPositive(where, 'options.temperature', temperature);
  const variant = options.variant ?? 'out';
  assertOneOf(where, 'options.variant', variant, ['out', 'in']);
  const queue = momentumQueue({ size: options.queueSize ?? 4096, dim: options.head.outputDim, labels: true, checkValues });
  const keyBranch = momentumBranch({
    encoder: options.encoder,
    head: options.head,
    momentum: options.momentum ?? 0.999,
    ...(options.cosineSchedule !== undefined ? { cosineSchedule: options.cosineSchedule } : {}),
  });
  try {
    const strategy = compose<MomentumQueueState>({
      name: `supcon-queue-${variant}`,
      augment: options.augment ?? defaultAugment('simclr', size, checkValues, options.localCrops),
      encoder: options.encoder,
      head: options.head,
      keyBranch,
      keyViews: 2,
      negatives: queue,
      useLabels: true,
      negativeLabels: true,
      write: 'keys',
      loss: supconQueueLoss(temperature, variant, checkValues),
      owns: [keyBranch],
    });
    return { ...strategy, keyBranch };
  } catch (e) {
    keyBranch.dispose();
    throw e;
  }
}

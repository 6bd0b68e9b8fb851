/**
 * Instance discrimination with a memory bank (Wu, Xiong, Yu, Lin 2018, "Unsupervised Feature
 * Learning via Non-Parametric Instance Discrimination"): every image is its own class; its
 * positive is its memory-bank entry v_i, negatives are K random bank rows; after the step the
 * bank entry moves towards the new embedding, v_i <- normalise(m v_i + (1 - m) f_i).
 * The loss is the softmax form over the positive and the K sampled negatives (InfoNCE), the
 * NCE approximation's target.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, type Encoder, type ProjectionHead, type Strategy, type ViewAugmenter } from '@contrastive/core';
import { mocoV2 as mocoV2Augment } from '@contrastive/augment';
import { infoNceLoss } from '@contrastive/losses';
import { memoryBank, type MemoryBankState } from '@contrastive/negatives';
import { compose, type ComposedState } from './compose.js';
import { imageSizeOf } from './image-size.js';
import { validateOption } from './validate-option.js';
import type { KeyBranch } from './key-branch.js';

/** Options of {@link instDisc}. */
export interface InstDiscStrategyOptions {
  readonly encoder: Encoder;
  readonly head: ProjectionHead;
  /** Number of samples in the data set (one bank row each); batches must carry `indices`. */
  readonly datasetSize: number;
  /** Default: one view of MoCo's augmentation at the encoder's input size. */
  readonly augment?: ViewAugmenter;
  /** Negatives per step K; default 4096. */
  readonly numNegatives?: number;
  /** Temperature τ; default 0.07 (the paper's setting). */
  readonly temperature?: number;
  /** Bank momentum m; default 0.5 (the paper's setting). */
  readonly bankMomentum?: number;
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
 * The InstDisc strategy. `dispose()` frees the memory banks (states) it handed out that are
 * still alive; the encoder, head and a passed-in augmenter stay the caller's.
 *
 * @example
 * ```ts
 * const strategy = instDisc({ encoder, head, datasetSize: 50000, numNegatives: 4096 });
 * ```
 */
export function instDisc(options: InstDiscStrategyOptions): Strategy<ComposedState<MemoryBankState>> {
  const size = imageSizeOf('instDisc', options);
  const checkValues = validateOption('instDisc', options);
  const augment = options.augment ?? mocoV2Augment({ size, views: 1, checkValues });
  const bank = memoryBank({
    size: options.datasetSize,
    dim: options.head.outputDim,
    numNegatives: options.numNegatives ?? 4096,
    momentum: options.bankMomentum ?? 0.5,
    checkValues,
  });
  // The positive of sample i is its bank row v_i: a "key branch" that reads the bank.
  const bankPositives: KeyBranch = {
    name: 'bank-positives',
    nonTrainableVariables: [],
    keys(views, _rng, context) {
      if (context.indices === undefined) {
        throw new ArgumentError("instDisc: argument 'batch.indices' is required (the memory bank is indexed by sample), received undefined", {
          argument: 'batch.indices',
          received: undefined,
        });
      }
      const rows = bank.lookup(context.negativesState as MemoryBankState, context.indices);
      return views.map((_, i) => (i === 0 ? rows : (tf.clone(rows) as tf.Tensor2D)));
    },
    update: () => undefined,
    dispose: () => undefined,
  };
  return compose<MemoryBankState>({
    name: 'inst-disc',
    augment,
    encoder: options.encoder,
    head: options.head,
    keyBranch: bankPositives,
    negatives: bank,
    loss: infoNceLoss({ temperature: options.temperature ?? 0.07, pairs: [[0, 0]], checkValues }),
    write: 'online',
  });
}

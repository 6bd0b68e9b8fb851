/**
 * MoCo's key branch: a momentum (EMA) copy of the online encoder and head (He et al. 2020,
 * "Momentum Contrast for Unsupervised Visual Representation Learning", §3.2, eq. 2:
 * θ_k ← m θ_k + (1 − m) θ_q), with an optional cosine momentum schedule (as in BYOL and
 * MoCo v3) and a single-device substitute for shuffling BN.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertInRange, assertInteger, describeValue, type Encoder, type ProjectionHead, type Rng } from '@contrastive/core';
import { momentumCopy, type CloneableModule } from '@contrastive/encoders';
import { cosineMomentum, modulePaths } from '@contrastive/nn';
import type { KeyBranch } from './key-branch.js';

/** Options of {@link momentumBranch}. */
export interface MomentumBranchOptions<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>> {
  /** The online encoder (copied at creation). */
  readonly encoder: E;
  /** The online head (copied at creation). */
  readonly head: H;
  /** Momentum m in [0, 1]; MoCo's default 0.999. */
  readonly momentum?: number;
  /**
   * `{ totalSteps }` turns on the cosine schedule m_t = 1 − (1 − m)(cos(πt/T) + 1)/2, rising
   * from m to 1 over T steps (BYOL, Grill et al. 2020, §3.2).
   */
  readonly cosineSchedule?: { readonly totalSteps: number };
  /**
   * Shuffling BN substitute for one device: the key batch is permuted (with the strategy's
   * rng) and split into this many groups, each normalised with its own BatchNorm statistics,
   * then restored to the original order, so a key's BN statistics do not come from exactly
   * the same sub-batch as its query's (MoCo §3.3 "Shuffling BN"). 1 (default) turns it off.
   */
  readonly shuffleGroups?: number;
}

/** A momentum key branch, with access to its copies. */
export interface MomentumBranch<E extends Encoder, H extends ProjectionHead> extends KeyBranch {
  readonly keyEncoder: E;
  readonly keyHead: H;
  /** The momentum used at a given step (constant, or the cosine schedule). */
  momentumAt(step: number): number;
}

/**
 * Builds MoCo's momentum key branch. Keys are computed in training mode (BatchNorm uses the
 * key batch's statistics, as in the MoCo code); the copies' BN running statistics are their
 * own (only parameters are averaged, as in MoCo's `_momentum_update_key_encoder`).
 *
 * @example
 * ```ts
 * const branch = momentumBranch({ encoder, head, momentum: 0.999, shuffleGroups: 4 });
 * ```
 */
export function momentumBranch<E extends Encoder & CloneableModule<E>, H extends ProjectionHead & CloneableModule<H>>(
  options: MomentumBranchOptions<E, H>,
): MomentumBranch<E, H> {
  const where = 'momentumBranch';
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object, received ${describeValue(options)}`, {
      argument: 'options',
      received: options,
    });
  }
  const { encoder, head } = options;
  const momentum = options.momentum ?? 0.999;
  assertInRange(where, 'options.momentum', momentum, 0, 1);
  const groups = options.shuffleGroups ?? 1;
  assertInteger(where, 'options.shuffleGroups', groups, 1);
  const totalSteps = options.cosineSchedule?.totalSteps;
  if (options.cosineSchedule !== undefined) assertInteger(where, 'options.cosineSchedule.totalSteps', totalSteps, 1);
  const keyEncoder = momentumCopy(encoder, { buffers: 'own' });
  const keyHead = momentumCopy(head, { buffers: 'own' });

  const momentumAt = (step: number): number =>
    totalSteps === undefined ? momentum : cosineMomentum(Math.min(step, totalSteps), totalSteps, momentum);

  const embedKeys = (x: tf.Tensor4D): tf.Tensor2D => keyHead.apply(keyEncoder.apply(x, { training: true }), { training: true });

  const keysOfView = (x: tf.Tensor4D, rng: Rng): tf.Tensor2D => {
    const b = x.shape[0];
    if (groups === 1 || b < 2 * groups) return embedKeys(x);
    const perm = rng.permutation(b);
    const inverse = new Int32Array(b);
    perm.forEach((p, i) => (inverse[p] = i));
    const base = Math.floor(b / groups);
    const sizes = Array.from({ length: groups }, (_, g) => base + (g < b % groups ? 1 : 0));
    const shuffled = tf.gather(x, tf.tensor1d(perm, 'int32')) as tf.Tensor4D;
    const parts = tf.split(shuffled, sizes, 0) as tf.Tensor4D[];
    const k = tf.concat(parts.map(embedKeys), 0) as tf.Tensor2D;
    return tf.gather(k, tf.tensor1d(inverse, 'int32')) as tf.Tensor2D;
  };

  return {
    name: 'momentum',
    keyEncoder,
    keyHead,
    nonTrainableVariables: [
      ...keyEncoder.trainableVariables,
      ...keyEncoder.nonTrainableVariables,
      ...keyHead.trainableVariables,
      ...keyHead.nonTrainableVariables,
    ],
    stateDict() {
      return new Map([...modulePaths(keyEncoder, 'encoder'), ...modulePaths(keyHead, 'head')]);
    },
    momentumAt,
    keys(views, rng) {
      return views.map((v) => tf.tidy(() => keysOfView(v, rng)));
    },
    update(step) {
      const m = momentumAt(step);
      keyEncoder.update(encoder, m);
      keyHead.update(head, m);
    },
    dispose() {
      keyEncoder.dispose();
      keyHead.dispose();
    },
  };
}

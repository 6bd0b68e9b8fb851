/**
 * A momentum (exponential moving average) copy of a module, the key encoder of MoCo
 * (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation Learning",
 * eq. 2: θ_k ← m·θ_k + (1 − m)·θ_q) and the target network of BYOL (Grill et al. 2020, eq. 1).
 */
import { ArgumentError, assertOptionsObject, assertProbability, describeValue, type TrainableModule } from '@contrastive/core';
import { Module, assertBufferPolicy, updateMomentum, type BufferPolicy } from '@contrastive/nn';

/**
 * What happens to buffers (`nonTrainableVariables`, e.g. BatchNorm running averages); see
 * nn's `updateMomentum`: `'ema'` (default) averages them like the parameters, `'copy'` copies
 * them from the online module, `'own'` leaves them to the copy's own forward passes.
 */
export type { BufferPolicy };

/**
 * A module that can copy itself: encoders of this package and heads of `@contrastive/heads`.
 * `clone({ trainable: false })` must return an independent module of the same architecture
 * whose variables are registered with tfjs as non-trainable and whose `trainableVariables` /
 * `nonTrainableVariables` pair one-to-one (same order and shapes) with the original's.
 */
export interface CloneableModule<M extends TrainableModule = TrainableModule> extends TrainableModule {
  clone(options?: { readonly trainable?: boolean }): M;
}

/** Options of {@link momentumCopy}. */
export interface MomentumCopyOptions {
  /** Default `'ema'`. */
  readonly buffers?: BufferPolicy;
}

/** The update added to a momentum copy. */
export interface MomentumUpdate<M extends TrainableModule> {
  /**
   * θ_copy ← m·θ_copy + (1 − m)·θ_online for every parameter (and buffer, per the policy).
   * m = 1 leaves the copy unchanged, m = 0 copies the online module exactly. In place, tidy.
   */
  update(online: M, m: number): void;
  /** The buffer policy chosen at creation. */
  readonly buffers: BufferPolicy;
}

/** A momentum copy: the module itself (use its `apply`) plus {@link MomentumUpdate.update}. */
export type MomentumCopy<M extends TrainableModule> = M & MomentumUpdate<M>;

/**
 * An exponential-moving-average copy of `module` (an encoder or a head): same architecture and
 * initial values, variables registered as non-trainable so gradients never reach it, and an
 * `update(online, m)` that moves it towards the online module.
 *
 * @example
 * ```ts
 * const keyEncoder = momentumCopy(encoder);          // MoCo's f_k
 * // after each optimizer step:
 * keyEncoder.update(encoder, 0.999);
 * const k = keyEncoder.apply(views, { training: true });
 * ```
 */
export function momentumCopy<M extends CloneableModule<M>>(module: M, options: MomentumCopyOptions = {}): MomentumCopy<M> {
  const where = 'momentumCopy';
  if (typeof module !== 'object' || module === null || typeof (module as { clone?: unknown }).clone !== 'function' || !Array.isArray(module.trainableVariables)) {
    throw new ArgumentError(`${where}: argument 'module' must be a module with clone() (an encoder or a head of @contrastive), received ${describeValue(module)}`, {
      argument: 'module',
      expected: 'a TrainableModule with clone()',
      received: module,
    });
  }
  assertOptionsObject(where, 'options', options);
  const buffers = options.buffers ?? 'ema';
  assertBufferPolicy(where, 'options.buffers', buffers);
  const copy = module.clone({ trainable: false });
  const update = (online: M, m: number): void => {
    assertProbability('momentumCopy.update', 'm', m);
    if (typeof online !== 'object' || online === null || !Array.isArray(online.trainableVariables) || !Array.isArray(online.nonTrainableVariables)) {
      throw new ArgumentError(`momentumCopy.update: argument 'online' must be the online module, received ${describeValue(online)}`, {
        argument: 'online',
        expected: 'a TrainableModule',
        received: online,
      });
    }
    if (copy instanceof Module && online instanceof Module) {
      updateMomentum(copy, online, m, { buffers }); // pairs by parameter path
      return;
    }
    // Another kind of module: parameters and buffers pair by position (checked before assigning).
    const bufferRate = buffers === 'ema' ? m : buffers === 'copy' ? 0 : 1;
    updateMomentum(copy.trainableVariables, online.trainableVariables, 1); // checks only
    updateMomentum(copy.nonTrainableVariables, online.nonTrainableVariables, 1);
    updateMomentum(copy.trainableVariables, online.trainableVariables, m);
    updateMomentum(copy.nonTrainableVariables, online.nonTrainableVariables, bufferRate);
  };
  return Object.assign(copy, { update, buffers });
}

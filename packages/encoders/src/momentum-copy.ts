/**
 * A momentum (exponential moving average) copy of a module, the key encoder of MoCo
 * (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation Learning",
 * eq. 2: θ_k ← m·θ_k + (1 − m)·θ_q) and the target network of BYOL (Grill et al. 2020, eq. 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertOptionsObject, assertProbability, describeValue, type TrainableModule } from '@contrastive/core';

/**
 * A module that can copy itself: encoders of this package and heads of `@contrastive/heads`.
 * `clone({ trainable: false })` must return an independent module of the same architecture
 * whose variables are registered with tfjs as non-trainable and whose `trainableVariables` /
 * `nonTrainableVariables` pair one-to-one (same order and shapes) with the original's.
 */
export interface CloneableModule<M extends TrainableModule = TrainableModule> extends TrainableModule {
  clone(options?: { readonly trainable?: boolean }): M;
}

/**
 * What happens to buffers (`nonTrainableVariables`, e.g. BatchNorm running averages):
 * - `'ema'` (default): the same moving average as the parameters, so the laws below hold for
 *   the whole module and, at m = 0, the copy is the online module exactly;
 * - `'copy'`: copied from the online module at every update;
 * - `'own'`: left alone; the copy's own training-mode forward passes update them (what MoCo's
 *   reference code does: it averages `parameters()` only).
 */
export type BufferPolicy = 'ema' | 'copy' | 'own';

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

const POLICIES: readonly BufferPolicy[] = ['ema', 'copy', 'own'];

function pairCheck(kind: string, online: readonly tf.Variable[], copy: readonly tf.Variable[]): void {
  const same = online.length === copy.length && online.every((v, i) => {
    const c = copy[i] as tf.Variable;
    return v.shape.length === c.shape.length && v.shape.every((d, j) => d === c.shape[j]);
  });
  if (!same) {
    throw new ShapeError(`momentumCopy.update: argument 'online' must have the architecture of the copy: its ${kind} differ in number or shape`, {
      argument: 'online',
      expected: `${copy.length} ${kind} of shapes ${describeValue(copy.map((v) => `[${v.shape.join(',')}]`))}`,
      received: online.map((v) => `[${v.shape.join(',')}]`),
    });
  }
}

function ema(target: readonly tf.Variable[], source: readonly tf.Variable[], m: number): void {
  if (m === 1) return;
  tf.tidy(() => {
    target.forEach((t, i) => {
      const s = source[i] as tf.Variable;
      // m = 0 assigns a copy, so that "m = 0 copies the online weights" holds bit for bit.
      t.assign(m === 0 ? tf.clone(s) : tf.add(tf.mul(t, m), tf.mul(s, 1 - m)));
    });
  });
}

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
  if (!POLICIES.includes(buffers)) {
    throw new ArgumentError(`${where}: argument 'options.buffers' must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, received ${describeValue(buffers)}`, {
      argument: 'options.buffers',
      expected: POLICIES.join(' | '),
      received: buffers,
    });
  }
  const copy = module.clone({ trainable: false });
  pairCheck('trainable variables', module.trainableVariables, copy.trainableVariables);
  pairCheck('non-trainable variables', module.nonTrainableVariables, copy.nonTrainableVariables);
  const update = (online: M, m: number): void => {
    assertProbability('momentumCopy.update', 'm', m);
    if (typeof online !== 'object' || online === null || !Array.isArray(online.trainableVariables) || !Array.isArray(online.nonTrainableVariables)) {
      throw new ArgumentError(`momentumCopy.update: argument 'online' must be the online module, received ${describeValue(online)}`, {
        argument: 'online',
        expected: 'a TrainableModule',
        received: online,
      });
    }
    pairCheck('trainable variables', online.trainableVariables, copy.trainableVariables);
    pairCheck('non-trainable variables', online.nonTrainableVariables, copy.nonTrainableVariables);
    ema(copy.trainableVariables, online.trainableVariables, m);
    if (buffers === 'ema') ema(copy.nonTrainableVariables, online.nonTrainableVariables, m);
    else if (buffers === 'copy') ema(copy.nonTrainableVariables, online.nonTrainableVariables, 0);
  };
  return Object.assign(copy, { update, buffers });
}

/**
 * Batch normalisation (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
 * Training by Reducing Internal Covariate Shift", Algorithm 1 and 2) with PyTorch's
 * conventions: biased batch variance for normalising, unbiased batch variance for the
 * running average, `running = (1 - momentum) * running + momentum * batch`.
 *
 * Training mode (`'batch'`) is one custom-gradient operation (`tf.customGrad`), optionally with
 * the ReLU that follows it fused in. Forward: per-channel mean and variance, then `x * scale + shift`.
 * Backward, with `g = dy` (or `dy * step(y)` after a fused ReLU), `xhat = (x - mean) / sqrt(var + eps)`
 * and `M` values per channel (Ioffe & Szegedy 2015, Sec. 3):
 *   `dbeta = sum(g)`, `dgamma = sum(g * xhat)`,
 *   `dx = gamma / sqrt(var + eps) * (g - dbeta / M - xhat * dgamma / M)`,
 * with per-channel factors, so the tape keeps one node (the input `x`, plus the output when a ReLU
 * is fused) instead of five activation-sized intermediates and their gradients. Element-wise
 * multiply/add are used rather than tfjs's fused `batchNorm` kernel, which is about 2x slower
 * than a multiply plus an add on wasm (measured on the small ResNet's shapes).
 * Frozen mode (`'running'`) is broadcast arithmetic `y = x * scale + shift` (its gradient is
 * per-channel only). Inference uses `tf.batchNorm`, one fused kernel, exactly as tfjs-layers'
 * BatchNormalization does.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@contrastive/core';

/** The variables of one BatchNorm layer. */
export interface BatchNormVariables {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
}

/**
 * How a BatchNorm layer behaves in one forward pass:
 * - `'batch'`: normalise with batch statistics and update the running averages (training);
 * - `'running'`: normalise with the running averages, written as differentiable broadcast
 *   arithmetic (frozen BatchNorm while training);
 * - `'inference'`: normalise with the running averages using the fused `tf.batchNorm` kernel.
 */
export type BatchNormMode = 'batch' | 'running' | 'inference';

/**
 * Normalises `x` (`[..., C]`) over every axis but the last.
 *
 * @param where - caller name for errors.
 * @param layer - layer name for errors.
 */
export function batchNorm(
  x: tf.Tensor,
  v: BatchNormVariables,
  mode: BatchNormMode,
  momentum: number,
  epsilon: number,
  where: string,
  layer: string,
  relu = false,
): tf.Tensor {
  if (mode === 'inference') {
    if (!relu) return tf.batchNorm(x, v.movingMean, v.movingVariance, v.beta, v.gamma, epsilon);
    return tf.tidy(() => tf.relu(tf.batchNorm(x, v.movingMean, v.movingVariance, v.beta, v.gamma, epsilon)));
  }
  if (mode === 'running') {
    return tf.tidy(() => {
      const inv = tf.rsqrt(tf.add(v.movingVariance, epsilon));
      const scale = v.gamma === undefined ? inv : tf.mul(v.gamma, inv);
      const shifted = tf.neg(tf.mul(v.movingMean, scale));
      const shift = v.beta === undefined ? shifted : tf.add(v.beta, shifted);
      const y = tf.add(tf.mul(x, scale), shift);
      return relu ? tf.relu(y) : y;
    });
  }
  const count = x.size / (x.shape[x.rank - 1] as number);
  if (count < 2) {
    throw new ShapeError(
      `${where}: BatchNorm layer '${layer}' needs more than one value per channel in training mode, received input of shape [${x.shape.join(',')}] at that layer (use a larger batch or training: false)`,
      { argument: 'x', expected: 'batch * height * width > 1 at every BatchNorm layer', received: x },
    );
  }
  return batchNormTraining(x, v, momentum, epsilon, relu);
}

/**
 * Training-mode BatchNorm (+ ReLU) as one `tf.customGrad` node; see the file comment for the
 * backward formula. Updates the running averages as a side effect of the forward pass.
 */
function batchNormTraining(x: tf.Tensor, v: BatchNormVariables, momentum: number, epsilon: number, relu: boolean): tf.Tensor {
  const count = x.size / (x.shape[x.rank - 1] as number);
  const { gamma, beta } = v;
  // customGrad differentiates with respect to tensor arguments only: pass the parameters that exist.
  const params = [gamma, beta].filter((p): p is tf.Variable => p !== undefined);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { mean, variance, y } = tf.tidy(() => {
      // mean, variance: [C], biased (divide by count), as in Algorithm 1.
      const m = tf.div(channelSum(input), count);
      const s2 = tf.div(channelSum(tf.squaredDifference(input, m)), count);
      const { scale, shift } = affine(m, s2, gamma, beta, epsilon);
      const z = tf.add(tf.mul(input, scale), shift);
      return { mean: m, variance: s2, y: relu ? tf.relu(z) : z };
    });
    updateRunningAverages(v, mean, variance, count, momentum);
    save(relu ? [input, mean, variance, y] : [input, mean, variance]);
    tf.dispose([mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, mu, sigma2, out] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor | undefined];
          // Nested tidies free each activation-sized temporary as soon as it is used.
          const g = out === undefined ? dy : tf.tidy(() => tf.mul(dy, tf.step(out)));
          const dbeta = channelSum(g);
          const norm = affine(mu, sigma2, undefined, undefined, epsilon);
          const xhat = tf.tidy(() => tf.add(tf.mul(xs, norm.scale), norm.shift));
          const dgamma = tf.tidy(() => channelSum(tf.mul(g, xhat)));
          const k = gamma === undefined ? norm.scale : tf.mul(gamma, norm.scale);
          // dx = k * (g - xhat * dgamma / M - dbeta / M), one activation-sized temporary at a time.
          let t = tf.mul(xhat, tf.mul(dgamma, -1 / count));
          xhat.dispose();
          t = replace(t, tf.add(g, t));
          if (g !== dy) g.dispose();
          t = replace(t, tf.add(t, tf.mul(dbeta, -1 / count)));
          const dx = replace(t, tf.mul(t, k));
          const grads: tf.Tensor[] = [dx];
          if (gamma !== undefined) grads.push(dgamma);
          if (beta !== undefined) grads.push(dbeta);
          return grads;
        }),
    };
  });
  return op(x, ...params);
}

/** Disposes `old` and returns `next` (computed from it). */
function replace(old: tf.Tensor, next: tf.Tensor): tf.Tensor {
  old.dispose();
  return next;
}

/** Per-channel `scale = gamma / sqrt(var + eps)` and `shift = beta - mean * scale`, so that `x * scale + shift` normalises. */
function affine(mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined, epsilon: number): { scale: tf.Tensor; shift: tf.Tensor } {
  const inv = tf.rsqrt(tf.add(variance, epsilon));
  const scale = gamma === undefined ? inv : tf.mul(gamma, inv);
  const shifted = tf.neg(tf.mul(mean, scale));
  return { scale, shift: beta === undefined ? shifted : tf.add(beta, shifted) };
}

/**
 * Sum over every axis but the last, `[..., C] -> [C]`. tfjs-backend-wasm reduces leading axes by
 * transposing them last first; two steps over `[M / k, k, C]` (k = 32 when it divides M) move far
 * less data through that transpose: 2.5x faster on `[128, 32, 32, 16]` (measured in the
 * performance notes, docs/performance.md). Same sum, different float32 rounding order.
 */
function channelSum(t: tf.Tensor): tf.Tensor {
  const c = t.shape[t.rank - 1] as number;
  const m = t.size / c;
  const k = [32, 64, 16, 8, 4, 2].find((d) => m % d === 0 && m > d);
  if (k === undefined) return tf.sum(tf.reshape(t, [m, c]), 0);
  return tf.tidy(() => tf.sum(tf.sum(tf.reshape(t, [m / k, k, c]), 1), 0));
}

/**
 * `running = (1 - momentum) * running + momentum * batch`, with the batch variance made
 * unbiased (`* count / (count - 1)`) as PyTorch does. The
 * assignments are not part of any gradient (tfjs never differentiates through `assign`).
 */
function updateRunningAverages(v: BatchNormVariables, mean: tf.Tensor, variance: tf.Tensor, count: number, momentum: number): void {
  tf.tidy(() => {
    v.movingMean.assign(tf.add(tf.mul(v.movingMean, 1 - momentum), tf.mul(mean, momentum)));
    v.movingVariance.assign(tf.add(tf.mul(v.movingVariance, 1 - momentum), tf.mul(variance, (momentum * count) / (count - 1))));
  });
}

/**
 * Batch normalisation (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
 * Training by Reducing Internal Covariate Shift", Algorithm 1 and 2) with PyTorch's
 * conventions: biased batch variance for normalising, unbiased batch variance for the
 * running average, `running = (1 - momentum) * running + momentum * batch`.
 *
 * Training mode (`'batch'`) is one custom-gradient operation (`tf.customGrad`), optionally with
 * the ReLU that follows it fused in. Forward: `tf.moments` and the fused `tf.batchNorm` kernel.
 * Backward, with `g = dy` (or `dy * step(y)` after a fused ReLU), `xhat = (x - mean) / sqrt(var + eps)`
 * and `M` values per channel (Ioffe & Szegedy 2015, Sec. 3):
 *   `dbeta = sum(g)`, `dgamma = sum(g * xhat)`,
 *   `dx = gamma / sqrt(var + eps) * (g - dbeta / M - xhat * dgamma / M)`,
 * computed as `g * k + batchNorm(x; offset c0, scale c1)` with per-channel `k`, `c0`, `c1`, so a
 * layer costs 7 activation-sized passes instead of the ~15 that tfjs's tape emits for the same
 * formula written as broadcast arithmetic, and the tape keeps one node (the input `x`, plus the
 * output when a ReLU is fused) instead of five activation-sized intermediates and their gradients.
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
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / (x.shape[x.rank - 1] as number);
  const { gamma, beta } = v;
  // customGrad differentiates with respect to tensor arguments only: pass the parameters that exist.
  const params = [gamma, beta].filter((p): p is tf.Variable => p !== undefined);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { mean, variance, y } = tf.tidy(() => {
      // mean, variance: [C], biased (divide by count), as in Algorithm 1.
      const m = tf.moments(input, axes);
      const z = tf.batchNorm(input, m.mean, m.variance, beta, gamma, epsilon);
      return { mean: m.mean, variance: m.variance, y: relu ? tf.relu(z) : z };
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
          const dbeta = tf.sum(g, axes);
          const dgamma = tf.tidy(() => tf.sum(tf.mul(g, tf.batchNorm(xs, mu, sigma2, undefined, undefined, epsilon)), axes));
          const dx = tf.tidy(() => {
            const inv = tf.rsqrt(tf.add(sigma2, epsilon));
            const k = gamma === undefined ? inv : tf.mul(gamma, inv);
            const c1 = tf.mul(k, tf.mul(dgamma, -1 / count));
            const c0 = tf.mul(k, tf.mul(dbeta, -1 / count));
            const gk = tf.mul(g, k);
            if (g !== dy) g.dispose();
            return tf.add(gk, tf.batchNorm(xs, mu, sigma2, c0, c1, epsilon));
          });
          const grads: tf.Tensor[] = [dx];
          if (gamma !== undefined) grads.push(dgamma);
          if (beta !== undefined) grads.push(dbeta);
          return grads;
        }),
    };
  });
  return op(x, ...params);
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

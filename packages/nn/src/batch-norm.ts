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
 * is fused) instead of five activation-sized intermediates and their gradients. The per-channel
 * affine maps (`x * scale + shift`, + ReLU) run as one 1x1 depthwise-convolution kernel and the
 * channel sums as an average pool + sum (see `channelAffine`, `channelSum`); tfjs's fused
 * `batchNorm` kernel is about 2x slower than even a multiply plus an add on wasm.
 * Frozen mode (`'running'`) is broadcast arithmetic `y = x * scale + shift` (its gradient is
 * per-channel only). Inference uses `tf.batchNorm`, one fused kernel, exactly as tfjs-layers'
 * BatchNormalization does. Encoders (`[N, H, W, C]`, 2-D) and heads (`[B, D]`, 1-D) both run this
 * one implementation; {@link batchNormParameters} declares a layer's variables and
 * {@link foldBatchNormWeights} merges a layer into the linear map before it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, assertInRange, assertInteger, assertPositive } from '@contrastive/core';
import type { ParameterSpec } from './init.js';

/** The variables of one BatchNorm layer; gamma or beta may be absent (`scale` / `center` off). */
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
 * Normalises `x` (`[..., C]`) over every axis but the last; with `relu`, returns
 * `relu(BN(x))` as one operation.
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
  if (x.dtype === 'float32' && hasNativeBatchNorm()) return batchNormNative(x, v, momentum, epsilon, relu);
  return batchNormTraining(x, v, momentum, epsilon, relu);
}

/**
 * Kernels that run training BatchNorm natively, registered by `@contrastive/backend` on the
 * wasm+onednn engine (its `BATCH_NORM_KERNELS`; the two packages do not import each other, the
 * names are the contract). Forward: `{x, gamma?, beta?}`, `{epsilon, relu}` -> `[y, mean, variance]`;
 * backward: `{dy, x, mean, variance, gamma?, y?}`, `{epsilon}` -> `[dx, dgamma, dbeta]`.
 */
const NATIVE_BATCH_NORM = { forward: 'ContrastiveBatchNormTrain', backward: 'ContrastiveBatchNormGrad' } as const;

function hasNativeBatchNorm(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(NATIVE_BATCH_NORM.forward, backend) !== undefined && tf.getKernel(NATIVE_BATCH_NORM.backward, backend) !== undefined;
}

/** The two halves of a training BatchNorm: the forward statistics and output, and the backward pass. */
interface BatchNormPasses {
  /** y (with the ReLU when fused), and the batch mean and biased variance, each [C]. */
  forward(input: tf.Tensor): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };
  /** [dx, dgamma, dbeta] from dy and the saved x, mean, variance (and y when the ReLU is fused). */
  backward(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, y: tf.Tensor | undefined): [tf.Tensor, tf.Tensor, tf.Tensor];
}

/**
 * Training-mode BatchNorm (+ ReLU) as one `tf.customGrad` node over `passes`: updates the running
 * averages as a side effect of the forward pass, saves x, mean, variance (and y with the ReLU),
 * and hands back the gradients of the parameters that exist.
 */
function batchNormNode(x: tf.Tensor, v: BatchNormVariables, momentum: number, relu: boolean, passes: BatchNormPasses): tf.Tensor {
  const count = x.size / (x.shape[x.rank - 1] as number);
  const { gamma, beta } = v;
  // customGrad differentiates with respect to tensor arguments only: pass the parameters that exist.
  const params = [gamma, beta].filter((p): p is tf.Variable => p !== undefined);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { mean, variance, y } = passes.forward(input);
    updateRunningAverages(v, mean, variance, count, momentum);
    save(relu ? [input, mean, variance, y] : [input, mean, variance]);
    tf.dispose([mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, mu, sigma2, out] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
          const [dx, dgamma, dbeta] = passes.backward(dy, xs, mu, sigma2, out);
          const grads: tf.Tensor[] = [dx];
          if (gamma !== undefined) grads.push(dgamma);
          if (beta !== undefined) grads.push(dbeta);
          return grads;
        }),
    };
  });
  return op(x, ...params);
}

/** Training BatchNorm through the native kernels: same maths, same saved tensors, one kernel each way. */
function batchNormNative(x: tf.Tensor, v: BatchNormVariables, momentum: number, epsilon: number, relu: boolean): tf.Tensor {
  const { gamma, beta } = v;
  return batchNormNode(x, v, momentum, relu, {
    forward: (input) => {
      const inputs: tf.NamedTensorMap = { x: input };
      if (gamma !== undefined) inputs['gamma'] = gamma;
      if (beta !== undefined) inputs['beta'] = beta;
      const [y, mean, variance] = tf.engine().runKernel(NATIVE_BATCH_NORM.forward, inputs, { epsilon, relu } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { y: y as tf.Tensor, mean: mean as tf.Tensor, variance: variance as tf.Tensor };
    },
    backward: (dy, xs, mu, sigma2, out) => {
      const back: tf.NamedTensorMap = { dy, x: xs, mean: mu, variance: sigma2 };
      if (gamma !== undefined) back['gamma'] = gamma;
      if (out !== undefined) back['y'] = out;
      return tf.engine().runKernel(NATIVE_BATCH_NORM.backward, back, { epsilon } as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
    },
  });
}

/**
 * Training-mode BatchNorm (+ ReLU) composed from stock kernels; see the file comment for the
 * backward formula.
 */
function batchNormTraining(x: tf.Tensor, v: BatchNormVariables, momentum: number, epsilon: number, relu: boolean): tf.Tensor {
  const count = x.size / (x.shape[x.rank - 1] as number);
  const { gamma, beta } = v;
  return batchNormNode(x, v, momentum, relu, {
    forward: (input) =>
      tf.tidy(() => {
        // mean, variance: [C], biased (divide by count), as in Algorithm 1.
        const m = tf.div(channelSum(input), count);
        const s2 = tf.div(channelSum(tf.squaredDifference(input, m)), count);
        const { scale, shift } = affine(m, s2, gamma, beta, epsilon);
        return { mean: m, variance: s2, y: channelAffine(input, scale, shift, relu) };
      }),
    backward: (dy, xs, mu, sigma2, out) => {
      // Nested tidies free each activation-sized temporary as soon as it is used.
      const g = out === undefined ? dy : tf.tidy(() => tf.mul(dy, tf.step(out)));
      const dbeta = channelSum(g);
      const norm = affine(mu, sigma2, undefined, undefined, epsilon);
      const xhat = channelAffine(xs, norm.scale, norm.shift, false);
      const dgamma = tf.tidy(() => channelSum(tf.mul(g, xhat)));
      const k = gamma === undefined ? norm.scale : tf.mul(gamma, norm.scale);
      // dx = k * (g - xhat * dgamma / M - dbeta / M) = (xhat * c1 + c0) + g * k, one
      // activation-sized temporary at a time.
      const t = channelAffine(xhat, tf.mul(k, tf.mul(dgamma, -1 / count)), tf.mul(k, tf.mul(dbeta, -1 / count)), false);
      xhat.dispose();
      const gk = channelAffine(g, k, undefined, false);
      if (g !== dy) g.dispose();
      const dx = tf.add(gk, t);
      tf.dispose([gk, t]);
      return [dx, dgamma, dbeta];
    },
  });
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
 * transposing them last first, which is slow; for `[N, H, W, C]` an average pool over the whole
 * image (XNNPACK, multi-threaded) times `H·W` then a sum over N is 2-4x faster, and otherwise
 * two steps over `[M / k, k, C]` (k = 32 when it divides M) beat one reduction 2.5x (both
 * measured on the small ResNet's shapes, docs/performance.md). Same sum, different float32
 * rounding.
 */
function channelSum(t: tf.Tensor): tf.Tensor {
  const c = t.shape[t.rank - 1] as number;
  const m = t.size / c;
  return tf.tidy(() => {
    if (t.rank === 4 && (t.shape[1] as number) * (t.shape[2] as number) > 1) {
      const [n, h, w] = t.shape as [number, number, number, number];
      const pooled = tf.avgPool(t as tf.Tensor4D, [h, w], [h, w], 'valid'); // [N, 1, 1, C]: per-image means
      return tf.mul(tf.sum(tf.reshape(pooled, [n, c]), 0), h * w);
    }
    const k = [32, 64, 16, 8, 4, 2].find((d) => m % d === 0 && m > d);
    if (k === undefined) return tf.sum(tf.reshape(t, [m, c]), 0);
    return tf.sum(tf.sum(tf.reshape(t, [m / k, k, c]), 1), 0);
  });
}

/**
 * `x * scale (+ shift)` per channel, then ReLU if asked, as one kernel: a 1x1 depthwise
 * convolution with bias and activation (XNNPACK on wasm; 2x faster than multiply + add + relu
 * there, measured in docs/performance.md). Called through `runKernel` because tfjs's
 * `fused.depthwiseConv2d` unfuses itself whenever a gradient is being recorded, and this runs
 * inside a custom-gradient op whose own gradient is written out.
 */
function channelAffine(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor | undefined, relu: boolean): tf.Tensor {
  const c = x.shape[x.rank - 1] as number;
  return tf.tidy(() => {
    const x4 = x.rank === 4 ? x : tf.reshape(x, [x.size / c, 1, 1, c]);
    const filter = tf.reshape(scale, [1, 1, c, 1]);
    const inputs: tf.NamedTensorMap = shift === undefined ? { x: x4, filter } : { x: x4, filter, bias: shift };
    const y = tf.engine().runKernel('FusedDepthwiseConv2D', inputs, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
      activation: relu ? 'relu' : 'linear',
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return x.rank === 4 ? y : tf.reshape(y, x.shape);
  });
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

/** Paths of the variables of the BatchNorm layer at `prefix` (tfjs-layers' weight names). */
export function batchNormPaths(prefix: string): { gamma: string; beta: string; mean: string; variance: string } {
  return { gamma: `${prefix}.gamma`, beta: `${prefix}.beta`, mean: `${prefix}.moving_mean`, variance: `${prefix}.moving_variance` };
}

/**
 * The variables of a BatchNorm layer over `channels` at path `prefix`: gamma = 1 (0 with
 * `zeroGamma`), beta = 0 (absent with `center: false`), running mean 0 and variance 1 (buffers).
 */
export function batchNormParameters(prefix: string, channels: number, options: { readonly zeroGamma?: boolean; readonly center?: boolean } = {}): ParameterSpec[] {
  const p = batchNormPaths(prefix);
  const out: ParameterSpec[] = [{ path: p.gamma, shape: [channels], trainable: true, init: { kind: options.zeroGamma === true ? 'zeros' : 'ones' } }];
  if (options.center ?? true) out.push({ path: p.beta, shape: [channels], trainable: true, init: { kind: 'zeros' } });
  out.push({ path: p.mean, shape: [channels], trainable: false, init: { kind: 'zeros' } });
  out.push({ path: p.variance, shape: [channels], trainable: false, init: { kind: 'ones' } });
  return out;
}

/**
 * BatchNorm folding (Jacob et al. 2018, "Quantization and Training of Neural Networks for
 * Efficient Integer-Arithmetic-Only Inference", Sec. 3.2): with running mean μ, variance σ²,
 * scale γ and offset β, `k = γ / sqrt(σ² + ε)`, `W' = W · k` (per output channel, the last axis of
 * `kernel`) and `b' = β + (b − μ) · k`, so `BN(x W + b) = x W' + b'` (and the same for a
 * convolution). Returns fresh tensors the caller owns.
 */
export function foldBatchNormWeights(kernel: tf.Tensor, bias: tf.Tensor | undefined, bn: BatchNormVariables, epsilon: number): { kernel: tf.Tensor; bias: tf.Tensor } {
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(bn.movingVariance, epsilon));
    const k = bn.gamma === undefined ? inv : tf.mul(bn.gamma, inv); // [C]
    const w = tf.mul(kernel, k); // broadcast over the last (output) axis
    const centred = tf.mul(tf.sub(bias ?? tf.zeros([k.size]), bn.movingMean), k);
    return { kernel: w, bias: bn.beta === undefined ? centred : tf.add(bn.beta, centred) };
  });
}

/** What encoders and heads accept: the initial-weights seed and the BatchNorm hyperparameters. */
export interface ModuleOptions {
  /** Seed of the initial weights (default 0): same seed, same weights. */
  readonly seed?: number;
  /**
   * Momentum of the running averages in PyTorch's convention,
   * `running = (1 - bnMomentum) * running + bnMomentum * batch`; default 0.1.
   * (Keras/tfjs-layers call `1 - bnMomentum` the momentum.)
   */
  readonly bnMomentum?: number;
  /** Added to the variance before the square root; default 1e-5 (PyTorch). */
  readonly bnEpsilon?: number;
}

/** Checks `options.seed`, `options.bnMomentum` and `options.bnEpsilon` (naming them) and fills in the defaults. */
export function resolveModuleOptions(where: string, options: ModuleOptions): { seed: number; bnMomentum: number; bnEpsilon: number } {
  const seed = options.seed ?? 0;
  assertInteger(where, 'options.seed', seed, Number.MIN_SAFE_INTEGER);
  const bnMomentum = options.bnMomentum ?? 0.1;
  assertInRange(where, 'options.bnMomentum', bnMomentum, 0, 1);
  const bnEpsilon = options.bnEpsilon ?? 1e-5;
  assertPositive(where, 'options.bnEpsilon', bnEpsilon);
  return { seed, bnMomentum, bnEpsilon };
}

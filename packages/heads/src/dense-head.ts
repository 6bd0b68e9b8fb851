/**
 * The one class behind every head of this package: a stack of fully connected layers, each
 * optionally followed by BatchNorm and a ReLU. Implements core's `ProjectionHead` contract.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertAllocation, assertFloatTensor, assertInteger, assertOptionsObject, type ForwardOptions, type ProjectionHead } from '@contrastive/core';
import {
  Module,
  batchNorm,
  batchNormParameters,
  batchNormPaths,
  dense,
  denseParameters,
  resolveModuleOptions,
  sizeOf,
  type BatchNormVariables,
  type CloneOptions,
  type ModuleOptions,
  type ModuleValues,
  type NamedVariable,
  type ParameterSpec,
} from '@contrastive/nn';

/** One layer of a head: Linear(units) [+ BatchNorm] [+ ReLU]. @internal */
export interface HeadLayer {
  readonly units: number;
  readonly bias: boolean;
  /** BatchNorm after the linear map; `center: false` drops beta (SimCLR v2's last layer). */
  readonly batchNorm: { readonly center: boolean } | null;
  readonly relu: boolean;
}

/** Options every head accepts: `seed` (default 0), `bnMomentum` (PyTorch convention, default 0.1), `bnEpsilon` (default 1e-5); nn's `ModuleOptions`. */
export type HeadCommonOptions = ModuleOptions;

/** A variable with its stable path, e.g. `'layer1.kernel'` or `'layer1.bn.moving_mean'`. */
export type NamedHeadVariable = NamedVariable;

/** The variables of a head's layers: `layer<i>.kernel`, `layer<i>.bias`, `layer<i>.bn.*`. */
/**
 * Refuses (MemoryLimitError naming the width to lower) a head whose training memory (weights,
 * gradients, two optimizer slots) does not fit, before anything is allocated.
 */
function assertHeadFits(name: string, params: ParameterSpec[], depth: number): ParameterSpec[] {
  const sizes = params.map((p) => sizeOf(p.shape));
  const total = sizes.reduce((a, b) => a + b, 0);
  assertAllocation(name, {
    what: `the head's ${total.toExponential(3)} parameters (x4: weights, gradients, optimizer slots)`,
    bytes: total * 16,
    largestTensorBytes: Math.max(0, ...sizes) * 4,
    argument: depth > 1 ? 'options.hiddenDim' : 'options.outputDim',
    received: total,
  });
  return params;
}

function headParameters(inputDim: number, layers: readonly HeadLayer[]): ParameterSpec[] {
  const out: ParameterSpec[] = [];
  let fanIn = inputDim;
  layers.forEach((l, i) => {
    const p = `layer${i + 1}`;
    out.push(...denseParameters(p, fanIn, l.units, l.bias));
    if (l.batchNorm !== null) out.push(...batchNormParameters(`${p}.bn`, l.units, { center: l.batchNorm.center }));
    fanIn = l.units;
  });
  return out;
}

/**
 * A projection head g(·) (or predictor) made of Linear-[BN]-[ReLU] layers, run with plain tfjs
 * ops; an nn {@link Module} with paths `layer1.kernel`, `layer1.bn.gamma`, ... Linear layers use
 * PyTorch's `nn.Linear` initialisation (uniform in ±1/sqrt(fan_in)). BatchNorm is nn's, the
 * encoders' fused training op (a following ReLU fused in): batch statistics and running-average
 * updates in training passes, running averages at inference, running averages in both after
 * `setBatchNormFrozen(true)`.
 */
export class DenseHead extends Module implements ProjectionHead {
  readonly inputDim: number;
  readonly outputDim: number;
  /** The layers, first to last. */
  readonly layers: readonly HeadLayer[];
  readonly bnMomentum: number;
  readonly bnEpsilon: number;

  /** @internal Use the builders (`linearHead`, `mlpHead`, `mlpHeadV2`, `predictorHead`). */
  constructor(name: string, inputDim: number, layers: readonly HeadLayer[], bn: { momentum: number; epsilon: number }, values: ModuleValues, registerTrainable = true) {
    super(name, assertHeadFits(name, headParameters(inputDim, layers), layers.length), values, registerTrainable);
    this.inputDim = inputDim;
    this.layers = layers;
    // No layers: the identity (SimCLR's "no projection" ablation, Figure 8).
    this.outputDim = layers.length === 0 ? inputDim : (layers[layers.length - 1] as HeadLayer).units;
    this.bnMomentum = bn.momentum;
    this.bnEpsilon = bn.epsilon;
  }

  /** z = g(h): `[B, inputDim] -> [B, outputDim]`. Tidy; updates running averages in training mode. */
  apply(h: tf.Tensor2D, options: ForwardOptions): tf.Tensor2D {
    const where = `${this.name}.apply`;
    const mode = this.forwardMode(where, options);
    assertFloatTensor(where, 'h', h, 2);
    if (h.shape[1] !== this.inputDim || h.shape[0] < 1) {
      throw new ShapeError(`${where}: argument 'h' must have shape [*,${this.inputDim}], received shape [${h.shape.join(',')}]`, {
        argument: 'h',
        expected: `shape [*,${this.inputDim}]`,
        received: h,
      });
    }
    if (mode === 'batch' && h.shape[0] < 2 && this.layers.some((l) => l.batchNorm !== null)) {
      throw new ShapeError(`${where}: argument 'h' has batch size 1; BatchNorm in training mode needs at least 2 rows (or training: false)`, {
        argument: 'h',
        expected: 'at least 2 rows in training mode',
        received: h,
      });
    }
    return tf.tidy(() => {
      // A fresh tensor even without layers: callers own (and dispose) what apply returns.
      let z: tf.Tensor2D = this.layers.length === 0 ? tf.clone(h) : h;
      this.layers.forEach((layer, i) => {
        const p = `layer${i + 1}`;
        const bias = layer.bias ? this.variable(`${p}.bias`) : undefined;
        // Linear + ReLU is one fused matMul; Linear + BN + ReLU puts the ReLU into nn's BatchNorm op.
        z = dense(z, this.variable(`${p}.kernel`), bias, layer.relu && layer.batchNorm === null ? 'relu' : 'linear');
        if (layer.batchNorm !== null) z = batchNorm(z, this.#bn(`${p}.bn`), mode, this.bnMomentum, this.bnEpsilon, where, `${p}.bn`, layer.relu) as tf.Tensor2D;
      });
      return z;
    });
  }

  /** An independent copy (same values and freeze state); `trainable: false` hides it from optimizers. */
  clone(options: CloneOptions = {}): DenseHead {
    const trainable = this.cloneTrainable(options);
    const copy = new DenseHead(this.name, this.inputDim, this.layers, { momentum: this.bnMomentum, epsilon: this.bnEpsilon }, this.currentValues(), trainable);
    this.copyStateTo(copy);
    return copy;
  }

  #bn(prefix: string): BatchNormVariables {
    const n = batchNormPaths(prefix);
    return { gamma: this.maybeVariable(n.gamma), beta: this.maybeVariable(n.beta), movingMean: this.variable(n.mean), movingVariance: this.variable(n.variance) };
  }
}

/** Validates the shared options; returns seed and BatchNorm settings. @internal */
export function resolveHeadOptions(where: string, options: HeadCommonOptions): { seed: number; bn: { momentum: number; epsilon: number } } {
  const { seed, bnMomentum, bnEpsilon } = resolveModuleOptions(where, options);
  return { seed, bn: { momentum: bnMomentum, epsilon: bnEpsilon } };
}

/** Checks that `options` is an object holding a positive integer `inputDim`. @internal */
export function assertHeadOptions(where: string, options: unknown): asserts options is { inputDim: number } {
  assertOptionsObject(where, 'options', options);
  if (options === undefined) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object with 'inputDim', received undefined`, { argument: 'options', expected: 'an options object', received: undefined });
  }
  assertInteger(where, 'options.inputDim', (options as { inputDim?: unknown }).inputDim, 1);
}

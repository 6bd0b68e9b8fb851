/**
 * The one class behind every head of this package: a stack of fully connected layers, each
 * optionally followed by BatchNorm and a ReLU. Implements core's `ProjectionHead` contract.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Rng,
  ShapeError,
  assertFloatTensor,
  assertInRange,
  assertInteger,
  assertOptionsObject,
  assertPositive,
  describeValue,
  type ForwardOptions,
  type ProjectionHead,
} from '@contrastive/core';
import { batchNorm1d, type BatchNormMode, type BatchNormVariables } from './batch-norm.js';

/** One layer of a head: Linear(units) [+ BatchNorm] [+ ReLU]. @internal */
export interface HeadLayer {
  readonly units: number;
  readonly bias: boolean;
  /** BatchNorm after the linear map; `center: false` drops beta (SimCLR v2's last layer). */
  readonly batchNorm: { readonly center: boolean } | null;
  readonly relu: boolean;
}

/** Options every head accepts. */
export interface HeadCommonOptions {
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** BatchNorm running-average momentum, PyTorch convention (default 0.1). */
  readonly bnMomentum?: number;
  /** BatchNorm epsilon (default 1e-5). */
  readonly bnEpsilon?: number;
}

/** A variable with its stable name, e.g. `'layer1/kernel'` or `'layer1.bn/moving_mean'`. */
export interface NamedHeadVariable {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly trainable: boolean;
}

interface VarSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly init: 'uniform' | 'zeros' | 'ones';
  readonly bound: number;
}

let instanceCounter = 0;

/**
 * A projection head g(·) (or predictor) made of Linear-[BN]-[ReLU] layers, run with plain tfjs
 * ops. Linear layers use PyTorch's `nn.Linear` initialisation (uniform in ±1/sqrt(fan_in)).
 * BatchNorm: batch statistics and running-average updates in training passes, running
 * averages at inference, running averages in both after `setBatchNormFrozen(true)`.
 */
export class DenseHead implements ProjectionHead {
  readonly name: string;
  readonly inputDim: number;
  readonly outputDim: number;
  /** The layers, first to last. */
  readonly layers: readonly HeadLayer[];
  readonly bnMomentum: number;
  readonly bnEpsilon: number;
  readonly trainableVariables: readonly tf.Variable[];
  readonly nonTrainableVariables: readonly tf.Variable[];
  readonly #named: readonly NamedHeadVariable[];
  readonly #byName: ReadonlyMap<string, tf.Variable>;
  #frozen = false;
  #disposed = false;

  /** @internal Use the builders (`linearHead`, `mlpHead`, `mlpHeadV2`, `predictorHead`). */
  constructor(
    name: string,
    inputDim: number,
    layers: readonly HeadLayer[],
    bn: { momentum: number; epsilon: number },
    values: ReadonlyMap<string, tf.Tensor> | number,
    registerTrainable = true,
  ) {
    this.name = name;
    this.inputDim = inputDim;
    this.layers = layers;
    this.outputDim = (layers[layers.length - 1] as HeadLayer).units;
    this.bnMomentum = bn.momentum;
    this.bnEpsilon = bn.epsilon;
    const specs = variableSpecs(inputDim, layers);
    const root = typeof values === 'number' ? Rng.fromSeed(values) : undefined;
    const id = instanceCounter++;
    this.#named = specs.map((s) => {
      const variable = tf.tidy(() => {
        let init: tf.Tensor;
        if (root === undefined) init = (values as ReadonlyMap<string, tf.Tensor>).get(s.name) as tf.Tensor;
        else {
          const size = s.shape.reduce((a, b) => a * b, 1);
          const rng = root.split();
          const data = s.init === 'uniform' ? rng.uniformArray(size, -s.bound, s.bound) : new Float32Array(size).fill(s.init === 'ones' ? 1 : 0);
          init = tf.tensor(data, [...s.shape], 'float32');
        }
        return tf.variable(init, registerTrainable && s.trainable, `${name}_${id}/${s.name}`);
      });
      return { name: s.name, variable, trainable: s.trainable };
    });
    this.#byName = new Map(this.#named.map((n) => [n.name, n.variable]));
    this.trainableVariables = this.#named.filter((n) => n.trainable).map((n) => n.variable);
    this.nonTrainableVariables = this.#named.filter((n) => !n.trainable).map((n) => n.variable);
  }

  /** Every variable with its stable name, in a fixed order. */
  namedVariables(): readonly NamedHeadVariable[] {
    this.#assertLive('namedVariables');
    return this.#named;
  }

  /** Trainable parameter count (BatchNorm gamma/beta count, running averages do not). */
  get parameterCount(): number {
    return this.trainableVariables.reduce((a, v) => a + v.size, 0);
  }

  get batchNormFrozen(): boolean {
    return this.#frozen;
  }

  /** While frozen, training passes normalise with the running averages and leave them unchanged. */
  setBatchNormFrozen(frozen: boolean): void {
    this.#assertLive('setBatchNormFrozen');
    if (typeof frozen !== 'boolean') {
      throw new ArgumentError(`${this.name}.setBatchNormFrozen: argument 'frozen' must be a boolean, received ${describeValue(frozen)}`, {
        argument: 'frozen',
        expected: 'a boolean',
        received: frozen,
      });
    }
    this.#frozen = frozen;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** z = g(h): `[B, inputDim] -> [B, outputDim]`. Tidy; updates running averages in training mode. */
  apply(h: tf.Tensor2D, options: ForwardOptions): tf.Tensor2D {
    const where = `${this.name}.apply`;
    this.#assertLive('apply');
    assertOptionsObject(where, 'options', options);
    if (options === undefined || typeof options.training !== 'boolean') {
      throw new ArgumentError(`${where}: argument 'options.training' must be a boolean, received ${describeValue(options?.training)}`, {
        argument: 'options.training',
        expected: 'a boolean',
        received: options?.training,
      });
    }
    assertFloatTensor(where, 'h', h, 2);
    if (h.shape[1] !== this.inputDim || h.shape[0] < 1) {
      throw new ShapeError(`${where}: argument 'h' must have shape [*,${this.inputDim}], received shape [${h.shape.join(',')}]`, {
        argument: 'h',
        expected: `shape [*,${this.inputDim}]`,
        received: h,
      });
    }
    const mode: BatchNormMode = !options.training ? 'inference' : this.#frozen ? 'running' : 'batch';
    if (mode === 'batch' && h.shape[0] < 2 && this.layers.some((l) => l.batchNorm !== null)) {
      throw new ShapeError(`${where}: argument 'h' has batch size 1; BatchNorm in training mode needs at least 2 rows (or training: false)`, {
        argument: 'h',
        expected: 'at least 2 rows in training mode',
        received: h,
      });
    }
    return tf.tidy(() => {
      let z: tf.Tensor2D = h;
      this.layers.forEach((layer, i) => {
        const p = `layer${i + 1}`;
        const bias = layer.bias ? this.#byName.get(`${p}/bias`) : undefined;
        z = tf.fused.matMul({ a: z, b: this.#byName.get(`${p}/kernel`) as tf.Tensor as tf.Tensor2D, ...(bias === undefined ? {} : { bias }) }) as tf.Tensor2D;
        if (layer.batchNorm !== null) z = batchNorm1d(z, this.#bn(`${p}.bn`), mode, this.bnMomentum, this.bnEpsilon);
        if (layer.relu) z = tf.relu(z);
      });
      return z;
    });
  }

  /** An independent copy (same values and freeze state); `trainable: false` hides it from optimizers. */
  clone(options: { readonly trainable?: boolean } = {}): DenseHead {
    this.#assertLive('clone');
    assertOptionsObject(`${this.name}.clone`, 'options', options);
    const trainable = options.trainable ?? true;
    if (typeof trainable !== 'boolean') {
      throw new ArgumentError(`${this.name}.clone: argument 'options.trainable' must be a boolean, received ${describeValue(trainable)}`, {
        argument: 'options.trainable',
        expected: 'a boolean',
        received: trainable,
      });
    }
    const copy = new DenseHead(this.name, this.inputDim, this.layers, { momentum: this.bnMomentum, epsilon: this.bnEpsilon }, new Map(this.#named.map((n) => [n.name, n.variable as tf.Tensor])), trainable);
    copy.#frozen = this.#frozen;
    return copy;
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const n of this.#named) n.variable.dispose();
    this.#disposed = true;
  }

  #bn(prefix: string): BatchNormVariables {
    return {
      gamma: this.#byName.get(`${prefix}/gamma`),
      beta: this.#byName.get(`${prefix}/beta`),
      movingMean: this.#byName.get(`${prefix}/moving_mean`) as tf.Variable,
      movingVariance: this.#byName.get(`${prefix}/moving_variance`) as tf.Variable,
    };
  }

  #assertLive(method: string): void {
    if (this.#disposed) throw new ArgumentError(`${this.name}.${method}: the head has been disposed`, { argument: 'this', expected: 'a live head', received: 'disposed' });
  }
}

function variableSpecs(inputDim: number, layers: readonly HeadLayer[]): VarSpec[] {
  const out: VarSpec[] = [];
  let fanIn = inputDim;
  layers.forEach((l, i) => {
    const p = `layer${i + 1}`;
    const bound = 1 / Math.sqrt(fanIn);
    out.push({ name: `${p}/kernel`, shape: [fanIn, l.units], trainable: true, init: 'uniform', bound });
    if (l.bias) out.push({ name: `${p}/bias`, shape: [l.units], trainable: true, init: 'uniform', bound });
    if (l.batchNorm !== null) {
      out.push({ name: `${p}.bn/gamma`, shape: [l.units], trainable: true, init: 'ones', bound: 0 });
      if (l.batchNorm.center) out.push({ name: `${p}.bn/beta`, shape: [l.units], trainable: true, init: 'zeros', bound: 0 });
      out.push({ name: `${p}.bn/moving_mean`, shape: [l.units], trainable: false, init: 'zeros', bound: 0 });
      out.push({ name: `${p}.bn/moving_variance`, shape: [l.units], trainable: false, init: 'ones', bound: 0 });
    }
    fanIn = l.units;
  });
  return out;
}

/** Validates the shared options; returns seed and BatchNorm settings. @internal */
export function resolveHeadOptions(where: string, options: HeadCommonOptions): { seed: number; bn: { momentum: number; epsilon: number } } {
  const seed = options.seed ?? 0;
  assertInteger(where, 'options.seed', seed, Number.MIN_SAFE_INTEGER);
  const momentum = options.bnMomentum ?? 0.1;
  assertInRange(where, 'options.bnMomentum', momentum, 0, 1);
  const epsilon = options.bnEpsilon ?? 1e-5;
  assertPositive(where, 'options.bnEpsilon', epsilon);
  return { seed, bn: { momentum, epsilon } };
}

/** Checks that `options` is an object holding a positive integer `inputDim`. @internal */
export function assertHeadOptions(where: string, options: unknown): asserts options is { inputDim: number } {
  assertOptionsObject(where, 'options', options);
  if (options === undefined) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object with 'inputDim', received undefined`, { argument: 'options', expected: 'an options object', received: undefined });
  }
  assertInteger(where, 'options.inputDim', (options as { inputDim?: unknown }).inputDim, 1);
}

/**
 * The one class behind every encoder of this package: a {@link GraphSpec} plus its variables,
 * run as plain tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  ShapeError,
  assertFloatTensor,
  assertOptionsObject,
  describeValue,
  type Encoder,
  type ForwardOptions,
} from '@contrastive/core';
import { batchNorm, type BatchNormMode, type BatchNormVariables } from './batch-norm.js';
import { initialiseVariables } from './init.js';
import { INPUT, bnVariableNames, nodeInputs, type GraphNode, type GraphSpec, type VariableSpec } from './spec.js';

/** A variable together with its stable path name (e.g. `'layer1.0.conv1/kernel'`). */
export interface NamedVariable {
  /** Stable name inside the network, `<layer>/<weight>` as in tfjs-layers. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** A parameter (true) or a buffer such as a BatchNorm running average (false). */
  readonly trainable: boolean;
}

/** Options of {@link GraphEncoder.clone}. */
export interface CloneOptions {
  /**
   * Whether the copy's variables are registered as trainable with tfjs (default true). A
   * momentum copy uses `false`, so `tf.variableGrads()` and optimizers that default to "all
   * trainable variables" never touch it. The copy's `trainableVariables` list still names its
   * parameters, so that they pair one-to-one with the original's.
   */
  readonly trainable?: boolean;
}

let instanceCounter = 0;

/**
 * An encoder f(·) built from a network description and run with plain tfjs ops (NHWC).
 * Created by {@link resnet}, {@link convNet}, {@link mlpEncoder}, {@link loadEncoder} and
 * {@link foldBatchNorm}; implements core's `Encoder` contract.
 *
 * BatchNorm: `apply(x, { training: true })` normalises with batch statistics and moves the
 * running averages by the momentum; `training: false` uses the running averages; after
 * `setBatchNormFrozen(true)` training passes also use the running averages and leave them
 * unchanged.
 */
export class GraphEncoder implements Encoder {
  /** A short name for logs, e.g. `'resnet18-cifar'`. */
  readonly name: string;
  /** Size of the representation h. */
  readonly outputDim: number;
  /** The network description (JSON-serialisable). */
  readonly spec: GraphSpec;
  /** Parameters, in a fixed order (the order of {@link GraphEncoder.namedVariables}). */
  readonly trainableVariables: readonly tf.Variable[];
  /** BatchNorm running means and variances, in a fixed order. */
  readonly nonTrainableVariables: readonly tf.Variable[];
  readonly #named: readonly NamedVariable[];
  readonly #byName: ReadonlyMap<string, tf.Variable>;
  readonly #consumers: ReadonlyMap<string, number>;
  /** BatchNorm node -> the ReLU node that is its only consumer (run as one fused operation). */
  readonly #fusedRelu: ReadonlyMap<string, string>;
  #frozen = false;
  #disposed = false;

  /** @internal Use the builders; `values` must hold one tensor or array per variable spec. */
  constructor(spec: GraphSpec, values: ReadonlyMap<string, tf.Tensor | Float32Array>, registerTrainable = true) {
    this.spec = spec;
    this.name = spec.name;
    this.outputDim = spec.outputDim;
    const id = instanceCounter++;
    const named: NamedVariable[] = [];
    for (const v of spec.variables) {
      const value = values.get(v.name);
      if (value === undefined) throw new Error(`GraphEncoder: no value for variable '${v.name}'`);
      const variable = tf.tidy(() => {
        const t = value instanceof Float32Array ? tf.tensor(value, [...v.shape], 'float32') : value;
        return tf.variable(t, registerTrainable && v.trainable, `${spec.name}_${id}/${v.name}`);
      });
      named.push({ name: v.name, variable, trainable: v.trainable });
    }
    this.#named = named;
    this.#byName = new Map(named.map((n) => [n.name, n.variable]));
    this.trainableVariables = named.filter((n) => n.trainable).map((n) => n.variable);
    this.nonTrainableVariables = named.filter((n) => !n.trainable).map((n) => n.variable);
    const consumers = new Map<string, number>();
    for (const node of spec.nodes) for (const input of nodeInputs(node)) consumers.set(input, (consumers.get(input) ?? 0) + 1);
    this.#consumers = consumers;
    const bnNames = new Set(spec.nodes.filter((n) => n.op === 'batchNorm').map((n) => n.name));
    const fused = new Map<string, string>();
    for (const node of spec.nodes) {
      if (node.op === 'relu' && bnNames.has(node.input) && consumers.get(node.input) === 1 && node.input !== spec.output) fused.set(node.input, node.name);
    }
    this.#fusedRelu = fused;
  }

  /** A fresh network with initial values drawn from `seed`. @internal */
  static initialise(spec: GraphSpec, seed: number): GraphEncoder {
    return new GraphEncoder(spec, initialiseVariables(spec.variables, seed));
  }

  /** Every variable with its stable name, parameters and buffers, in declaration order. */
  namedVariables(): readonly NamedVariable[] {
    this.#assertLive('namedVariables');
    return this.#named;
  }

  /** Number of trainable parameters (BatchNorm gamma and beta count, running averages do not). */
  get parameterCount(): number {
    return this.trainableVariables.reduce((a, v) => a + v.size, 0);
  }

  /** Whether BatchNorm layers use (and keep) their running averages in training passes too. */
  get batchNormFrozen(): boolean {
    return this.#frozen;
  }

  /**
   * Freezes (or unfreezes) every BatchNorm layer: while frozen, `training: true` passes
   * normalise with the running averages and do not update them (PyTorch's `bn.eval()`).
   * Gamma and beta stay in `trainableVariables`; leave them out of the optimizer's list to fix
   * them as well.
   */
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

  /** True once {@link GraphEncoder.dispose} ran. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * h = f(x). `x` is `[B, ...inputShape]` float32 (images NHWC); returns `[B, outputDim]`.
   * Tidy: only the result survives. In training mode the BatchNorm running averages are
   * updated as a side effect (unless frozen).
   */
  apply(x: tf.Tensor, options: ForwardOptions): tf.Tensor2D {
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
    this.#assertInput(where, x);
    if (options.training && this.spec.inferenceOnly) {
      throw new ArgumentError(`${where}: argument 'options.training' must be false for an inference-only (BatchNorm-folded) encoder, received true`, {
        argument: 'options.training',
        expected: 'false',
        received: true,
      });
    }
    const mode: BatchNormMode = !options.training ? 'inference' : this.#frozen ? 'running' : 'batch';
    this.#assertShapesFit(where, x, mode === 'batch');
    return tf.tidy(() => this.#run(x, mode, where)) as tf.Tensor2D;
  }

  /** An independent copy with the same values (parameters and running averages) and BatchNorm state. */
  clone(options: CloneOptions = {}): GraphEncoder {
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
    const copy = new GraphEncoder(this.spec, new Map(this.#named.map((n) => [n.name, n.variable])), trainable);
    copy.#frozen = this.#frozen;
    return copy;
  }

  /** Frees every variable. The encoder cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    for (const n of this.#named) n.variable.dispose();
    this.#disposed = true;
  }

  /** The variable called `name` (e.g. `'conv1/kernel'`). @internal */
  variable(name: string): tf.Variable {
    const v = this.#byName.get(name);
    if (v === undefined) throw new Error(`${this.name}: no variable '${name}'`);
    return v;
  }

  #assertLive(method: string): void {
    if (this.#disposed) {
      throw new ArgumentError(`${this.name}.${method}: the encoder has been disposed`, { argument: 'this', expected: 'a live encoder', received: 'disposed' });
    }
  }

  #assertInput(where: string, x: tf.Tensor): void {
    const shape = this.spec.inputShape;
    assertFloatTensor(where, 'x', x, shape.length + 1);
    const want = [null, ...shape];
    const ok = x.shape[0] !== undefined && x.shape[0] >= 1 && shape.every((s, i) => s === null || x.shape[i + 1] === s);
    if (!ok) {
      const expected = `shape [${want.map((s) => (s === null ? '*' : String(s))).join(',')}]`;
      throw new ShapeError(`${where}: argument 'x' must have ${expected}, received shape [${x.shape.join(',')}]`, {
        argument: 'x',
        expected,
        received: x,
      });
    }
  }

  /**
   * Propagates the input's spatial size through the graph before anything runs, so that an input
   * too small for the network, or a training pass with one value per channel at some BatchNorm
   * layer, fails with a ShapeError naming `x` and leaves every running average untouched.
   */
  #assertShapesFit(where: string, x: tf.Tensor, training: boolean): void {
    if (x.rank !== 4) {
      if (training && x.shape[0] === 1 && this.spec.nodes.some((n) => n.op === 'batchNorm')) this.#tooFew(where, x, 'the first BatchNorm layer');
      return;
    }
    const batch = x.shape[0] as number;
    const size = new Map<string, readonly [number, number]>([[INPUT, [x.shape[1] as number, x.shape[2] as number]]]);
    for (const node of this.spec.nodes) {
      const [h, w] = size.get(nodeInputs(node)[0] as string) as readonly [number, number];
      let out: readonly [number, number] = [h, w];
      if (node.op === 'conv2d' || (node.op === 'maxPool' && node.pad !== 'same')) {
        const k = node.op === 'conv2d' ? node.kernelSize : node.size;
        const pad = node.pad as number;
        out = [Math.floor((h + 2 * pad - k) / node.stride) + 1, Math.floor((w + 2 * pad - k) / node.stride) + 1];
      } else if (node.op === 'maxPool') {
        out = [Math.ceil(h / node.stride), Math.ceil(w / node.stride)];
      } else if (node.op === 'globalAvgPool') {
        out = [1, 1];
      }
      if (out[0] < 1 || out[1] < 1) {
        throw new ShapeError(`${where}: argument 'x' of shape [${x.shape.join(',')}] is too small for ${this.name}: layer '${node.name}' would output ${out[0]}x${out[1]}`, {
          argument: 'x',
          expected: `height and width large enough for every layer of ${this.name}`,
          received: x,
        });
      }
      if (training && node.op === 'batchNorm' && batch * h * w < 2) this.#tooFew(where, x, `BatchNorm layer '${node.name}' (${h}x${w} per image)`);
      size.set(node.name, out);
    }
  }

  #tooFew(where: string, x: tf.Tensor, at: string): never {
    throw new ShapeError(
      `${where}: argument 'x' of shape [${x.shape.join(',')}] leaves one value per channel at ${at}; BatchNorm in training mode needs more (use a larger batch or images, or training: false)`,
      { argument: 'x', expected: 'batch * height * width > 1 at every BatchNorm layer in training mode', received: x },
    );
  }

  #bnVariables(name: string): BatchNormVariables {
    const n = bnVariableNames(name);
    return {
      gamma: this.#byName.get(n.gamma),
      beta: this.#byName.get(n.beta),
      movingMean: this.variable(n.mean),
      movingVariance: this.variable(n.variance),
    };
  }

  /**
   * Interprets the graph; frees each intermediate once its last consumer ran (lower peak memory).
   * A BatchNorm whose only consumer is a ReLU runs as one fused operation (one tape node in
   * training; see batch-norm.ts) that produces the ReLU's value; the ReLU node is then skipped.
   */
  #run(x: tf.Tensor, mode: BatchNormMode, where: string): tf.Tensor {
    const values = new Map<string, tf.Tensor>([[INPUT, x]]);
    const pending = new Map(this.#consumers);
    const skipped = new Set<string>();
    for (const node of this.spec.nodes) {
      if (skipped.has(node.name)) continue;
      const inputs = nodeInputs(node).map((n) => values.get(n) as tf.Tensor);
      const relu = this.#fusedRelu.get(node.name);
      if (node.op === 'batchNorm' && relu !== undefined) {
        values.set(relu, batchNorm(inputs[0] as tf.Tensor, this.#bnVariables(node.name), mode, this.spec.bnMomentum, this.spec.bnEpsilon, where, node.name, true));
        skipped.add(relu);
      } else {
        values.set(node.name, this.#node(node, inputs, mode, where));
      }
      for (const input of nodeInputs(node)) {
        const left = (pending.get(input) ?? 0) - 1;
        pending.set(input, left);
        if (left === 0 && input !== INPUT && input !== this.spec.output) {
          values.get(input)?.dispose();
          values.delete(input);
        }
      }
    }
    return values.get(this.spec.output) as tf.Tensor;
  }

  #node(node: GraphNode, inputs: readonly tf.Tensor[], mode: BatchNormMode, where: string): tf.Tensor {
    const x = inputs[0] as tf.Tensor;
    switch (node.op) {
      case 'conv2d': {
        const filter = this.variable(`${node.name}/kernel`) as tf.Tensor as tf.Tensor4D;
        const x4 = x as tf.Tensor4D;
        if (!node.useBias && node.activation === 'linear') return tf.conv2d(x4, filter, node.stride, node.pad);
        return tf.fused.conv2d({
          x: x4,
          filter,
          strides: node.stride,
          pad: node.pad,
          ...(node.useBias ? { bias: this.variable(`${node.name}/bias`) } : {}),
          activation: node.activation,
        });
      }
      case 'dense':
        return tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: this.variable(`${node.name}/kernel`) as tf.Tensor as tf.Tensor2D,
          ...(node.useBias ? { bias: this.variable(`${node.name}/bias`) } : {}),
          activation: node.activation,
        });
      case 'batchNorm':
        return batchNorm(x, this.#bnVariables(node.name), mode, this.spec.bnMomentum, this.spec.bnEpsilon, where, node.name);
      case 'relu':
        return tf.relu(x);
      case 'add':
        return tf.add(x, inputs[1] as tf.Tensor);
      case 'maxPool':
        return tf.maxPool(x as tf.Tensor4D, node.size, node.stride, node.pad);
      case 'globalAvgPool':
        return tf.mean(x, [1, 2]);
    }
  }
}

/** Parameter count of a list of variable specs (trainable only). @internal */
export function specParameterCount(variables: readonly VariableSpec[]): number {
  return variables.filter((v) => v.trainable).reduce((a, v) => a + v.shape.reduce((p, q) => p * q, 1), 0);
}

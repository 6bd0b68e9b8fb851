/**
 * The one class behind every encoder of this package: a {@link GraphSpec} plus its variables,
 * run as plain tfjs ops. The variables, their paths, state dicts, copies and BatchNorm freezing
 * come from `@contrastive/nn`'s {@link Module}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertFloatTensor, type Encoder, type ForwardOptions } from '@contrastive/core';
import { Module, batchNorm, conv2d, dense, type BatchNormMode, type BatchNormVariables, type CloneOptions, type ModuleValues } from '@contrastive/nn';
import { INPUT, bnVariableNames, nodeInputs, type GraphNode, type GraphSpec } from './spec.js';

export type { NamedVariable, CloneOptions } from '@contrastive/nn';

/**
 * An encoder f(·) built from a network description and run with plain tfjs ops (NHWC).
 * Created by {@link resnet}, {@link convNet}, {@link mlpEncoder}, {@link loadEncoder} and
 * {@link foldBatchNorm}; implements core's `Encoder` contract. Parameter paths are the graph's
 * node names plus the weight, e.g. `'layer1.0.conv1.kernel'` or `'layer1.0.bn1.moving_mean'`.
 *
 * BatchNorm: `apply(x, { training: true })` normalises with batch statistics and moves the
 * running averages by the momentum; `training: false` uses the running averages; after
 * `setBatchNormFrozen(true)` training passes also use the running averages and leave them
 * unchanged.
 */
export class GraphEncoder extends Module implements Encoder {
  /** Size of the representation h. */
  readonly outputDim: number;
  /** The network description (JSON-serialisable). */
  readonly spec: GraphSpec;
  readonly #consumers: ReadonlyMap<string, number>;
  /** BatchNorm node -> the ReLU node that is its only consumer (run as one fused operation). */
  readonly #fusedRelu: ReadonlyMap<string, string>;

  /** @internal Use the builders; `values` is a seed or holds one tensor or array per variable path. */
  constructor(spec: GraphSpec, values: ModuleValues, registerTrainable = true) {
    super(spec.name, spec.variables, values, registerTrainable);
    this.spec = spec;
    this.outputDim = spec.outputDim;
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
    return new GraphEncoder(spec, seed);
  }

  /**
   * h = f(x). `x` is `[B, ...inputShape]` float32 (images NHWC); returns `[B, outputDim]`.
   * Tidy: only the result survives. In training mode the BatchNorm running averages are
   * updated as a side effect (unless frozen).
   */
  apply(x: tf.Tensor, options: ForwardOptions): tf.Tensor2D {
    const where = `${this.name}.apply`;
    const mode: BatchNormMode = this.forwardMode(where, options);
    this.#assertInput(where, x);
    if (options.training && this.spec.inferenceOnly) {
      throw new ArgumentError(`${where}: argument 'options.training' must be false for an inference-only (BatchNorm-folded) encoder, received true`, {
        argument: 'options.training',
        expected: 'false',
        received: true,
      });
    }
    this.#assertShapesFit(where, x, mode === 'batch');
    return tf.tidy(() => this.#run(x, mode, where)) as tf.Tensor2D;
  }

  /** An independent copy with the same values (parameters and running averages) and BatchNorm state. */
  clone(options: CloneOptions = {}): GraphEncoder {
    const copy = new GraphEncoder(this.spec, this.currentValues(), this.cloneTrainable(options));
    this.copyStateTo(copy);
    return copy;
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
      gamma: this.maybeVariable(n.gamma),
      beta: this.maybeVariable(n.beta),
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
      case 'conv2d':
        return conv2d(x as tf.Tensor4D, this.variable(`${node.name}.kernel`), node.useBias ? this.variable(`${node.name}.bias`) : undefined, node.stride, node.pad, node.activation);
      case 'dense':
        return dense(x as tf.Tensor2D, this.variable(`${node.name}.kernel`), node.useBias ? this.variable(`${node.name}.bias`) : undefined, node.activation);
      case 'batchNorm':
        return batchNorm(x, this.#bnVariables(node.name), mode, this.spec.bnMomentum, this.spec.bnEpsilon, where, node.name);
      case 'relu':
        return tf.relu(x);
      case 'tanh':
        return tf.tanh(x);
      case 'add':
        return tf.add(x, inputs[1] as tf.Tensor);
      case 'maxPool':
        return tf.maxPool(x as tf.Tensor4D, node.size, node.stride, node.pad);
      case 'globalAvgPool':
        return tf.mean(x, [1, 2]);
    }
  }
}

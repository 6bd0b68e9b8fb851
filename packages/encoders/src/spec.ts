/**
 * The network description every encoder is built from: a small, JSON-serialisable graph of
 * named nodes (conv, BatchNorm, ReLU, tanh, add, pooling, dense) plus the variables they own.
 *
 * One description drives four things, so they cannot drift apart: the forward pass
 * ({@link runGraph}), the tfjs-layers `model.json` topology written by `saveEncoder`, the
 * BatchNorm folding of `foldBatchNorm`, and the parameter count.
 *
 * Layout is NHWC (channels last). Convolutions use explicit symmetric zero padding, as in
 * PyTorch (`padding=1` for 3x3, `padding=3` for the 7x7 ImageNet stem), not TensorFlow's
 * asymmetric `'same'`, so that shapes and parameter counts match torchvision exactly.
 *
 * Every variable is an nn {@link ParameterSpec} whose path is `<node>.<weight>` (e.g.
 * `'layer1.0.conv1.kernel'`), declared by nn's `conv2dParameters` / `denseParameters` /
 * `batchNormParameters`, so encoders and heads initialise alike.
 *
 * @internal
 */
import { batchNormParameters, batchNormPaths, conv2dParameters, denseParameters, type FusedActivation, type ParameterSpec } from '@contrastive/nn';

/** Activation fused into a conv or dense node (only BatchNorm-folded graphs use `'relu'`). */
export type { FusedActivation };

/** 2-D convolution without dilation; `kernel` is `[k, k, inChannels, filters]`. */
export interface ConvNode {
  readonly op: 'conv2d';
  readonly name: string;
  readonly input: string;
  readonly kernelSize: number;
  readonly stride: number;
  /** Symmetric zero padding on each spatial side. */
  readonly pad: number;
  readonly inChannels: number;
  readonly filters: number;
  readonly useBias: boolean;
  readonly activation: FusedActivation;
}

/** Batch normalisation over every axis but the last (Ioffe & Szegedy 2015). */
export interface BatchNormNode {
  readonly op: 'batchNorm';
  readonly name: string;
  readonly input: string;
  readonly channels: number;
  /** Learn the offset beta. */
  readonly center: boolean;
  /** Learn the scale gamma. */
  readonly scale: boolean;
}

/** Element-wise max(x, 0). */
export interface ReluNode {
  readonly op: 'relu';
  readonly name: string;
  readonly input: string;
}

/** Element-wise hyperbolic tangent (the MLP encoder's `activation: 'tanh'`). */
export interface TanhNode {
  readonly op: 'tanh';
  readonly name: string;
  readonly input: string;
}

/** Element-wise sum of two nodes (the residual connection). */
export interface AddNode {
  readonly op: 'add';
  readonly name: string;
  readonly inputs: readonly [string, string];
}

/**
 * Max pooling. A numeric `pad` is symmetric padding whose positions never win the max (as in
 * PyTorch); `'same'` is TensorFlow's same padding.
 */
export interface MaxPoolNode {
  readonly op: 'maxPool';
  readonly name: string;
  readonly input: string;
  readonly size: number;
  readonly stride: number;
  readonly pad: number | 'same';
}

/** Mean over the spatial axes: `[B, H, W, C] -> [B, C]`. */
export interface GlobalAvgPoolNode {
  readonly op: 'globalAvgPool';
  readonly name: string;
  readonly input: string;
}

/** Fully connected layer; `kernel` is `[inUnits, units]`. */
export interface DenseNode {
  readonly op: 'dense';
  readonly name: string;
  readonly input: string;
  readonly inUnits: number;
  readonly units: number;
  readonly useBias: boolean;
  readonly activation: FusedActivation;
}

/** One node of the graph. */
export type GraphNode = ConvNode | BatchNormNode | ReluNode | TanhNode | AddNode | MaxPoolNode | GlobalAvgPoolNode | DenseNode;

/** A variable of the graph: an nn parameter spec whose path is `<node>.<weight>`. */
export type VariableSpec = ParameterSpec;

/** What the graph was built from, so that a loader can rebuild it. */
export interface BuildRecipe {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A complete network description. */
export interface GraphSpec {
  readonly name: string;
  /** Input shape without the batch axis; `null` entries accept any size. */
  readonly inputShape: readonly (number | null)[];
  readonly nodes: readonly GraphNode[];
  /** Name of the node whose value is the representation h (`[B, outputDim]`). */
  readonly output: string;
  readonly outputDim: number;
  readonly variables: readonly VariableSpec[];
  /** BatchNorm momentum in PyTorch's convention: `running = (1 - m) * running + m * batch`. */
  readonly bnMomentum: number;
  readonly bnEpsilon: number;
  readonly recipe: BuildRecipe;
  /** True for an inference-only graph (BatchNorm folded away). */
  readonly inferenceOnly: boolean;
}

/** The name of the graph's input. */
export const INPUT = 'input';

/** Paths of the BatchNorm variables of node `name`. */
export const bnVariableNames = batchNormPaths;

/** The inputs of a node. */
export function nodeInputs(node: GraphNode): readonly string[] {
  return node.op === 'add' ? node.inputs : [node.input];
}

/**
 * Incremental builder: appends nodes and declares their variables with PyTorch's default
 * initialisations, tracking channel counts so that builders stay short.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly variables: VariableSpec[] = [];

  /**
   * Conv (bias optional, zero-initialised), Kaiming-normal weights with `mode='fan_out'`
   * (He et al. 2015), as torchvision initialises ResNet convolutions.
   */
  conv(name: string, input: string, inChannels: number, filters: number, kernelSize: number, stride: number, pad: number, useBias = false): string {
    this.nodes.push({ op: 'conv2d', name, input, kernelSize, stride, pad, inChannels, filters, useBias, activation: 'linear' });
    this.variables.push(...conv2dParameters(name, kernelSize, inChannels, filters, useBias));
    return name;
  }

  /** BatchNorm with gamma = 1 (or 0 with `zeroGamma`), beta = 0, running mean 0, variance 1. */
  batchNorm(name: string, input: string, channels: number, opts: { zeroGamma?: boolean; center?: boolean } = {}): string {
    const center = opts.center ?? true;
    this.nodes.push({ op: 'batchNorm', name, input, channels, center, scale: true });
    this.variables.push(...batchNormParameters(name, channels, { center, ...(opts.zeroGamma === undefined ? {} : { zeroGamma: opts.zeroGamma }) }));
    return name;
  }

  relu(name: string, input: string): string {
    this.nodes.push({ op: 'relu', name, input });
    return name;
  }

  tanh(name: string, input: string): string {
    this.nodes.push({ op: 'tanh', name, input });
    return name;
  }

  add(name: string, a: string, b: string): string {
    this.nodes.push({ op: 'add', name, inputs: [a, b] });
    return name;
  }

  maxPool(name: string, input: string, size: number, stride: number, pad: number | 'same'): string {
    this.nodes.push({ op: 'maxPool', name, input, size, stride, pad });
    return name;
  }

  globalAvgPool(name: string, input: string): string {
    this.nodes.push({ op: 'globalAvgPool', name, input });
    return name;
  }

  /**
   * Dense layer with PyTorch's `nn.Linear` default: weights and bias uniform in
   * `±1/sqrt(inUnits)` (Kaiming-uniform with a = sqrt(5)).
   */
  dense(name: string, input: string, inUnits: number, units: number, useBias: boolean): string {
    this.nodes.push({ op: 'dense', name, input, inUnits, units, useBias, activation: 'linear' });
    this.variables.push(...denseParameters(name, inUnits, units, useBias));
    return name;
  }
}

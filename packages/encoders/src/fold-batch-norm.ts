/**
 * BatchNorm folding for fast inference: every BatchNorm that directly follows a convolution
 * (or dense layer) is merged into that layer's weights and bias (nn's `foldBatchNormWeights`:
 * `W' = W · γ / sqrt(σ² + ε)`, `b' = β + (b − μ) · γ / sqrt(σ² + ε)`), and a following ReLU into
 * the same fused kernel (`tf.fused.conv2d` / `tf.fused.matMul`). Same outputs as
 * `apply(x, { training: false })` up to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, type Encoder } from '@contrastive/core';
import { foldBatchNormWeights } from '@contrastive/nn';
import { GraphEncoder } from './graph-encoder.js';
import { bnVariableNames, nodeInputs, type BatchNormNode, type ConvNode, type DenseNode, type GraphNode, type GraphSpec, type VariableSpec } from './spec.js';

interface Fold {
  readonly layer: ConvNode | DenseNode;
  readonly bn: BatchNormNode;
  readonly relu: boolean;
}

/** The folded description (no weights) and which layers absorbed which BatchNorm. @internal */
export function foldSpec(spec: GraphSpec): { spec: GraphSpec; folds: readonly Fold[] } {
  const consumers = new Map<string, GraphNode[]>();
  for (const node of spec.nodes) for (const i of nodeInputs(node)) consumers.set(i, [...(consumers.get(i) ?? []), node]);
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const alias = new Map<string, string>();
  const removed = new Set<string>();
  const folds: Fold[] = [];
  for (const node of spec.nodes) {
    if (node.op !== 'batchNorm') continue;
    const layer = byName.get(node.input);
    const single = (name: string): boolean => (consumers.get(name)?.length ?? 0) === 1 && name !== spec.output;
    if (layer === undefined || (layer.op !== 'conv2d' && layer.op !== 'dense') || layer.activation !== 'linear' || !single(layer.name)) continue;
    const next = consumers.get(node.name);
    const relu = single(node.name) && next?.[0]?.op === 'relu';
    folds.push({ layer, bn: node, relu });
    removed.add(node.name);
    alias.set(node.name, layer.name);
    if (relu) {
      const r = (next as GraphNode[])[0] as GraphNode;
      removed.add(r.name);
      alias.set(r.name, layer.name);
    }
  }
  const foldedLayers = new Map(folds.map((f) => [f.layer.name, f]));
  const resolve = (name: string): string => alias.get(name) ?? name;
  const nodes: GraphNode[] = [];
  for (const node of spec.nodes) {
    if (removed.has(node.name)) continue;
    const f = foldedLayers.get(node.name);
    if (f !== undefined && (node.op === 'conv2d' || node.op === 'dense')) {
      nodes.push({ ...node, input: resolve(node.input), useBias: true, activation: f.relu ? 'relu' : 'linear' });
    } else if (node.op === 'add') {
      nodes.push({ ...node, inputs: [resolve(node.inputs[0]), resolve(node.inputs[1])] });
    } else {
      nodes.push({ ...node, input: resolve(node.input) });
    }
  }
  const variables: VariableSpec[] = [];
  const bnOwned = new Set(folds.flatMap((f) => Object.values(bnVariableNames(f.bn.name))));
  for (const v of spec.variables) {
    if (bnOwned.has(v.path)) continue;
    variables.push({ ...v, trainable: false });
    const layerName = v.path.slice(0, v.path.lastIndexOf('.'));
    const f = foldedLayers.get(layerName);
    if (f !== undefined && v.path.endsWith('.kernel') && !f.layer.useBias) {
      const units = f.layer.op === 'conv2d' ? f.layer.filters : f.layer.units;
      variables.push({ path: `${layerName}.bias`, shape: [units], trainable: false, init: { kind: 'zeros' } });
    }
  }
  return {
    spec: {
      ...spec,
      name: `${spec.name}-folded`,
      nodes,
      output: resolve(spec.output),
      variables,
      inferenceOnly: true,
      recipe: { kind: 'folded', options: { of: spec.recipe } },
    },
    folds,
  };
}

/**
 * An inference-only copy of `encoder` with BatchNorm folded into the preceding convolutions
 * (and ReLU fused), for fast feature extraction: same outputs as
 * `encoder.apply(x, { training: false })` up to float32 rounding. It has no trainable
 * variables and `apply(x, { training: true })` throws. Later changes to `encoder` do not
 * reach the copy; fold again after training. Dispose it when done.
 *
 * @example
 * ```ts
 * const fast = foldBatchNorm(encoder);
 * const h = fast.apply(images, { training: false });
 * fast.dispose();
 * ```
 */
export function foldBatchNorm(encoder: Encoder): GraphEncoder {
  if (!(encoder instanceof GraphEncoder) || encoder.isDisposed) {
    throw new ArgumentError(`foldBatchNorm: argument 'encoder' must be a live encoder built by @contrastive/encoders, received ${describeValue(encoder)}`, {
      argument: 'encoder',
      expected: 'a live GraphEncoder',
      received: encoder,
    });
  }
  if (encoder.spec.inferenceOnly) return encoder.clone();
  const { spec, folds } = foldSpec(encoder.spec);
  const created: tf.Tensor[] = [];
  try {
    const values = new Map<string, tf.Tensor>();
    for (const f of folds) {
      const n = bnVariableNames(f.bn.name);
      const bn = {
        gamma: f.bn.scale ? encoder.variable(n.gamma) : undefined,
        beta: f.bn.center ? encoder.variable(n.beta) : undefined,
        movingMean: encoder.variable(n.mean),
        movingVariance: encoder.variable(n.variance),
      };
      const bias0 = f.layer.useBias ? encoder.variable(`${f.layer.name}.bias`) : undefined;
      const { kernel, bias } = foldBatchNormWeights(encoder.variable(`${f.layer.name}.kernel`), bias0, bn, encoder.spec.bnEpsilon);
      created.push(kernel, bias);
      values.set(`${f.layer.name}.kernel`, kernel);
      values.set(`${f.layer.name}.bias`, bias);
    }
    for (const v of spec.variables) if (!values.has(v.path)) values.set(v.path, encoder.variable(v.path));
    const folded = new GraphEncoder(spec, values, false);
    return folded;
  } finally {
    tf.dispose(created);
  }
}

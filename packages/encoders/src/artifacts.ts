/**
 * Encoders as standard tfjs model artifacts: a tfjs-layers `model.json` topology, a weights
 * manifest and the float32 weight bytes, plus `userDefinedMetadata.contrastive` holding the
 * recipe that rebuilt the network. Everything here runs in the browser: no Node-only code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, describeValue, type Encoder } from '@contrastive/core';
import { convNetSpec, type ConvNetOptions } from './convnet.js';
import { foldSpec } from './fold-batch-norm.js';
import { GraphEncoder } from './graph-encoder.js';
import { layersTopology } from './layers-topology.js';
import { mlpEncoderSpec, type MlpEncoderOptions } from './mlp-encoder.js';
import { resnetSpec, type ResNetOptions } from './resnet.js';
import type { BuildRecipe, GraphSpec } from './spec.js';

/** The value of `userDefinedMetadata.contrastive.format` in a saved encoder. */
export const ENCODER_FORMAT = 'contrastive-encoder';
/** The version of the saved-encoder format this package writes and reads. */
export const ENCODER_FORMAT_VERSION = 1;

/** What `userDefinedMetadata.contrastive` holds. */
export interface EncoderMetadata {
  readonly format: typeof ENCODER_FORMAT;
  readonly formatVersion: number;
  /** The builder and its options (e.g. `{ kind: 'resnet', options: { depth: 18, ... } }`). */
  readonly recipe: BuildRecipe;
  readonly batchNormFrozen: boolean;
  readonly outputDim: number;
}

/** Asserts that `encoder` is a live encoder of this package. @internal */
export function assertGraphEncoder(where: string, encoder: unknown): asserts encoder is GraphEncoder {
  if (!(encoder instanceof GraphEncoder) || encoder.isDisposed) {
    throw new ArgumentError(`${where}: argument 'encoder' must be a live encoder built by @contrastive/encoders, received ${describeValue(encoder)}`, {
      argument: 'encoder',
      expected: 'a live GraphEncoder',
      received: encoder,
    });
  }
}

/**
 * The artifacts of an encoder (`modelTopology`, `weightSpecs`, `weightData`,
 * `userDefinedMetadata`), ready for any `tf.io` save handler. Browser-safe.
 */
export async function encoderToArtifacts(encoder: Encoder): Promise<tf.io.ModelArtifacts> {
  assertGraphEncoder('encoderToArtifacts', encoder);
  const named = encoder.namedVariables().map((n) => ({ name: layersWeightName(n.path), tensor: n.variable as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const metadata: EncoderMetadata = {
    format: ENCODER_FORMAT,
    formatVersion: ENCODER_FORMAT_VERSION,
    recipe: encoder.spec.recipe,
    batchNormFrozen: encoder.batchNormFrozen,
    outputDim: encoder.outputDim,
  };
  return {
    modelTopology: layersTopology(encoder.spec),
    format: 'layers-model',
    generatedBy: '@contrastive/encoders 0.1.0',
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: { contrastive: metadata as unknown as object },
  };
}

/**
 * The tfjs-layers weight name of a parameter path: the layer, `/`, the weight
 * (`'layer1.0.conv1.kernel'` -> `'layer1.0.conv1/kernel'`), which `tf.loadLayersModel` matches
 * against the topology's layer names. Weight names (`kernel`, `moving_mean`, ...) hold no `.`,
 * so the mapping is one-to-one; {@link pathOfLayersWeight} inverts it.
 */
export function layersWeightName(path: string): string {
  const i = path.lastIndexOf('.');
  return `${path.slice(0, i)}/${path.slice(i + 1)}`;
}

/** The parameter path of a tfjs-layers weight name (`'conv1/kernel'` -> `'conv1.kernel'`). */
export function pathOfLayersWeight(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? name : `${name.slice(0, i)}.${name.slice(i + 1)}`;
}

function fail(message: string, received?: unknown): never {
  throw new CheckpointError(`encoderFromArtifacts: ${message}`, { argument: 'artifacts', received });
}

/** Rebuilds the network description from a saved recipe. @internal */
export function specFromRecipe(recipe: BuildRecipe): GraphSpec {
  const where = 'loadEncoder';
  const options = recipe.options as Record<string, unknown>;
  switch (recipe.kind) {
    case 'resnet':
      return resnetSpec(where, options as unknown as ResNetOptions);
    case 'convnet':
      return convNetSpec(where, options as unknown as ConvNetOptions);
    case 'mlp':
      return mlpEncoderSpec(where, options as unknown as MlpEncoderOptions);
    case 'folded': {
      const of = options['of'];
      if (typeof of !== 'object' || of === null) throw new Error(`folded recipe without 'of'`);
      return foldSpec(specFromRecipe(of as BuildRecipe)).spec;
    }
    default:
      throw new Error(`unknown encoder kind ${describeValue(recipe.kind)}`);
  }
}

/**
 * Rebuilds an encoder from its artifacts, bit-identical to the one saved (same weights, same
 * running averages, same BatchNorm freeze state). Browser-safe. Throws `CheckpointError` when
 * the artifacts are not a saved encoder or their weights do not match the recipe.
 */
export function encoderFromArtifacts(artifacts: tf.io.ModelArtifacts): GraphEncoder {
  if (typeof artifacts !== 'object' || artifacts === null) fail(`argument 'artifacts' must be tfjs model artifacts, received ${describeValue(artifacts)}`, artifacts);
  const meta = (artifacts.userDefinedMetadata as Record<string, unknown> | undefined)?.['contrastive'] as Partial<EncoderMetadata> | undefined;
  if (meta === undefined || meta.format !== ENCODER_FORMAT) {
    fail(`the model is not a saved @contrastive/encoders encoder (userDefinedMetadata.contrastive.format is not '${ENCODER_FORMAT}')`, meta);
  }
  if (meta.formatVersion !== ENCODER_FORMAT_VERSION) fail(`unsupported format version ${describeValue(meta.formatVersion)} (this package reads ${ENCODER_FORMAT_VERSION})`, meta.formatVersion);
  if (typeof meta.recipe !== 'object' || meta.recipe === null) fail('userDefinedMetadata.contrastive.recipe is missing', meta);
  let spec: GraphSpec;
  try {
    spec = specFromRecipe(meta.recipe);
  } catch (e) {
    throw new CheckpointError(`encoderFromArtifacts: the saved recipe cannot be rebuilt: ${e instanceof Error ? e.message : String(e)}`, {
      argument: 'artifacts',
      received: meta.recipe,
      cause: e,
    });
  }
  const { weightSpecs, weightData } = artifacts;
  if (weightSpecs === undefined || weightData === undefined) fail('the artifacts hold no weights (weightSpecs / weightData missing)');
  if (weightSpecs.some((w) => w.dtype !== 'float32' || w.quantization !== undefined)) fail('every weight must be unquantised float32');
  const expectedBytes = weightSpecs.reduce((a, w) => a + 4 * w.shape.reduce((p, q) => p * q, 1), 0);
  const gotBytes = Array.isArray(weightData) ? weightData.reduce((a, b) => a + b.byteLength, 0) : weightData.byteLength;
  if (gotBytes !== expectedBytes) fail(`the weight data has ${gotBytes} bytes, the manifest describes ${expectedBytes}`, gotBytes);
  const decodedByName = tf.io.decodeWeights(weightData, weightSpecs);
  // The file keys weights by tfjs-layers name (`<layer>/<weight>`); the encoder by parameter path.
  const decoded = new Map(Object.entries(decodedByName).map(([name, t]) => [pathOfLayersWeight(name), t]));
  try {
    const want = new Set(spec.variables.map((v) => v.path));
    const extra = Object.keys(decodedByName).filter((k) => !want.has(pathOfLayersWeight(k)));
    if (extra.length > 0) fail(`unexpected weights ${describeValue(extra)} for ${spec.name}`, extra);
    for (const v of spec.variables) {
      const t = decoded.get(v.path);
      if (t === undefined) fail(`weight '${layersWeightName(v.path)}' (path '${v.path}') of ${spec.name} is missing`);
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        fail(`weight '${layersWeightName(v.path)}' (path '${v.path}') has shape [${t.shape.join(',')}], ${spec.name} needs [${v.shape.join(',')}]`, t);
      }
    }
    const encoder = new GraphEncoder(spec, decoded);
    encoder.setBatchNormFrozen(meta.batchNormFrozen === true);
    return encoder;
  } finally {
    tf.dispose(Object.values(decodedByName));
  }
}

/**
 * Saving and loading encoders as a standard tfjs-layers artifact: a directory with
 * `model.json` (topology, weights manifest, `userDefinedMetadata.contrastive`) and one weights
 * file. The same directory served over HTTP loads in the browser with
 * `tf.loadLayersModel(url)` (as a plain LayersModel for inference) or with
 * `loadEncoder(tf.io.http(url))` (as an encoder, bit-identical).
 *
 * Only the directory variants touch the file system, through a dynamic import of
 * `@contrastive/encoders/node` that runs only when a path string is given, so browser bundles
 * stay free of Node code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, describeValue, loadNodeOnly, type Encoder } from '@contrastive/core';
import { assertGraphEncoder, encoderFromArtifacts, encoderToArtifacts } from './artifacts.js';
import type { GraphEncoder } from './graph-encoder.js';

/** What {@link saveEncoder} wrote. */
export interface SaveEncoderResult {
  /** Files written, relative to the directory (empty when saving to an IOHandler). */
  readonly files: readonly string[];
  /** Bytes of weight data. */
  readonly weightBytes: number;
}

const ENCODERS_NODE = '@contrastive/encoders/node';
/** What this file needs of `@contrastive/encoders/node` (structural: the neutral entry never imports it). */
export interface EncodersNode {
  saveEncoderDirectory(dir: string, artifacts: tf.io.ModelArtifacts, bytes: Uint8Array): Promise<SaveEncoderResult>;
  loadEncoderDirectory(source: string): Promise<tf.io.ModelArtifacts>;
}

/** `@contrastive/encoders/node`, imported only when a directory path is given (a Node.js convenience). */
function loadEncodersNode(where: string, argument: string): Promise<EncodersNode> {
  return loadNodeOnly(where, argument, 'a tf.io IOHandler (e.g. tf.io.http(url), tf.io.browserIndexedDB(key) or tf.io.browserDownloads())', () => import(/* @vite-ignore */ ENCODERS_NODE) as Promise<EncodersNode>);
}

function assertTarget(where: string, name: string, value: unknown, method: 'save' | 'load'): asserts value is string | tf.io.IOHandler {
  const ok = (typeof value === 'string' && value.length > 0) || (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function');
  if (!ok) {
    throw new ArgumentError(`${where}: argument '${name}' must be a directory path or a tf.io IOHandler with ${method}(), received ${describeValue(value)}`, {
      argument: name,
      expected: `a non-empty path string or an IOHandler with ${method}()`,
      received: value,
    });
  }
}

function concat(data: tf.io.WeightData): Uint8Array {
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/**
 * Saves `encoder` to a directory (Node.js) or to any tfjs IOHandler (browser: IndexedDB,
 * downloads, HTTP). Directory writes are atomic: the weights go to a temporary file renamed to
 * `weights.<sha256-prefix>.bin`, then `model.json` is written to a temporary file and renamed
 * over the old one, then the replaced model's weights file is removed. A reader therefore sees
 * either the old or the new model.json, each with complete weights; a failed save removes its
 * temporary files and leaves the previous model intact (a crash may leave a `.tmp-*` file,
 * never a half-written model). One writer per directory at a time.
 *
 * @example
 * ```ts
 * await saveEncoder(encoder, 'runs/simclr/encoder');
 * const same = await loadEncoder('runs/simclr/encoder');
 * ```
 */
export async function saveEncoder(encoder: Encoder, destination: string | tf.io.IOHandler): Promise<SaveEncoderResult> {
  const where = 'saveEncoder';
  assertGraphEncoder(where, encoder);
  assertTarget(where, 'destination', destination, 'save');
  const artifacts = await encoderToArtifacts(encoder);
  const weightData = artifacts.weightData as tf.io.WeightData;
  const bytes = concat(weightData);
  if (typeof destination !== 'string') {
    const save = destination.save as NonNullable<tf.io.IOHandler['save']>;
    const result = await save.call(destination, artifacts);
    if (result.errors !== undefined && result.errors.length > 0) {
      throw new CheckpointError(`${where}: the IOHandler reported errors: ${describeValue(result.errors)}`, { argument: 'destination', received: result.errors });
    }
    return { files: [], weightBytes: bytes.byteLength };
  }
  const node = await loadEncodersNode(where, 'destination');
  return node.saveEncoderDirectory(destination, artifacts, bytes);
}

/**
 * Loads an encoder saved by {@link saveEncoder}: from a directory (Node.js) or from any tfjs
 * IOHandler, e.g. `tf.io.http('https://host/encoder/model.json')` in the browser. The result is
 * bit-identical to the saved encoder (weights, running averages, BatchNorm freeze state).
 * Throws `CheckpointError` for a missing, corrupt or foreign model.
 *
 * @example
 * ```ts
 * const f = await loadEncoder(tf.io.http('/models/encoder/model.json'));
 * ```
 */
export async function loadEncoder(source: string | tf.io.IOHandler): Promise<GraphEncoder> {
  const where = 'loadEncoder';
  assertTarget(where, 'source', source, 'load');
  if (typeof source !== 'string') {
    const load = source.load as NonNullable<tf.io.IOHandler['load']>;
    return encoderFromArtifacts(await load.call(source));
  }
  const node = await loadEncodersNode(where, 'source');
  return encoderFromArtifacts(await node.loadEncoderDirectory(source));
}

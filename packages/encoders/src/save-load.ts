/**
 * Saving and loading encoders as a standard tfjs-layers artifact: a directory with
 * `model.json` (topology, weights manifest, `userDefinedMetadata.contrastive`) and one weights
 * file. The same directory served over HTTP loads in the browser with
 * `tf.loadLayersModel(url)` (as a plain LayersModel for inference) or with
 * `loadEncoder(tf.io.http(url))` (as an encoder, bit-identical).
 *
 * Only the directory variants touch the file system, through a dynamic import of `node:fs`
 * that runs only when a path string is given, so browser bundles stay free of Node code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, describeValue, type Encoder } from '@contrastive/core';
import { assertGraphEncoder, encoderFromArtifacts, encoderToArtifacts } from './artifacts.js';
import type { GraphEncoder } from './graph-encoder.js';

/** What {@link saveEncoder} wrote. */
export interface SaveEncoderResult {
  /** Files written, relative to the directory (empty when saving to an IOHandler). */
  readonly files: readonly string[];
  /** Bytes of weight data. */
  readonly weightBytes: number;
}

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
type Crypto = typeof import('node:crypto');
type CoreNode = typeof import('@contrastive/core/node');

// Specifiers in variables: bundlers for the browser must not try to resolve them.
const FS = 'node:fs/promises';
const PATH = 'node:path';
const CRYPTO = 'node:crypto';
const CORE_NODE = '@contrastive/core/node';

async function nodeModules(where: string): Promise<{ fs: Fs; path: Path; crypto: Crypto; io: CoreNode }> {
  try {
    const [fs, path, crypto, io] = await Promise.all([
      import(/* @vite-ignore */ FS) as Promise<Fs>,
      import(/* @vite-ignore */ PATH) as Promise<Path>,
      import(/* @vite-ignore */ CRYPTO) as Promise<Crypto>,
      import(/* @vite-ignore */ CORE_NODE) as Promise<CoreNode>,
    ]);
    return { fs, path, crypto, io };
  } catch (e) {
    throw new ArgumentError(`${where}: a directory path needs Node.js; in the browser pass a tf.io IOHandler (e.g. tf.io.http(url) or tf.io.browserDownloads())`, {
      argument: 'destination',
      expected: 'an IOHandler outside Node.js',
      received: 'a path string',
      cause: e,
    });
  }
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
  const { fs, path, crypto, io } = await nodeModules(where);
  const dir = destination;
  const digest = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const weightsFile = `weights.${digest}.bin`;
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  try {
    await fs.mkdir(dir, { recursive: true });
    const previous = await referencedWeightFiles(fs, path.join(dir, 'model.json'));
    await io.writeFileAtomic(path.join(dir, weightsFile), bytes);
    await io.writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    // The replaced model's weights; plain file names only (never a path out of the directory).
    for (const f of previous) if (f !== weightsFile && /^weights\.[0-9a-f]{16}\.bin$/.test(f)) await fs.rm(path.join(dir, f), { force: true });
  } catch (e) {
    throw new CheckpointError(`${where}: cannot write the encoder to ${dir}: ${e instanceof Error ? e.message : String(e)}`, {
      argument: 'destination',
      received: dir,
      cause: e,
    });
  }
  return { files: ['model.json', weightsFile], weightBytes: bytes.byteLength };
}

/** Weight files named by an existing model.json (none if there is no readable one). */
async function referencedWeightFiles(fs: Fs, modelJsonPath: string): Promise<string[]> {
  try {
    const json = JSON.parse(await fs.readFile(modelJsonPath, 'utf8')) as { weightsManifest?: { paths?: unknown }[] };
    return (json.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
  } catch {
    return [];
  }
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
  const { fs, path } = await nodeModules(where);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await fs.readFile(path.join(source, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new CheckpointError(`${where}: cannot read ${path.join(source, 'model.json')}: ${e instanceof Error ? e.message : String(e)}`, {
      argument: 'source',
      received: source,
      cause: e,
    });
  }
  if (!Array.isArray(modelJson.weightsManifest)) {
    throw new CheckpointError(`${where}: ${path.join(source, 'model.json')} has no weightsManifest`, { argument: 'source', received: source });
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) {
        try {
          const b = await fs.readFile(path.join(source, p));
          buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        } catch (e) {
          throw new CheckpointError(`${where}: cannot read weights file ${path.join(source, p)}: ${e instanceof Error ? e.message : String(e)}`, {
            argument: 'source',
            received: source,
            cause: e,
          });
        }
      }
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  return encoderFromArtifacts(artifacts);
}

/**
 * Encoders in a directory (Node.js): `model.json` plus one content-addressed weights file, written
 * atomically; `saveEncoder` / `loadEncoder` of `@contrastive/encoders` call these when given a path.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '@contrastive/core';
import { writeFileAtomic } from '@contrastive/core/node';
import type { SaveEncoderResult } from '../save-load.js';

/**
 * Writes encoder artifacts (from `encoderToArtifacts`) with their concatenated weight `bytes` to
 * directory `dir`: weights to `weights.<sha256-prefix>.bin`, then `model.json`, each atomically,
 * then removes the replaced model's weights file.
 *
 * @example
 * ```ts
 * await saveEncoderDirectory('runs/a/encoder', artifacts, bytes); // usually through saveEncoder(encoder, path)
 * ```
 */
export async function saveEncoderDirectory(dir: string, artifacts: tf.io.ModelArtifacts, bytes: Uint8Array): Promise<SaveEncoderResult> {
  const where = 'saveEncoder';
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
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
    const previous = await referencedWeightFiles(path.join(dir, 'model.json'));
    await writeFileAtomic(path.join(dir, weightsFile), bytes);
    await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson));
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
async function referencedWeightFiles(modelJsonPath: string): Promise<string[]> {
  try {
    const json = JSON.parse(await fs.readFile(modelJsonPath, 'utf8')) as { weightsManifest?: { paths?: unknown }[] };
    return (json.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
  } catch {
    return [];
  }
}

/**
 * Reads the artifacts of an encoder saved in directory `source` (its `model.json` and weights);
 * `CheckpointError` for a missing or unreadable file.
 *
 * @example
 * ```ts
 * const artifacts = await loadEncoderDirectory('runs/a/encoder'); // usually through loadEncoder(path)
 * ```
 */
export async function loadEncoderDirectory(source: string): Promise<tf.io.ModelArtifacts> {
  const where = 'loadEncoder';
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
  return artifacts;
}

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, CheckpointError } from '@contrastive/core';
import { convNet, encoderToArtifacts, foldBatchNorm, loadEncoder, mlpEncoder, resnet, saveEncoder } from './index.js';
import type { GraphEncoder } from './graph-encoder.js';

let root = '';
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'contrastive-encoders-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCounter = 0;
const freshDir = () => join(root, `m${dirCounter++}`);

/**
 * What a browser does: `tf.io.http(url)` fetches model.json, then the weight files next to it.
 * The fetch here serves the saved directory's files from memory, so the loader runs exactly the
 * code path of a browser (no Node-only API on it).
 */
async function browserHandler(dir: string): Promise<tf.io.IOHandler> {
  const files = new Map<string, ArrayBuffer>();
  for (const f of await readdir(dir)) files.set(f, new Uint8Array(await readFile(join(dir, f))).buffer);
  const fetchFunc = async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = files.get(basename(new URL(url).pathname));
    return body === undefined ? new Response('not found', { status: 404 }) : new Response(body, { status: 200 });
  };
  return tf.io.http('https://models.example/encoder/model.json', { fetchFunc });
}

function expectBitIdentical(a: GraphEncoder, b: GraphEncoder): void {
  expect(b.namedVariables().map((n) => n.path)).toEqual(a.namedVariables().map((n) => n.path));
  a.namedVariables().forEach((n, i) => {
    const m = b.namedVariables()[i]!;
    expect(m.trainable).toBe(n.trainable);
    expect(Buffer.from(m.variable.dataSync().buffer).equals(Buffer.from(n.variable.dataSync().buffer))).toBe(true);
  });
  expect(b.name).toBe(a.name);
  expect(b.outputDim).toBe(a.outputDim);
  expect(b.batchNormFrozen).toBe(a.batchNormFrozen);
  expect(b.spec).toEqual(a.spec);
}

function sameOutputs(a: GraphEncoder, b: GraphEncoder, x: tf.Tensor, training: boolean): boolean {
  const ha = a.apply(x, { training });
  const hb = b.apply(x, { training });
  const same = Buffer.from(ha.dataSync().buffer).equals(Buffer.from(hb.dataSync().buffer));
  tf.dispose([ha, hb]);
  return same;
}

/** An encoder with trained-looking running statistics. */
function warmed(e: GraphEncoder, x: tf.Tensor): GraphEncoder {
  for (let i = 0; i < 2; i++) tf.dispose(e.apply(x, { training: true }));
  return e;
}

describe('saveEncoder / loadEncoder', () => {
  it('round-trips a ResNet through a directory bit-identically (weights, running averages, outputs, freeze state)', async () => {
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 1);
    const e = warmed(resnet({ depth: 18, stem: 'imagenet', widthMultiplier: 0.125, seed: 3 }), x);
    e.setBatchNormFrozen(true);
    const dir = freshDir();
    const result = await saveEncoder(e, dir);
    const back = await loadEncoder(dir);
    expectBitIdentical(e, back);
    expect(sameOutputs(e, back, x, false)).toBe(true);
    expect(sameOutputs(e, back, x, true)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([...result.files].sort());
    expect(result.weightBytes).toBe(e.namedVariables().reduce((a, n) => a + 4 * n.variable.size, 0));
    tf.dispose(x);
    e.dispose();
    back.dispose();
  });

  it('loads in the browser: loadEncoder(tf.io.http(url)) is bit-identical and tf.loadLayersModel(url) computes the same function', async () => {
    const img = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 2);
    const vec = tf.randomNormal([4, 6], 0, 1, 'float32', 2);
    const cases: [GraphEncoder, tf.Tensor][] = [
      [warmed(resnet({ depth: 18, stem: 'imagenet', widthMultiplier: 0.125, seed: 1 }), img), img],
      [warmed(resnet({ depth: 50, stem: 'cifar', widthMultiplier: 0.0625, inputShape: [16, 16, 3], seed: 2 }), img), img],
      [warmed(convNet({ widths: [4, 8, 8], seed: 3 }), img), img],
      [warmed(mlpEncoder({ inputDim: 6, hidden: [5, 4], batchNorm: true, seed: 4 }), vec), vec],
      [warmed(mlpEncoder({ inputDim: 6, hidden: [3], seed: 5 }), vec), vec],
      [mlpEncoder({ inputDim: 6, hidden: [5, 4], activation: 'tanh', seed: 6 }), vec],
      [warmed(convNet({ widths: [4, 8], fc: 6, seed: 7 }), img), img],
    ];
    cases.push([foldBatchNorm(cases[0]![0]), img]);
    for (const [e, x] of cases) {
      const dir = freshDir();
      await saveEncoder(e, dir);
      const back = await loadEncoder(await browserHandler(dir));
      expectBitIdentical(e, back);
      expect(sameOutputs(e, back, x, false)).toBe(true);
      const model = await tfl.loadLayersModel(await browserHandler(dir));
      const h = e.apply(x, { training: false });
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual(h.shape);
      const diff = tf.max(tf.abs(tf.sub(y, h))).dataSync()[0]!;
      expect(diff).toBeLessThanOrEqual(1e-6);
      tf.dispose([h, y]);
      model.dispose();
      back.dispose();
      e.dispose();
    }
    tf.dispose([img, vec]);
  });

  it('writes a standard tfjs-layers model.json and saves through any IOHandler', async () => {
    const e = convNet({ widths: [2, 3] });
    const dir = freshDir();
    const { files } = await saveEncoder(e, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Model');
    expect(json.weightsManifest[0].paths).toEqual([files[1]]);
    expect(json.userDefinedMetadata.contrastive).toMatchObject({ format: 'contrastive-encoder', formatVersion: 1, recipe: { kind: 'convnet' } });
    let saved: tf.io.ModelArtifacts | undefined;
    await saveEncoder(e, tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const back = await loadEncoder(tf.io.fromMemory(saved!));
    expectBitIdentical(e, back);
    e.dispose();
    back.dispose();
  });

  it('overwrites atomically: the new model replaces the old one and its weights file, and leaves no temporary files', async () => {
    const a = convNet({ widths: [3], seed: 1 });
    const b = convNet({ widths: [3, 5], seed: 2 });
    const dir = freshDir();
    const first = await saveEncoder(a, dir);
    const again = await saveEncoder(a, dir);
    expect(again.files).toEqual(first.files); // content-named: same weights, same file
    const second = await saveEncoder(b, dir);
    expect((await readdir(dir)).sort()).toEqual([...second.files].sort());
    const back = await loadEncoder(dir);
    expectBitIdentical(b, back);
    for (const m of [a, b, back]) m.dispose();
  });

  it('a failed save keeps the previous model loadable and removes its temporary files', async () => {
    const a = convNet({ widths: [3], seed: 1 });
    const b = convNet({ widths: [4], seed: 2 });
    const probe = freshDir();
    const { files } = await saveEncoder(b, probe);
    const dir = freshDir();
    await saveEncoder(a, dir);
    // Occupy the name b's weights file would take with a non-empty directory: the rename fails.
    await mkdir(join(dir, files[1]!));
    await writeFile(join(dir, files[1]!, 'blocker'), 'x');
    await expect(saveEncoder(b, dir)).rejects.toThrow(CheckpointError);
    expect((await readdir(dir)).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    const back = await loadEncoder(dir);
    expectBitIdentical(a, back);
    for (const m of [a, b, back]) m.dispose();
  });

  it('rejects missing, corrupt, foreign and mismatched models with CheckpointError', async () => {
    await expect(loadEncoder(join(root, 'does-not-exist'))).rejects.toThrow(CheckpointError);
    const e = convNet({ widths: [3, 4] });
    const dir = freshDir();
    const { files } = await saveEncoder(e, dir);
    const weights = join(dir, files[1]!);
    const bytes = await readFile(weights);
    // Truncated weights.
    await writeFile(weights, bytes.subarray(0, bytes.length - 8));
    await expect(loadEncoder(dir)).rejects.toThrow(/bytes/);
    await writeFile(weights, bytes);
    // A recipe that does not match the weights.
    const jsonPath = join(dir, 'model.json');
    const json = JSON.parse(await readFile(jsonPath, 'utf8'));
    json.userDefinedMetadata.contrastive.recipe.options.widths = [3, 5];
    await writeFile(jsonPath, JSON.stringify(json));
    await expect(loadEncoder(dir)).rejects.toThrow(CheckpointError);
    json.userDefinedMetadata.contrastive.recipe.options.widths = [3, -4];
    await writeFile(jsonPath, JSON.stringify(json));
    await expect(loadEncoder(dir)).rejects.toThrow(/cannot be rebuilt/);
    json.userDefinedMetadata.contrastive.formatVersion = 99;
    await writeFile(jsonPath, JSON.stringify(json));
    await expect(loadEncoder(dir)).rejects.toThrow(/version/);
    // A plain tfjs-layers model, not saved by this package.
    const plain = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await plain.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    await expect(loadEncoder(tf.io.fromMemory(artifacts!))).rejects.toThrow(/not a saved @contrastive\/encoders encoder/);
    plain.dispose();
    e.dispose();
  });

  it('rejects bad arguments with ArgumentError naming them, and leaks no tensors', async () => {
    const e = mlpEncoder({ inputDim: 2, hidden: [2] });
    await expect(saveEncoder({} as never, freshDir())).rejects.toThrow(ArgumentError);
    await expect(saveEncoder(e, '' as never)).rejects.toThrow(/'destination'/);
    await expect(saveEncoder(e, 42 as never)).rejects.toThrow(/'destination'/);
    await expect(loadEncoder({} as never)).rejects.toThrow(/'source'/);
    await expect(encoderToArtifacts({} as never)).rejects.toThrow(/'encoder'/);
    const dir = freshDir();
    const before = tf.memory().numTensors;
    await saveEncoder(e, dir);
    expect(tf.memory().numTensors).toBe(before);
    const back = await loadEncoder(dir);
    expect(tf.memory().numTensors).toBe(before + back.namedVariables().length);
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
    e.dispose();
  });

  it('keeps Node-only modules off the browser path: no static node: imports in the sources', async () => {
    const src = new URL('.', import.meta.url).pathname;
    for (const f of await readdir(src)) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
      const text = await readFile(join(src, f), 'utf8');
      expect(text).not.toMatch(/^\s*import[^;]*from\s+['"]node:/m);
      expect(text).not.toMatch(/\brequire\(/);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { CheckpointError, NonFiniteError, Rng, type SerializedState } from '@contrastive/core';
import { createHash } from 'node:crypto';
import { canonicalJson } from './fingerprint.js';
import { checkpointName, latestCheckpoint, readCheckpoint, restoreVariables, saveCheckpoint, type CheckpointContents } from './checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

let run = 0;
function fixture(): { vars: tf.Variable[]; paths: Map<string, tf.Variable>; contents: (step: number) => CheckpointContents; dispose: () => void } {
  run++;
  const rng = Rng.fromSeed(run);
  const vars = [
    tf.variable(tf.tensor(rng.normalArray(6), [2, 3]), true, `ck${run}/w`),
    tf.variable(tf.tensor(rng.normalArray(3), [3]), true, `ck${run}/b`),
    tf.variable(tf.scalar(0.25), false, `ck${run}/stat`),
  ];
  // Checkpoints key by parameter path, not by the (process-unique) tfjs names above.
  const paths = new Map([['layer.w', vars[0]!], ['layer.b', vars[1]!], ['bn.stat', vars[2]!]]);
  const optimizer: SerializedState = { tensors: { ['layer.w/momentum']: tf.tensor(rng.normalArray(6), [2, 3]) }, meta: { kind: 'sgd', step: 4 } };
  const strategy: SerializedState = {
    tensors: { keys: tf.tensor(rng.normalArray(8), [4, 2]), ids: tf.tensor1d([3, -1, 7], 'int32'), mask: tf.tensor1d([1, 0, 1], 'bool') },
    meta: { kind: 'momentumQueue', pointer: 2, '0': 'integer-like key' },
  };
  return {
    vars,
    paths,
    contents: (step) => ({ step, epoch: 1, fingerprint: 'f'.repeat(64), rng: rng.state(), variables: paths, optimizer, strategy, meta: { stepInEpoch: 2 } }),
    dispose: () => {
      vars.forEach((v) => v.dispose());
      [...Object.values(optimizer.tensors), ...Object.values(strategy.tensors)].forEach((t) => t.dispose());
    },
  };
}

describe('saveCheckpoint / readCheckpoint', () => {
  it('round-trips every tensor bit for bit, with metadata, and leaves no temporary files', async () => {
    const f = fixture();
    const dir = join(root, 'roundtrip');
    const contents = f.contents(12);
    const path = await saveCheckpoint(dir, contents);
    expect(path).toBe(join(dir, checkpointName(12)));
    expect(await latestCheckpoint(dir)).toBe(path);
    expect(readdirSync(dir).sort()).toEqual(['latest', 'step-000000012']);
    expect(readdirSync(path).sort()).toEqual(['manifest.json', 'optimizer.bin', 'strategy.bin', 'weights.bin']);
    const before = tf.memory().numTensors;
    const loaded = await readCheckpoint(dir); // follows `latest`
    expect(loaded.path).toBe(path);
    expect(loaded.manifest.step).toBe(12);
    expect(loaded.manifest.epoch).toBe(1);
    expect(loaded.manifest.rng).toEqual(contents.rng);
    expect(loaded.manifest.meta).toEqual({ stepInEpoch: 2 });
    expect(loaded.strategy.meta).toEqual(contents.strategy.meta);
    expect(loaded.optimizer.meta).toEqual(contents.optimizer.meta);
    expect(Object.keys(loaded.weights)).toEqual(['layer.w', 'layer.b', 'bn.stat']);
    for (const [p, v] of f.paths) {
      expect(loaded.weights[p]?.shape).toEqual(v.shape);
      expect(Array.from(loaded.weights[p]?.dataSync() ?? [])).toEqual(Array.from(v.dataSync()));
    }
    for (const [k, t] of [...Object.entries(contents.strategy.tensors), ...Object.entries(contents.optimizer.tensors)]) {
      const got = loaded.strategy.tensors[k] ?? loaded.optimizer.tensors[k];
      expect(got?.dtype).toBe(t.dtype);
      expect(Array.from(got?.dataSync() ?? [])).toEqual(Array.from(t.dataSync()));
    }
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    f.dispose();
  });

  it('keeps only the newest checkpoints and can overwrite one at the same step', async () => {
    const f = fixture();
    const dir = join(root, 'keep');
    for (const step of [1, 2, 3, 4, 5]) await saveCheckpoint(dir, f.contents(step), { keep: 2 });
    expect(readdirSync(dir).sort()).toEqual(['latest', 'step-000000004', 'step-000000005']);
    (f.vars[2] as tf.Variable).assign(tf.scalar(9));
    await saveCheckpoint(dir, f.contents(5), { keep: 2 });
    const loaded = await readCheckpoint(join(dir, 'step-000000005'));
    expect(Array.from(loaded.weights['bn.stat']?.dataSync() ?? [])).toEqual([9]);
    loaded.dispose();
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    f.dispose();
  });

  it('refuses non-finite weights or slots and writes nothing', async () => {
    const f = fixture();
    const dir = join(root, 'nan');
    (f.vars[0] as tf.Variable).assign(tf.tensor([1, 2, Number.NaN, 4, 5, 6], [2, 3]));
    await expect(saveCheckpoint(dir, f.contents(3))).rejects.toThrow(NonFiniteError);
    await expect(saveCheckpoint(dir, f.contents(3))).rejects.toThrow(/weights tensor 'layer\.w' holds NaN at flat index 2/);
    expect(existsSync(dir)).toBe(false);
    (f.vars[0] as tf.Variable).assign(tf.zeros([2, 3]));
    const bad = f.contents(3);
    const inf = tf.tensor1d([Infinity]);
    await expect(saveCheckpoint(dir, { ...bad, optimizer: { tensors: { s: inf }, meta: {} } })).rejects.toThrow(/optimizer tensor 's' holds Infinity/);
    expect(existsSync(dir)).toBe(false);
    inf.dispose();
    f.dispose();
  });

  describe('refuses corrupt checkpoints with CheckpointError', () => {
    async function fresh(name: string): Promise<string> {
      const f = fixture();
      const path = await saveCheckpoint(join(root, name), f.contents(7));
      f.dispose();
      return path;
    }

    it('a flipped byte (sha256 mismatch)', async () => {
      const path = await fresh('flip');
      const file = join(path, 'weights.bin');
      const bytes = readFileSync(file);
      bytes[5] = (bytes[5] as number) ^ 0x01;
      writeFileSync(file, bytes);
      await expect(readCheckpoint(path)).rejects.toThrow(CheckpointError);
      await expect(readCheckpoint(path)).rejects.toThrow(/weights\.bin is corrupt: sha256/);
    });

    it('a truncated file', async () => {
      const path = await fresh('truncated');
      truncateSync(join(path, 'strategy.bin'), 10);
      await expect(readCheckpoint(path)).rejects.toThrow(/strategy\.bin is truncated/);
    });

    it('a missing file', async () => {
      const path = await fresh('missing');
      rmSync(join(path, 'optimizer.bin'));
      await expect(readCheckpoint(path)).rejects.toThrow(/missing or unreadable file .*optimizer\.bin/);
    });

    it('a truncated or edited manifest', async () => {
      const path = await fresh('manifest');
      const file = join(path, 'manifest.json');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, text.length / 2));
      await expect(readCheckpoint(path)).rejects.toThrow(/not valid JSON/);
      writeFileSync(file, text.replace('"step": 7', '"step": 8'));
      await expect(readCheckpoint(path)).rejects.toThrow(/manifestSha256 does not match/);
      writeFileSync(file, text.replace(`"version": 2`, `"version": 3`));
      await expect(readCheckpoint(path)).rejects.toThrow(/must have version 2/);
    });

    it('a checkpoint of format version 1 (keyed by tfjs variable names) is refused with a clear message', async () => {
      const path = await fresh('version1');
      const file = join(path, 'manifest.json');
      const { manifestSha256: _, ...body } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const v1 = { ...body, version: 1 };
      writeFileSync(file, JSON.stringify({ ...v1, manifestSha256: createHash('sha256').update(canonicalJson(v1, 'manifest')).digest('hex') }));
      await expect(readCheckpoint(path)).rejects.toThrow(CheckpointError);
      await expect(readCheckpoint(path)).rejects.toThrow(/format version 1, which keys weights and optimizer slots by tfjs variable names.*reads format version 2, keyed by parameter path/);
    });

    it('no checkpoint, or a dangling latest pointer', async () => {
      await expect(readCheckpoint(join(root, 'nothing-here'))).rejects.toThrow(CheckpointError);
      const path = await fresh('dangling');
      rmSync(path, { recursive: true });
      await expect(readCheckpoint(join(root, 'dangling'))).rejects.toThrow(/points to/);
    });
  });
});

describe('restoreVariables', () => {
  it('assigns all variables when names, shapes and dtypes match', () => {
    const a = tf.variable(tf.zeros([2]), true, 'rv/a');
    const weights = { 'rv/a': tf.tensor1d([1, 2]) };
    restoreVariables(new Map([['rv.a', a]]), { 'rv.a': weights['rv/a'] });
    expect(Array.from(a.dataSync())).toEqual([1, 2]);
    weights['rv/a'].dispose();
    expect(Array.from(a.dataSync())).toEqual([1, 2]); // the variable keeps its own reference
    a.dispose();
  });

  it('refuses different names or shapes, naming them, and changes nothing', () => {
    const a = tf.variable(tf.zeros([2]), true, 'rv2/a');
    const b = tf.variable(tf.zeros([2, 2]), true, 'rv2/b');
    const shapes = { 'rv2/a': tf.ones([2]), 'rv2/b': tf.ones([4]) };
    const paths = new Map([['rv2/a', a], ['rv2/b', b]]);
    expect(() => restoreVariables(paths, shapes)).toThrow(CheckpointError);
    expect(() => restoreVariables(paths, shapes)).toThrow(/different shape or dtype: rv2\/b/);
    const names = { 'rv2/a': tf.ones([2]), 'rv2/c': tf.ones([2, 2]) };
    expect(() => restoreVariables(paths, names)).toThrow(/missing in the checkpoint: rv2\/b \| not in the model: rv2\/c/);
    expect(Array.from(a.dataSync())).toEqual([0, 0]);
    expect(Array.from(b.dataSync())).toEqual([0, 0, 0, 0]);
    [...Object.values(shapes), ...Object.values(names), a, b].forEach((t) => t.dispose());
  });
});

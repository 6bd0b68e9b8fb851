/** A full disk during a checkpoint write (ENOSPC, simulated by a failpoint) leaves the previous checkpoint intact. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { CheckpointError, Rng } from '@contrastive/core';
import { latestCheckpoint, readCheckpoint, saveCheckpoint, type CheckpointContents } from './checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-enospc-'));
let w: tf.Variable;
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  w = tf.variable(tf.tensor(Rng.fromSeed(5).normalArray(4), [4]), true, 'enospc/w');
});
afterAll(() => {
  w.dispose();
  rmSync(root, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env['CONTRASTIVE_FAILPOINT'];
});

const contents = (step: number): CheckpointContents => ({
  step,
  epoch: 0,
  fingerprint: 'e'.repeat(64),
  rng: Rng.fromSeed(step).state(),
  variables: new Map([['w', w]]),
  optimizer: { tensors: {}, meta: {} },
  strategy: { tensors: {}, meta: {} },
});

describe('saveCheckpoint on a full disk', () => {
  it('throws a CheckpointError that says the disk is full and the previous checkpoint is kept; nothing else changes', async () => {
    const first = await saveCheckpoint(root, contents(1));
    const before = readdirSync(root).sort();
    process.env['CONTRASTIVE_FAILPOINT'] = 'checkpoint.write-file:2:enospc';
    const error = await saveCheckpoint(root, contents(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ argument: 'root', received: root });
    expect((error as Error).message).toMatch(/disk is full \(ENOSPC\).*still names the previous complete checkpoint/);
    expect((error as Error & { cause: { code: string } }).cause.code).toBe('ENOSPC');
    expect(readdirSync(root).sort()).toEqual(before); // no .tmp-* left, no new step
    expect(await latestCheckpoint(root)).toBe(first);
    const loaded = await readCheckpoint(root);
    expect(loaded.manifest.step).toBe(1);
    loaded.dispose();
  });
});

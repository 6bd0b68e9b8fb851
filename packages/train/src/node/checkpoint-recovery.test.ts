import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { CheckpointError, Rng } from '@contrastive/core';
import { latestCheckpoint, readCheckpoint, saveCheckpoint, type CheckpointContents } from '../checkpoint.js';
import { findResumableCheckpoint, listCheckpoints, recoverCheckpointRoot } from './checkpoint-recovery.js';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

let w: tf.Variable;
beforeAll(() => {
  w = tf.variable(tf.tensor(Rng.fromSeed(3).normalArray(6), [2, 3]), true, 'recovery/w');
});
afterAll(() => w.dispose());
const contents = (step: number): CheckpointContents => ({
  step,
  epoch: 0,
  fingerprint: 'f'.repeat(64),
  rng: Rng.fromSeed(step).state(),
  variables: new Map([['layer.w', w]]),
  optimizer: { tensors: {}, meta: {} },
  strategy: { tensors: {}, meta: {} },
});

/** The pid of a process that has exited (so its leftovers count as stale). */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

describe('recoverCheckpointRoot', () => {
  it('a kill between the two renames of a rewrite: latest names a missing directory; recovery puts the complete copy back', async () => {
    const dir = join(root, 'between-renames');
    await saveCheckpoint(dir, contents(1));
    const two = await saveCheckpoint(dir, contents(2));
    // The state a SIGKILL leaves between `rename(final, old)` and `rename(tmp, final)`.
    const pid = deadPid();
    renameSync(two, join(dir, `.old-step-000000002-${pid}-abcdef12`));
    mkdirSync(join(dir, `.tmp-step-000000002-${pid}-abcdef12`));
    writeFileSync(join(dir, `.tmp-step-000000002-${pid}-abcdef12`, 'weights.bin'), 'partial');
    // Before the fix this was the end of the run: resuming threw.
    await expect(latestCheckpoint(dir)).rejects.toThrow(/holds no manifest/);

    const report = await recoverCheckpointRoot(dir);
    expect(report.restored).toEqual([two]);
    expect(report.removed).toEqual([join(dir, `.tmp-step-000000002-${pid}-abcdef12`)]);
    expect(readdirSync(dir).sort()).toEqual(['latest', 'step-000000001', 'step-000000002']);
    const loaded = await readCheckpoint(dir);
    expect(loaded.manifest.step).toBe(2);
    loaded.dispose();
  });

  it('leaves the directories of a live writer alone and removes stale .tmp-* / .old-* of dead ones', async () => {
    const dir = join(root, 'stale');
    await saveCheckpoint(dir, contents(4));
    const live = `.tmp-step-000000005-${process.ppid}-0000beef`;
    const dead = `.old-step-000000003-${deadPid()}-0000dead`;
    mkdirSync(join(dir, live));
    mkdirSync(join(dir, dead));
    const report = await recoverCheckpointRoot(dir);
    expect(report).toEqual({ restored: [], removed: [join(dir, dead)] });
    expect(existsSync(join(dir, live))).toBe(true);
  });
});

describe('findResumableCheckpoint', () => {
  it('refuses a corrupt latest checkpoint, and with fallback resumes from the newest complete earlier one', async () => {
    const dir = join(root, 'fallback');
    await saveCheckpoint(dir, contents(1), { keep: 0 });
    await saveCheckpoint(dir, contents(2), { keep: 0 });
    const three = await saveCheckpoint(dir, contents(3), { keep: 0 });
    writeFileSync(join(three, 'weights.bin'), 'corrupted');
    expect(await listCheckpoints(dir)).toEqual([three, join(dir, 'step-000000002'), join(dir, 'step-000000001')]);
    await expect(findResumableCheckpoint(dir)).rejects.toBeInstanceOf(CheckpointError);
    const found = await findResumableCheckpoint(dir, { fallback: true });
    expect(found.path).toBe(join(dir, 'step-000000002'));
    expect(found.skipped.map((s) => s.path)).toEqual([join(dir, 'latest'), three]);
    expect(found.skipped[0]?.reason).toMatch(/weights\.bin/);
  });

  it('no checkpoint at all: null; only broken ones with fallback: a CheckpointError naming --resume', async () => {
    expect(await findResumableCheckpoint(join(root, 'none'))).toEqual({ path: null, skipped: [] });
    const dir = join(root, 'all-broken');
    const one = await saveCheckpoint(dir, contents(1));
    writeFileSync(join(one, 'manifest.json'), '{');
    await expect(findResumableCheckpoint(dir, { fallback: true })).rejects.toMatchObject({ code: 'CHECKPOINT', argument: '--resume' });
  });
});

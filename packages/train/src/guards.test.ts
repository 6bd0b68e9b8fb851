// Guards: a non-finite loss stops (or skips) the step and never reaches the weights or a
// checkpoint; the number of live tensors stays flat over hundreds of steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { NonFiniteError } from '@contrastive/core';
import { Trainer, train } from './trainer.js';
import { readCheckpoint } from './checkpoint.js';
import { sgd } from './sgd.js';
import { adamw } from './adamw.js';
import { snapshot, toyData, toyStrategy } from '../test/toy-strategy.js';

const root = mkdtempSync(join(tmpdir(), 'guards-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const allFinite = (w: Record<string, number[]>): boolean => Object.values(w).every((vs) => vs.every(Number.isFinite));

describe('non-finite guard', () => {
  it("throws NonFiniteError naming the step, without applying it, and never checkpoints it ('throw')", async () => {
    const strategy = toyStrategy({ prefix: 'nan-throw', queueSize: 7 });
    const vars = [...strategy.trainableVariables, ...strategy.nonTrainableVariables];
    const dir = join(root, 'throw');
    let afterStep3: Record<string, number[]> = {};
    const error = await train({
      strategy,
      data: toyData({ poison: new Set(['0:3']) }), // the 4th batch of epoch 0 is all NaN
      epochs: 2,
      optimizer: sgd({ momentum: 0.9 }),
      learningRate: 0.1,
      progress: false,
      checkpoint: { dir, everySteps: 1 },
      callbacks: {
        onStepEnd: (info) => {
          if (info.step === 3) afterStep3 = snapshot(vars);
        },
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/non-finite loss NaN at step 4 \(epoch 0, batch 4\)/);
    expect(snapshot(vars)).toEqual(afterStep3); // the bad update was not applied
    expect(readdirSync(dir).filter((n) => n.startsWith('step-'))).toEqual(['step-000000001', 'step-000000002', 'step-000000003']);
    const loaded = await readCheckpoint(dir);
    expect(loaded.manifest.step).toBe(3);
    expect(Object.values(loaded.weights).every((t) => Array.from(t.dataSync()).every(Number.isFinite))).toBe(true);
    loaded.dispose();
    strategy.dispose();
  });

  it("skips non-finite steps with onNonFinite: 'skip', keeping weights, queue and checkpoint finite", async () => {
    const strategy = toyStrategy({ prefix: 'nan-skip', queueSize: 7 });
    const dir = join(root, 'skip');
    const log = join(root, 'skip.jsonl');
    const trainer = new Trainer({
      strategy,
      data: toyData({ poison: new Set(['0:1', '1:4']) }),
      epochs: 2,
      optimizer: adamw(),
      learningRate: 0.01,
      progress: false,
      onNonFinite: 'skip',
      checkpoint: { dir },
      metricsLog: log,
    });
    const summary = await trainer.run();
    expect(summary).toMatchObject({ steps: 10, skippedSteps: 2 });
    expect(allFinite(snapshot([...strategy.trainableVariables, ...strategy.nonTrainableVariables]))).toBe(true);
    expect(Array.from(trainer.strategyState.queue?.keys.dataSync() ?? []).every(Number.isFinite)).toBe(true);
    const records = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; skipped: boolean; loss: number | null });
    expect(records.filter((r) => r.type === 'step' && r.skipped).map((r) => [r.step, r.loss])).toEqual([[2, null], [10, null]]);
    const loaded = await readCheckpoint(dir);
    expect(loaded.manifest.step).toBe(10);
    loaded.dispose();
    trainer.dispose();
    strategy.dispose();
  });

  it('refuses to write a checkpoint holding NaN weights', async () => {
    const strategy = toyStrategy({ prefix: 'nan-weights' });
    const dir = join(root, 'nan-weights');
    const w1 = strategy.trainableVariables[0] as tf.Variable;
    await expect(
      train({
        strategy,
        data: toyData(),
        epochs: 1,
        optimizer: sgd(),
        learningRate: 0.1,
        progress: false,
        checkpoint: { dir, everySteps: 2 },
        callbacks: {
          // Something outside the trainer corrupts a weight after step 2.
          onStepEnd: (info) => {
            if (info.step === 2) w1.assign(tf.fill(w1.shape, Number.NaN));
          },
        },
      }),
    ).rejects.toThrow(/weights tensor 'nan-weights\.w1' holds NaN/);
    expect(existsSync(join(dir, 'step-000000002'))).toBe(false);
    expect(existsSync(join(dir, 'latest'))).toBe(false);
    strategy.dispose();
  });
});

describe('memory', () => {
  it('keeps the tensor count flat over 300 steps (momentum queue, clipping, checkpoints) and frees everything on dispose', async () => {
    const strategy = toyStrategy({ prefix: 'flat', queueSize: 7 });
    const baseline = tf.memory().numTensors;
    const counts: number[] = [];
    const trainer = new Trainer({
      strategy,
      data: toyData(),
      epochs: 60, // 5 steps per epoch
      optimizer: sgd({ momentum: 0.9, weightDecay: 1e-4 }),
      learningRate: 0.05,
      clipGradNorm: 1,
      progress: false,
      checkpoint: { dir: join(root, 'flat'), everySteps: 100 },
      callbacks: { onStepEnd: () => void counts.push(tf.memory().numTensors) },
    });
    const summary = await trainer.run();
    expect(summary.steps).toBe(300);
    expect(new Set(counts)).toEqual(new Set([counts[0]])); // identical after every step
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    strategy.dispose();
  });
});

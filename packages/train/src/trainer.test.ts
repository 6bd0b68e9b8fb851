import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, type Batch } from '@contrastive/core';
import { Trainer, train, type EpochInfo, type StepInfo } from './trainer.js';
import { adamw } from './adamw.js';
import { sgd } from './sgd.js';
import { warmupCosine } from './schedule.js';
import { snapshot, toyData, toyStrategy } from '../test/toy-strategy.js';

const dir = mkdtempSync(join(tmpdir(), 'trainer-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('Trainer', () => {
  it('lowers the loss of a tiny in-batch strategy (AdamW)', async () => {
    const strategy = toyStrategy({ prefix: 'decrease' });
    const epochs: EpochInfo[] = [];
    const summary = await train({
      strategy,
      // Distinct points in a fixed batch order, so epoch means are comparable.
      data: toyData({ clusters: 24, fixedOrder: true }),
      epochs: 12,
      optimizer: adamw({ weightDecay: 0 }),
      learningRate: 0.02,
      seed: 3,
      progress: false,
      callbacks: { onEpochEnd: (info) => void epochs.push(info) },
    });
    expect(summary.steps).toBe(12 * 5);
    expect(summary.epochsCompleted).toBe(12);
    const first = epochs[0]?.meanLoss as number;
    const last = epochs.at(-1)?.meanLoss as number;
    expect(last).toBeLessThan(first * 0.7);
    strategy.dispose();
  });

  it('calls the callbacks, follows the schedule and logs one JSONL record per step and epoch', async () => {
    const strategy = toyStrategy({ prefix: 'callbacks', queueSize: 7 });
    const steps: StepInfo[] = [];
    const epochEnds: number[] = [];
    const schedule = warmupCosine({ baseLr: 0.1, warmupSteps: 3, totalSteps: 15 });
    const log = join(dir, 'callbacks', 'metrics.jsonl');
    const summary = await train({
      strategy,
      data: toyData(), // 24 samples, batches of 5: 4 full + a short one per epoch
      epochs: 3,
      optimizer: sgd({ momentum: 0.9 }),
      learningRate: schedule,
      clipGradNorm: 5,
      metricsLog: log,
      progress: false,
      callbacks: {
        onStepEnd: (info) => void steps.push(info),
        onEpochEnd: async (info) => {
          await Promise.resolve();
          epochEnds.push(info.epoch);
        },
      },
    });
    expect(summary).toMatchObject({ steps: 15, epochsCompleted: 3, stopped: false, skippedSteps: 0, lastCheckpoint: null, resumedFrom: null });
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(steps.map((s) => s.stepInEpoch)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    expect(steps.map((s) => s.batchSize)).toEqual([5, 5, 5, 5, 4, 5, 5, 5, 5, 4, 5, 5, 5, 5, 4]);
    expect(steps.map((s) => s.learningRate)).toEqual(Array.from({ length: 15 }, (_, i) => schedule(i)));
    steps.forEach((s) => {
      expect(Number.isFinite(s.loss) && Number.isFinite(s.gradNorm) && s.imagesPerSecond > 0).toBe(true);
      expect(s.skipped).toBe(false);
    });
    expect(epochEnds).toEqual([0, 1, 2]);
    const records = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r['type'] === 'step')).toHaveLength(15);
    expect(records.filter((r) => r['type'] === 'epoch').map((r) => r['epoch'])).toEqual([0, 1, 2]);
    expect(records[0]).toMatchObject({ type: 'step', step: 1, epoch: 0, learningRate: schedule(0), skipped: false });
    strategy.dispose();
  });

  it('stops when shouldStop says so', async () => {
    const strategy = toyStrategy({ prefix: 'stop' });
    const summary = await train({
      strategy,
      data: toyData(),
      epochs: 5,
      optimizer: sgd(),
      learningRate: 0.05,
      progress: false,
      callbacks: { shouldStop: (info) => info.step === 7 },
    });
    expect(summary).toMatchObject({ steps: 7, epochsCompleted: 1, stopped: true });
    strategy.dispose();
  });

  it('accepts a re-iterable array and an async generator function as data; refuses a one-shot generator for several epochs', async () => {
    const strategy = toyStrategy({ prefix: 'sources' });
    const gen = toyData();
    const fixed = [...gen(0)];
    const before = snapshot(strategy.trainableVariables);
    const a = await train({ strategy, data: fixed, epochs: 2, optimizer: sgd(), learningRate: 0.05, progress: false, disposeBatches: false });
    expect(a.steps).toBe(10);
    expect(snapshot(strategy.trainableVariables)).not.toEqual(before);
    fixed.forEach((b) => b.images.dispose());
    const asyncData = async function* (epoch: number): AsyncGenerator<Batch> {
      for (const b of gen(epoch)) yield await Promise.resolve(b);
    };
    const b = await train({ strategy, data: asyncData, epochs: 2, optimizer: sgd(), learningRate: 0.05, progress: false });
    expect(b.steps).toBe(10);
    await expect(train({ strategy, data: gen(0), epochs: 2, optimizer: sgd(), learningRate: 0.05, progress: false })).rejects.toThrow(/one-shot/);
    strategy.dispose();
  });

  it('draws a progress bar when asked to', async () => {
    const strategy = toyStrategy({ prefix: 'progress' });
    let text = '';
    const stream = new Writable({
      write(chunk, _e, cb) {
        text += String(chunk);
        cb();
      },
    });
    await train({ strategy, data: toyData(), epochs: 1, optimizer: sgd(), learningRate: 0.05, progress: { stream, show: true }, stepsPerEpoch: 5 });
    expect(text).toMatch(/epoch 1\/1 .* 5\/5 \| loss [\d.]+ \| lr 0\.05000 \| [\d.e+]+ img\/s/);
    strategy.dispose();
  });

  it('rejects bad options, naming them', () => {
    const strategy = toyStrategy({ prefix: 'bad' });
    const base = { strategy, data: toyData(), epochs: 1, optimizer: sgd(), learningRate: 0.1 };
    expect(() => new Trainer({ ...base, epochs: 0 })).toThrow(/options\.epochs/);
    expect(() => new Trainer({ ...base, learningRate: -1 })).toThrow(/options\.learningRate/);
    expect(() => new Trainer({ ...base, clipGradNorm: 0 })).toThrow(/options\.clipGradNorm/);
    expect(() => new Trainer({ ...base, onNonFinite: 'ignore' as 'skip' })).toThrow(/options\.onNonFinite/);
    expect(() => new Trainer({ ...base, resume: 'latest' })).toThrow(/options\.resume/);
    expect(() => new Trainer({ ...base, checkpoint: { dir: '', everySteps: 1 } })).toThrow(/options\.checkpoint\.dir/);
    expect(() => new Trainer({ ...base, checkpoint: { dir: 'x', everySteps: 0 } })).toThrow(/options\.checkpoint\.everySteps/);
    expect(() => new Trainer({ ...base, data: 42 as unknown as Batch[] })).toThrow(/options\.data/);
    expect(() => new Trainer({ ...base, optimizer: {} as ReturnType<typeof sgd> })).toThrow(ArgumentError);
    strategy.dispose();
  });

  it('refuses a malformed batch', async () => {
    const strategy = toyStrategy({ prefix: 'badbatch' });
    const labels = tf.tensor1d([1, 2, 3], 'int32');
    const images = tf.zeros([2, 6]);
    await expect(
      train({ strategy, data: [{ images, labels } as Batch], epochs: 1, optimizer: sgd(), learningRate: 0.1, progress: false }),
    ).rejects.toThrow(/batch\.labels/);
    expect(images.isDisposed).toBe(true); // the trainer owned the batch
    strategy.dispose();
  });

  it('an afterStep that throws leaves the trainer holding the applied optimizer state: dispose frees it', async () => {
    const inner = toyStrategy({ prefix: 'after-throws', queueSize: 7 });
    const strategy = { ...inner, afterStep: (...args: Parameters<typeof inner.afterStep>) => {
      if (args[3] === 1) throw new Error('afterStep failed');
      return inner.afterStep(...args);
    } };
    const before = tf.memory().numTensors;
    const trainer = new Trainer({ strategy, data: toyData(), epochs: 1, optimizer: sgd({ momentum: 0.9 }), learningRate: 0.1, progress: false });
    await expect(trainer.run()).rejects.toThrow('afterStep failed');
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    inner.dispose();
  });
});

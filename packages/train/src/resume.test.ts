// Resume equivalence: a run stopped after step k and resumed from its checkpoint ends with
// bit-identical weights, optimizer slots, momentum queue and rng to an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { CheckpointError } from '@contrastive/core';
import { Trainer, type TrainerOptions } from './trainer.js';
import { memoryCheckpointStore } from './checkpoint-store.js';
import { adamw } from './adamw.js';
import { lars } from './lars.js';
import { sgd } from './sgd.js';
import { warmupCosine } from './schedule.js';
import type { Optimizer } from './optimizer.js';
import { snapshot, toyData, toyStrategy, type ToyOptions, type ToyState } from '../test/toy-strategy.js';

const root = mkdtempSync(join(tmpdir(), 'resume-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const EPOCHS = 3; // 5 batches per epoch (the last one short): 15 steps
const OPTIMIZERS: Record<string, () => Optimizer> = {
  'sgd (nesterov, L2 decay)': () => sgd({ momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  lars: () => lars({ weightDecay: 1e-4 }),
  adamw: () => adamw({ weightDecay: 0.01 }),
};

interface Outcome {
  readonly weights: Record<string, number[]>;
  readonly queue: number[];
  readonly pointer: number;
  readonly slots: Record<string, number[]>;
  readonly rng: unknown;
  readonly step: number;
}

type Extra = Partial<TrainerOptions<ToyState>>;

/** Trains a fresh toy MoCo-like strategy (momentum queue of 7 keys, not a multiple of 5). */
async function trainToy(optimizer: () => Optimizer, extra: Extra = {}, toy: ToyOptions = {}): Promise<Outcome> {
  const strategy = toyStrategy({ prefix: 'resume', queueSize: 7, ...toy });
  const trainer = new Trainer<ToyState>({
    strategy,
    data: toyData(),
    epochs: EPOCHS,
    optimizer: optimizer(),
    learningRate: warmupCosine({ baseLr: 0.05, warmupSteps: 4, totalSteps: 15 }),
    clipGradNorm: 2,
    seed: 11,
    progress: false,
    ...extra,
  });
  try {
    await trainer.run();
    const q = trainer.strategyState.queue;
    const slots: Record<string, number[]> = {};
    for (const [v, s] of Object.entries(trainer.optimizerState.slots)) for (const [k, t] of Object.entries(s)) slots[`${v}/${k}`] = Array.from(t.dataSync());
    return {
      weights: snapshot([...strategy.trainableVariables, ...strategy.nonTrainableVariables]),
      queue: q === null ? [] : Array.from(q.keys.dataSync()),
      pointer: q?.pointer ?? -1,
      slots,
      rng: trainer.rngState(),
      step: trainer.step,
    };
  } finally {
    trainer.dispose();
    strategy.dispose();
  }
}

function expectIdentical(a: Outcome, b: Outcome): void {
  expect(b.step).toBe(a.step);
  expect(Object.keys(b.weights).sort()).toEqual(Object.keys(a.weights).sort());
  for (const name of Object.keys(a.weights)) expect(b.weights[name], name).toEqual(a.weights[name]); // exact equality of float32 values
  expect(b.queue).toEqual(a.queue);
  expect(b.pointer).toBe(a.pointer);
  expect(b.slots).toEqual(a.slots);
  expect(b.rng).toEqual(a.rng);
}

describe('resume', () => {
  for (const [name, optimizer] of Object.entries(OPTIMIZERS)) {
    it(`${name}: stopped after step k and resumed, reaches bit-identical weights, slots, queue and rng`, async () => {
      const reference = await trainToy(optimizer);
      expect(reference.step).toBe(15);
      for (const k of [3, 5, 12]) {
        const dir = join(root, `${name.split(' ')[0]}-${k}`);
        await trainToy(optimizer, { checkpoint: { dir }, callbacks: { shouldStop: (info) => info.step === k } });
        // A different initial seed: everything must come from the checkpoint.
        const resumed = await trainToy(optimizer, { checkpoint: { dir }, resume: 'latest' }, { seed: 99 });
        expectIdentical(reference, resumed);
      }
    });
  }

  it('resumes bit for bit from a memoryCheckpointStore (the browser path: no file system)', async () => {
    const optimizer = OPTIMIZERS['adamw'] as () => Optimizer;
    const reference = await trainToy(optimizer);
    const store = memoryCheckpointStore();
    await trainToy(optimizer, { checkpoint: { dir: store }, callbacks: { shouldStop: (info) => info.step === 7 } });
    expect(await store.readLatest()).toBe('step-000000007');
    const resumed = await trainToy(optimizer, { checkpoint: { dir: store }, resume: 'latest' }, { seed: 99 });
    expectIdentical(reference, resumed);
  });

  it('resumes from a periodic checkpoint (everySteps) given by path', async () => {
    const optimizer = OPTIMIZERS['sgd (nesterov, L2 decay)'] as () => Optimizer;
    const dir = join(root, 'periodic');
    const reference = await trainToy(optimizer, { checkpoint: { dir, everySteps: 4, keep: 0 } });
    const resumed = await trainToy(optimizer, { checkpoint: { dir: join(root, 'periodic-2') }, resume: join(dir, 'step-000000008') }, { seed: 5 });
    expectIdentical(reference, resumed);
    // A finished run's final checkpoint resumes to a no-op.
    const again = await trainToy(optimizer, { checkpoint: { dir }, resume: 'latest' }, { seed: 6 });
    expectIdentical(reference, again);
  });

  describe('refuses a mismatched or corrupt checkpoint with CheckpointError and changes nothing', () => {
    const optimizer = OPTIMIZERS['sgd (nesterov, L2 decay)'] as () => Optimizer;
    const dir = join(root, 'mismatch');
    beforeAll(async () => {
      await trainToy(optimizer, { checkpoint: { dir }, callbacks: { shouldStop: (info) => info.step === 6 } });
    });

    async function expectRefused(extra: Extra, toy: ToyOptions, message: RegExp): Promise<void> {
      const strategy = toyStrategy({ prefix: 'resume', queueSize: 7, seed: 42, ...toy });
      const trainer = new Trainer<ToyState>({
        strategy,
        data: toyData(),
        epochs: EPOCHS,
        optimizer: optimizer(),
        learningRate: warmupCosine({ baseLr: 0.05, warmupSteps: 4, totalSteps: 15 }),
        clipGradNorm: 2,
        seed: 11,
        progress: false,
        checkpoint: { dir },
        ...extra,
      });
      const weights = snapshot([...strategy.trainableVariables, ...strategy.nonTrainableVariables]);
      const tensors = tf.memory().numTensors;
      const error = await trainer.restore(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(message);
      expect(snapshot([...strategy.trainableVariables, ...strategy.nonTrainableVariables])).toEqual(weights);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(trainer.step).toBe(0);
      trainer.dispose();
      strategy.dispose();
    }

    it('a different config fingerprint', async () => {
      await expectRefused({ config: { note: 'another run' } }, {}, /another configuration/);
      await expectRefused({ clipGradNorm: 3 }, {}, /another configuration/);
    });

    it('different variable shapes or names', async () => {
      await expectRefused({}, { hidden: 9 }, /different shape or dtype: resume\.w1/);
      await expectRefused({}, { prefix: 'renamed' }, /missing in the checkpoint: renamed\.w1/);
    });

    it('a strategy state of another size', async () => {
      await expectRefused({}, { queueSize: 9 }, /meta\.size = 9/);
    });

    it('a corrupt file, through run()', async () => {
      const path = join(dir, 'step-000000006', 'strategy.bin');
      const original = readFileSync(path);
      const bytes = Buffer.from(original);
      bytes[0] = (bytes[0] as number) ^ 0xff;
      writeFileSync(path, bytes);
      const strategy = toyStrategy({ prefix: 'resume', queueSize: 7 });
      await expect(
        new Trainer({ strategy, data: toyData(), epochs: 1, optimizer: optimizer(), learningRate: 0.1, progress: false, checkpoint: { dir }, resume: 'latest' }).run(),
      ).rejects.toThrow(/strategy\.bin is corrupt/);
      writeFileSync(path, original);
      await expect(
        new Trainer({ strategy, data: toyData(), epochs: 1, optimizer: optimizer(), learningRate: 0.1, progress: false, resume: join(root, 'does-not-exist') }).run(),
      ).rejects.toThrow(CheckpointError);
      strategy.dispose();
    });
  });
});

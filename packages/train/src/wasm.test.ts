// The trainer, all three optimizers and a checkpoint round trip on the wasm engine (the
// kernels they use exist there; no tf.gather gradient is needed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { Trainer } from './trainer.js';
import { adamw } from './adamw.js';
import { lars } from './lars.js';
import { sgd } from './sgd.js';
import { snapshot, toyData, toyStrategy, type ToyState } from '../test/toy-strategy.js';

const root = mkdtempSync(join(tmpdir(), 'wasm-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('trainer on wasm', () => {
  for (const [name, make] of [['sgd', () => sgd({ nesterov: true, weightDecay: 1e-4 })], ['lars', () => lars()], ['adamw', () => adamw()]] as const) {
    it(`trains, checkpoints and resumes with ${name}`, async () => {
      expect(tf.getBackend()).toBe('wasm');
      const dir = join(root, name);
      const run = async (extra: object, seed: number) => {
        const strategy = toyStrategy({ prefix: `wasm-${name}`, queueSize: 7, seed });
        const trainer = new Trainer<ToyState>({ strategy, data: toyData(), epochs: 2, optimizer: make(), learningRate: 0.05, progress: false, ...extra });
        await trainer.run();
        const w = snapshot([...strategy.trainableVariables, ...strategy.nonTrainableVariables]);
        trainer.dispose();
        strategy.dispose();
        return w;
      };
      const reference = await run({}, 1);
      await run({ checkpoint: { dir }, callbacks: { shouldStop: (i: { step: number }) => i.step === 6 } }, 1);
      const resumed = await run({ checkpoint: { dir }, resume: 'latest' }, 2);
      expect(resumed).toEqual(reference);
      expect(Object.values(reference).flat().every(Number.isFinite)).toBe(true);
    });
  }
});

/**
 * `onNonFinite: 'skip'` on a real strategy whose weights diverge (SGD at lr 1e30): the
 * non-finite value surfaces inside the forward pass (the loss's own check of its embeddings),
 * which must skip the step like a non-finite loss does, and a skipped step must leave the
 * BatchNorm running statistics as they were (else every later inference output is NaN).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { NonFiniteError, Rng, type Batch } from '@contrastive/core';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import { sgd } from './sgd.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function data(epoch: number): Iterable<Batch> {
  const rng = Rng.fromSeed(70 + epoch);
  return [0, 1, 2].map((b) => ({ images: tf.tensor4d(rng.uniformArray(4 * 8 * 8 * 3, 0, 1), [4, 8, 8, 3]), indices: Int32Array.from({ length: 4 }, (_, i) => b * 4 + i) }));
}

function build(validate: boolean) {
  const encoder = convNet({ widths: [4], inputShape: [8, 8, 3], seed: 1 });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 8, outputDim: 4, seed: 2 });
  const strategy = simclr({ encoder, head, temperature: 0.5, validate });
  return { encoder, strategy, dispose: () => [encoder, head].forEach((m) => m.dispose()) };
}

const stats = (encoder: ReturnType<typeof convNet>): number[] =>
  encoder
    .namedVariables()
    .filter(({ path }) => path.includes('moving'))
    .flatMap(({ variable }) => Array.from(variable.dataSync()));

describe("onNonFinite: 'skip' with diverging weights", () => {
  let parts: ReturnType<typeof build>;
  afterAll(() => parts?.dispose());

  it('skips every non-finite step (none throws), keeps BatchNorm statistics finite and inference finite', async () => {
    parts = build(true);
    const trainer = new Trainer({ strategy: parts.strategy as never, data, epochs: 2, optimizer: sgd(), learningRate: 1e30, seed: 1, progress: false, onNonFinite: 'skip' });
    const summary = await trainer.run();
    expect(summary.steps).toBe(6);
    expect(summary.skippedSteps).toBeGreaterThan(0);
    const running = stats(parts.encoder);
    expect(running.length).toBeGreaterThan(0);
    expect(running.every(Number.isFinite)).toBe(true);
    trainer.dispose();
  });

  it('a skipped step puts the BatchNorm running statistics back (no value checks: the loss itself is NaN)', async () => {
    const p = build(false);
    let afterFirst: number[] = [];
    const trainer = new Trainer({
      strategy: p.strategy as never,
      data,
      epochs: 2,
      optimizer: sgd(),
      learningRate: 1e30,
      seed: 1,
      progress: false,
      onNonFinite: 'skip',
      callbacks: { onStepEnd: (s) => void (s.step === 1 ? (afterFirst = stats(p.encoder)) : undefined) },
    });
    const summary = await trainer.run();
    expect(summary.skippedSteps).toBeGreaterThan(0);
    expect(afterFirst.every(Number.isFinite)).toBe(true);
    expect(stats(p.encoder).every(Number.isFinite)).toBe(true);
    trainer.dispose();
    p.dispose();
  });

  it("with 'throw', the forward pass's NonFiniteError names the step", async () => {
    const p = build(true);
    const trainer = new Trainer({ strategy: p.strategy as never, data, epochs: 2, optimizer: sgd(), learningRate: 1e30, seed: 1, progress: false });
    const error = await trainer.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/^Trainer: non-finite .* at step \d+ \(epoch \d+, batch \d+\)/);
    trainer.dispose();
    p.dispose();
  });
});

/**
 * Fixtures of the gradient-cache tests: a tiny SimCLR strategy (small ConvNet with or without
 * BatchNorm, SimCLR v1 MLP head, NT-Xent) whose augmenter counts its calls, seeded images, and
 * comparisons of gradient maps.
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Batch, type ViewAugmenter } from '@contrastive/core';
import { simclr as simclrAugment } from '@contrastive/augment';
import { convNet, type GraphEncoder } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr, type ComposedState } from '@contrastive/strategies';
import type { Strategy } from '@contrastive/core';

export const SIZE = 8;

export interface TinySimclr {
  readonly strategy: Strategy<ComposedState<never>>;
  readonly encoder: GraphEncoder;
  /** Calls of the augmenter so far. */
  augmentCalls(): number;
  /** The views of the last augmenter call (copies). */
  lastViews(): Float32Array[];
  dispose(): void;
}

/** SimCLR on a ConvNet (widths 4-6) + MLP head (6-6-4), 8x8 RGB inputs, counting augmenter. */
export function tinySimclr(options: { readonly batchNorm: boolean; readonly seed?: number }): TinySimclr {
  const seed = options.seed ?? 0;
  const encoder = convNet({ widths: [4, 6], batchNorm: options.batchNorm, inputShape: [SIZE, SIZE, 3], seed });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 6, outputDim: 4, seed: seed + 1 });
  const inner = simclrAugment({ size: SIZE, strength: 0.5, blur: false });
  let calls = 0;
  let last: Float32Array[] = [];
  const augment: ViewAugmenter = {
    name: 'counting-simclr',
    numViews: inner.numViews,
    apply(images, rng) {
      calls++;
      const views = inner.apply(images, rng);
      last = views.map((v) => v.dataSync().slice() as Float32Array);
      return views;
    },
  };
  // validate: the loss checks its inputs (a test relies on NT-Xent refusing a zero row under the tape).
  const strategy = simclr({ encoder, head, augment, temperature: 0.5, validate: true });
  return {
    strategy,
    encoder,
    augmentCalls: () => calls,
    lastViews: () => last,
    dispose() {
      encoder.dispose();
      head.dispose();
    },
  };
}

/** A batch of `b` seeded images in [0, 1]. */
export function imageBatch(b: number, seed: number): Batch {
  const rng = Rng.fromSeed(seed);
  const n = b * SIZE * SIZE * 3;
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.next();
  return { images: tf.tensor4d(values, [b, SIZE, SIZE, 3]) };
}

/** Values of every variable, by name. */
export function readVariables(vars: readonly tf.Variable[]): Record<string, Float32Array> {
  return Object.fromEntries(vars.map((v) => [v.name, v.dataSync().slice() as Float32Array]));
}

/** Assigns saved values back. */
export function writeVariables(vars: readonly tf.Variable[], values: Record<string, Float32Array>): void {
  for (const v of vars) v.assign(tf.tensor(values[v.name] as Float32Array, v.shape, v.dtype));
}

/** Largest |x|. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] as number));
  return m;
}

/**
 * Same variables, and every gradient within float32 accumulation error of the reference:
 * |a - b| <= rtol * max|b| (per variable) + atol.
 */
export function expectGradsClose(actual: Record<string, tf.Tensor>, expected: Record<string, tf.Tensor>, rtol = 2e-4, atol = 1e-6): number {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  let worst = 0;
  for (const [name, e] of Object.entries(expected)) {
    const a = (actual[name] as tf.Tensor).dataSync();
    const b = e.dataSync();
    expect(a.length).toBe(b.length);
    const scale = maxAbs(b);
    for (let i = 0; i < b.length; i++) {
      const err = Math.abs((a[i] as number) - (b[i] as number));
      worst = Math.max(worst, err / (scale + 1e-12));
      if (err > rtol * scale + atol) {
        throw new Error(`gradient of ${name}[${i}]: ${a[i]} vs full-batch ${b[i]} (|diff| ${err}, scale ${scale})`);
      }
    }
  }
  return worst;
}

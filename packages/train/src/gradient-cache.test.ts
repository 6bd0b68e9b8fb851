// Gradient cache (Gao et al. 2021): equality with the full-batch step for a BatchNorm-free
// encoder, views drawn once and replayed, BatchNorm statistics updated once per chunk, leaks, and
// bad input. The reference is the plain full-batch step (computeLossAndGradients).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng, ShapeError, type Batch, type StepAux, type Strategy } from '@contrastive/core';
import { computeLossAndGradientsCached, planChunks } from './gradient-cache.js';
import { computeLossAndGradients, disposeLossAndGradients } from './step.js';
import { expectGradsClose, imageBatch, readVariables, tinySimclr, writeVariables, type TinySimclr } from '../test/gradient-cache-fixtures.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

let plain: TinySimclr;
let withBn: TinySimclr;
beforeAll(() => {
  plain = tinySimclr({ batchNorm: false, seed: 3 });
  withBn = tinySimclr({ batchNorm: true, seed: 4 });
});
afterAll(() => {
  plain.dispose();
  withBn.dispose();
});

describe('planChunks', () => {
  it('covers every row of every view once, in order, with chunks of at most chunkSize rows that never span views', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 25 }), (rows, chunkSize) => {
        const chunks = planChunks(rows, chunkSize);
        // naive reference: row by row
        const expected: string[] = [];
        rows.forEach((n, v) => {
          for (let r = 0; r < n; r++) expected.push(`${v}:${r}`);
        });
        const covered = chunks.flatMap((c) => Array.from({ length: c.size }, (_, i) => `${c.view}:${c.start + i}`));
        expect(covered).toEqual(expected);
        chunks.forEach((c) => expect(c.size >= 1 && c.size <= chunkSize).toBe(true));
        expect(chunks.length).toBe(rows.reduce((a, n) => a + Math.ceil(n / chunkSize), 0));
      }),
      { numRuns: 50 },
    );
  });
});

describe('computeLossAndGradientsCached', () => {
  it('equals the full-batch loss and gradients (BatchNorm-free ConvNet, SimCLR) for chunk sizes that do and do not divide the batch', () => {
    const { strategy } = plain;
    const state = strategy.init(Rng.fromSeed(0));
    let worst = 0;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1000 }), (b, chunkSize, seed) => {
        const batch = imageBatch(b, seed);
        const rngA = Rng.fromSeed(seed + 1);
        const rngB = Rng.fromSeed(seed + 1);
        const full = computeLossAndGradients(strategy, batch, state, rngA);
        const cached = computeLossAndGradientsCached(strategy, batch, state, rngB, { chunkSize });
        try {
          const l0 = full.loss.dataSync()[0] as number;
          const l1 = cached.loss.dataSync()[0] as number;
          expect(Math.abs(l1 - l0)).toBeLessThanOrEqual(1e-5 * Math.abs(l0) + 1e-6);
          worst = Math.max(worst, expectGradsClose(cached.grads, full.grads));
          // The same random draws were consumed: the rngs continue identically.
          expect(rngB.state()).toEqual(rngA.state());
        } finally {
          disposeLossAndGradients(full);
          disposeLossAndGradients(cached);
          batch.images.dispose();
        }
      }),
      // explicit cases: divides (6/2, 6/3, 4/4), does not divide (6/4, 5/2), one row per chunk, larger than the batch
      { numRuns: 12, examples: [[6, 2, 1], [6, 3, 2], [4, 4, 3], [6, 4, 4], [5, 2, 5], [3, 1, 6], [3, 8, 7]] },
    );
    expect(worst).toBeLessThan(2e-4);
    strategy.disposeState(state);
  });

  it('draws the views once and embeds the very same view rows in both passes', () => {
    const { strategy } = plain;
    const stages = strategy.stages!;
    const inputs: Float32Array[] = [];
    const recording: Strategy<(typeof strategy extends Strategy<infer S> ? S : never)> = {
      ...strategy,
      stages: {
        ...stages,
        embed: (x) => {
          inputs.push(x.dataSync().slice() as Float32Array);
          return stages.embed(x);
        },
      },
    };
    const state = strategy.init(Rng.fromSeed(0));
    const batch = imageBatch(5, 11);
    const before = plain.augmentCalls();
    const out = computeLossAndGradientsCached(recording, batch, state, Rng.fromSeed(5), { chunkSize: 2 });
    expect(plain.augmentCalls() - before).toBe(1);
    // 2 views of 5 rows in chunks of 2: 3 chunks per view, 6 per pass, 12 embed calls in all.
    expect(inputs).toHaveLength(12);
    const first = inputs.slice(0, 6);
    const second = inputs.slice(6);
    expect(second).toEqual(first);
    // The first pass's chunks are exactly the augmenter's views, view by view, row by row.
    const views = plain.lastViews();
    const concat = (parts: Float32Array[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));
    expect(concat(first.slice(0, 3))).toEqual(views[0]);
    expect(concat(first.slice(3))).toEqual(views[1]);
    disposeLossAndGradients(out);
    batch.images.dispose();
    strategy.disposeState(state);
  });

  it('includes the gradient of a trainable variable that the loss uses directly (a learned scale on z)', () => {
    const base = plain.strategy;
    const stages = base.stages!;
    const logScale = tf.variable(tf.scalar(0.3), true, 'gc-test/logScale');
    type St = typeof base extends Strategy<infer S> ? S : never;
    const lossFromEmbeddings = (z: readonly tf.Tensor2D[], views: readonly tf.Tensor4D[], batch: Batch, state: St, rng: Rng): { loss: tf.Scalar; aux: StepAux } =>
      stages.lossFromEmbeddings(
        z.map((zi) => tf.mul(zi, tf.exp(logScale)) as tf.Tensor2D),
        views,
        batch,
        state,
        rng,
      );
    const scaled: Strategy<St> = {
      ...base,
      name: 'scaled-simclr',
      trainableVariables: [...base.trainableVariables, logScale],
      loss(batch, state, rng) {
        const views = stages.views(batch, rng);
        try {
          return lossFromEmbeddings(
            views.map((v) => stages.embed(v)),
            views,
            batch,
            state,
            rng,
          );
        } finally {
          tf.dispose(views);
        }
      },
      stages: { ...stages, lossFromEmbeddings },
    };
    const state = base.init(Rng.fromSeed(0));
    const batch = imageBatch(4, 21);
    const full = computeLossAndGradients(scaled, batch, state, Rng.fromSeed(2));
    const cached = computeLossAndGradientsCached(scaled, batch, state, Rng.fromSeed(2), { chunkSize: 3 });
    expect(Object.keys(cached.grads)).toContain('gc-test/logScale');
    expectGradsClose(cached.grads, full.grads);
    disposeLossAndGradients(full);
    disposeLossAndGradients(cached);
    batch.images.dispose();
    logScale.dispose();
  });

  it('with BatchNorm: updates the running averages once per chunk (not twice) and gives the exact gradients of the chunked network', () => {
    const { strategy } = withBn;
    const stages = strategy.stages!;
    const nonTrainable = [...strategy.nonTrainableVariables];
    expect(nonTrainable.length).toBeGreaterThan(0);
    const initial = readVariables(nonTrainable);
    const state = strategy.init(Rng.fromSeed(0));
    const batch = imageBatch(5, 31);
    const chunkSize = 2;

    const cached = computeLossAndGradientsCached(strategy, batch, state, Rng.fromSeed(8), { chunkSize });
    const after = readVariables(nonTrainable);
    writeVariables(nonTrainable, initial);

    // Reference: the chunked network under one tape (every chunk embedded once, in order).
    const rng = Rng.fromSeed(8);
    const views = stages.views(batch, rng);
    const chunks = planChunks(
      views.map((v) => v.shape[0] as number),
      chunkSize,
    );
    const { value, grads } = tf.variableGrads(() => {
      const z = views.map((_, v) =>
        tf.concat(
          chunks.filter((c) => c.view === v).map((c) => stages.embed(tf.slice(views[v] as tf.Tensor4D, c.start, c.size))),
          0,
        ) as tf.Tensor2D,
      );
      const out = stages.lossFromEmbeddings(z, views, batch, state, rng);
      return out.loss;
    }, strategy.trainableVariables as tf.Variable[]);
    const once = readVariables(nonTrainable);
    expect(cached.loss.dataSync()[0]).toBeCloseTo(value.dataSync()[0] as number, 5);
    expectGradsClose(cached.grads, grads);
    // Running averages: exactly those of one training pass per chunk.
    for (const v of nonTrainable) {
      const a = after[v.name] as Float32Array;
      const e = once[v.name] as Float32Array;
      a.forEach((x, i) => expect(Math.abs(x - (e[i] as number))).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(e[i] as number))));
    }
    // ... and not those of two passes (they changed, so a double update would differ).
    expect(nonTrainable.some((v) => maxDiff(once[v.name] as Float32Array, initial[v.name] as Float32Array) > 1e-4)).toBe(true);

    writeVariables(nonTrainable, initial);
    tf.dispose([value, ...Object.values(grads), ...views]);
    disposeLossAndGradients(cached);
    batch.images.dispose();
  });

  it('leaks no tensor, on success and when embed fails (running averages restored)', () => {
    for (const kit of [plain, withBn]) {
      const { strategy } = kit;
      const state = strategy.init(Rng.fromSeed(0));
      const batch = imageBatch(5, 41);
      const before = tf.memory().numTensors;
      const out = computeLossAndGradientsCached(strategy, batch, state, Rng.fromSeed(1), { chunkSize: 3 });
      const returned = 1 + Object.keys(out.grads).length + Object.keys(out.aux.tensors).length;
      expect(tf.memory().numTensors).toBe(before + returned);
      disposeLossAndGradients(out);
      expect(tf.memory().numTensors).toBe(before);

      // embed fails on the third chunk of the first pass: with a wrong shape (ShapeError from the
      // cache), or with zero rows that the loss refuses (ArgumentError from NT-Xent, under the tape).
      const stages = strategy.stages!;
      const stats = readVariables(strategy.nonTrainableVariables);
      for (const [rows, error] of [
        [7, ShapeError],
        [1, ArgumentError],
      ] as const) {
        let calls = 0;
        const broken = {
          ...strategy,
          stages: { ...stages, embed: (x: tf.Tensor4D) => (++calls === 3 ? tf.zeros([rows, 4]) : stages.embed(x)) as tf.Tensor2D },
        };
        // 5 rows in chunks of 2: the third chunk has 1 row
        expect(() => computeLossAndGradientsCached(broken, batch, state, Rng.fromSeed(1), { chunkSize: 2 })).toThrow(error);
        expect(tf.memory().numTensors).toBe(before);
        expect(readVariables(strategy.nonTrainableVariables)).toEqual(stats);
      }
      batch.images.dispose();
    }
  });

  it('rejects bad chunk sizes and strategies without stages, naming the argument', () => {
    const { strategy } = plain;
    const state = strategy.init(Rng.fromSeed(0));
    const batch = imageBatch(2, 51);
    const before = tf.memory().numTensors;
    for (const chunkSize of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '4', undefined, null]) {
      const call = () => computeLossAndGradientsCached(strategy, batch, state, Rng.fromSeed(1), { chunkSize } as never);
      expect(call).toThrow(ArgumentError);
      expect(call).toThrow(/'options\.chunkSize' must be an integer >= 1/);
    }
    for (const options of [undefined, null, 4, [4]]) {
      expect(() => computeLossAndGradientsCached(strategy, batch, state, Rng.fromSeed(1), options as never)).toThrow(/argument 'options' must be an options object/);
    }
    const { stages: _ignored, ...noStages } = strategy;
    expect(() => computeLossAndGradientsCached(noStages, batch, state, Rng.fromSeed(1), { chunkSize: 2 })).toThrow(
      /argument 'strategy\.stages' needs a strategy with 'stages'/,
    );
    expect(() => computeLossAndGradientsCached(null as never, batch, state, Rng.fromSeed(1), { chunkSize: 2 })).toThrow(/argument 'strategy'/);
    // Nothing was drawn or allocated before the arguments were checked.
    expect(tf.memory().numTensors).toBe(before);
    batch.images.dispose();
  });
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  a.forEach((x, i) => (m = Math.max(m, Math.abs(x - (b[i] as number)))));
  return m;
}

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Rng, ShapeError, type Batch, type Encoder, type ForwardOptions } from '@contrastive/core';
import { embed, embedBatches } from './embed.js';
import { expectArgError, expectNoLeakAsync, startEngine } from '../test/helpers.js';

beforeAll(startEngine);

/** A linear "encoder" [N, 2, 3] -> [N, 4] that records the options it was called with. */
function fakeEncoder(): Encoder & { calls: ForwardOptions[]; w: tf.Tensor2D } {
  const w = tf.tensor2d(Array.from(Rng.fromSeed(1).normalArray(24)), [6, 4]);
  const calls: ForwardOptions[] = [];
  return {
    name: 'fake',
    outputDim: 4,
    trainableVariables: [],
    nonTrainableVariables: [],
    dispose: () => w.dispose(),
    calls,
    w,
    apply(x, options) {
      calls.push(options);
      return tf.tidy(() => tf.matMul(tf.reshape(x, [x.shape[0] as number, 6]), w));
    },
  };
}

describe('embed', () => {
  it('gives the same representations for every batch size (law) and calls the encoder in inference mode', () => {
    const enc = fakeEncoder();
    const images = tf.randomUniform([13, 2, 3], 0, 1, 'float32', 3);
    const whole = tf.matMul(tf.reshape(images, [13, 6]), enc.w);
    const expected = whole.arraySync() as number[][];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (batchSize) => {
        enc.calls.length = 0;
        const before = tf.memory().numTensors;
        const h = embed(enc, images, { batchSize });
        expect(tf.memory().numTensors).toBe(before + 1); // only the result survives
        expect(h.shape).toEqual([13, 4]);
        const got = h.arraySync();
        h.dispose();
        got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
        expect(enc.calls.length).toBe(Math.ceil(13 / batchSize));
        expect(enc.calls.every((c) => c.training === false)).toBe(true);
      }),
      { numRuns: 15 },
    );
    tf.dispose([images, whole]);
    enc.dispose();
  });

  it('accepts a plain function and returns a tensor the caller owns (even for an identity map)', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const h = embed((t) => t as tf.Tensor2D, x, { batchSize: 8 });
    expect(h).not.toBe(x);
    h.dispose();
    expect(x.isDisposed).toBe(false);
    const h2 = embed((t) => t as tf.Tensor2D, x, { batchSize: 2 });
    expect(h2.arraySync()).toEqual(x.arraySync());
    tf.dispose([x, h2]);
  });

  it('rejects bad arguments by name and frees finished chunks when the encoder fails', () => {
    const x = tf.zeros([5, 3]);
    expectArgError(() => embed(42 as unknown as Encoder, x), ArgumentError, 'encoder');
    expectArgError(() => embed((t) => t as tf.Tensor2D, [1, 2] as unknown as tf.Tensor), ArgumentError, 'images');
    expectArgError(() => embed((t) => t as tf.Tensor2D, x, { batchSize: 0 }), ArgumentError, 'options.batchSize');
    const before = tf.memory().numTensors;
    // Returns one row too few on the second chunk.
    let call = 0;
    const bad = (t: tf.Tensor) => (call++ === 0 ? (t.clone() as tf.Tensor2D) : (tf.slice(t, [0, 0], [1, 3]) as tf.Tensor2D));
    expectArgError(() => embed(bad, x, { batchSize: 3 }), ShapeError, 'encoder');
    expect(tf.memory().numTensors).toBe(before);
    // Width changing between chunks is an error too.
    let c2 = 0;
    const widthChanges = (t: tf.Tensor) => (c2++ === 0 ? (t.clone() as tf.Tensor2D) : (tf.concat([t, t], 1) as tf.Tensor2D));
    expectArgError(() => embed(widthChanges, x, { batchSize: 3 }), ShapeError, 'encoder');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('embedBatches', () => {
  function batches(): Batch[] {
    return [0, 1, 2].map((b) => ({
      images: tf.fill([b + 1, 2, 3], b + 1),
      labels: tf.tensor1d(Array.from({ length: b + 1 }, (_, i) => (b + i) % 3), 'int32'),
      indices: Int32Array.from({ length: b + 1 }, (_, i) => 10 * b + i),
    }));
  }

  it('stacks representations, labels and indices in arrival order, from sync and async iterables', async () => {
    const enc = fakeEncoder();
    for (const asAsync of [false, true]) {
      const list = batches();
      const source = asAsync
        ? (async function* () {
            yield* list;
          })()
        : list;
      const out = await embedBatches(enc, source);
      expect(out.features.shape).toEqual([6, 4]);
      expect(Array.from(out.labels ?? [])).toEqual([0, 1, 2, 2, 0, 1]);
      expect(Array.from(out.indices ?? [])).toEqual([0, 10, 11, 20, 21, 22]);
      const direct = embed(enc, tf.concat(list.map((b) => b.images as tf.Tensor), 0));
      expect(out.features.arraySync()).toEqual(direct.arraySync());
      tf.dispose([out.features, direct]);
      for (const b of list) tf.dispose([b.images, b.labels as tf.Tensor]);
    }
    enc.dispose();
  });

  it('leaks nothing, frees inputs only when asked, and reports missing labels as undefined', async () => {
    const enc = fakeEncoder();
    const list = batches();
    const kept = await expectNoLeakAsync(async () => {
      const out = await embedBatches(enc, list);
      out.features.dispose();
      return out;
    });
    expect(list.every((b) => !b.images.isDisposed)).toBe(true);
    expect(kept.labels).toBeDefined();
    const noLabels = list.map((b) => ({ images: b.images }));
    const out2 = await embedBatches(enc, noLabels, { disposeInputs: true });
    expect(out2.labels).toBeUndefined();
    expect(out2.indices).toBeUndefined();
    expect(list.every((b) => b.images.isDisposed)).toBe(true);
    out2.features.dispose();
    for (const b of list) b.labels?.dispose();
    enc.dispose();
  });

  it('rejects bad streams by name', async () => {
    const enc = fakeEncoder();
    await expect(embedBatches(enc, [])).rejects.toMatchObject({ argument: 'batches' });
    await expect(embedBatches(enc, 5 as unknown as Batch[])).rejects.toMatchObject({ argument: 'batches' });
    const img = tf.zeros([2, 2, 3]);
    const before = tf.memory().numTensors;
    await expect(embedBatches(enc, [{ images: img }, { images: 'x' as unknown as tf.Tensor }])).rejects.toMatchObject({
      argument: 'batches[1].images',
    });
    await expect(embedBatches(enc, [{ images: img, labels: tf.tensor1d([0], 'int32') }])).rejects.toMatchObject({
      argument: 'batches[0].labels',
    });
    // The label tensor created inline above is the caller's; everything of ours was freed.
    expect(tf.memory().numTensors).toBe(before + 1);
    img.dispose();
    enc.dispose();
  });
});

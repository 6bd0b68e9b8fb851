/**
 * Representations of a data set: run a frozen encoder over the inputs in chunks, in
 * inference mode, and stack the outputs.
 *
 * Evaluation protocols for contrastive learning (the kNN monitor of Wu et al. 2018, the
 * linear evaluation protocol of Chen et al. 2020, SimCLR §4) read the encoder's
 * representation h = f(x), not the projection z = g(h); this module computes h for a whole
 * data set without holding the activations of more than one chunk at a time.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { Batch, Encoder } from '@contrastive/core';
import { ArgumentError, ShapeError, assertOptionsObject, assertTensor, describeValue } from '@contrastive/core';
import { intOption, readLabels } from './validate.js';

/** A plain function from a batch of inputs `[B, ...]` to representations `[B, D]`. */
export type EmbedFn = (x: Tensor) => Tensor2D;

/** An {@link Encoder} (called with `{ training: false }`) or a plain function. */
export type EncoderLike = Encoder | EmbedFn;

/** Options of {@link embed}. */
export interface EmbedOptions {
  /** Rows per forward pass; default 256. Bounds the activation memory, not the result. */
  readonly batchSize?: number;
}

function toFn(where: string, encoder: unknown): EmbedFn {
  if (typeof encoder === 'function') return encoder as EmbedFn;
  if (typeof encoder === 'object' && encoder !== null && typeof (encoder as Encoder).apply === 'function') {
    const enc = encoder as Encoder;
    return (x) => enc.apply(x, { training: false });
  }
  throw new ArgumentError(
    `${where}: argument 'encoder' must be an Encoder (with apply(x, options)) or a function (x) => Tensor2D, received ${describeValue(encoder)}`,
    { argument: 'encoder', expected: 'an Encoder or a function', received: encoder },
  );
}

/** Runs `fn` on one chunk inside `tf.tidy` and checks what it returned. */
function forwardChunk(where: string, fn: EmbedFn, x: Tensor, rows: number, width: number | undefined): Tensor2D {
  return tf.tidy(() => {
    const h = fn(x);
    assertTensor(where, 'encoder(x)', h, 2);
    if (h.shape[0] !== rows || (width !== undefined && h.shape[1] !== width) || h.dtype !== 'float32') {
      throw new ShapeError(
        `${where}: argument 'encoder' must map ${rows} inputs to a float32 [${rows}, ${width ?? 'D'}] tensor, returned ${describeValue(h)}`,
        { argument: 'encoder', expected: `float32 [${rows}, ${width ?? 'D'}]`, received: h },
      );
    }
    // An identity-like fn may hand back its input; return a copy so the caller owns it.
    return (h === x ? h.clone() : h) as Tensor2D;
  });
}

function stack(parts: Tensor2D[]): Tensor2D {
  if (parts.length === 1) return parts[0] as Tensor2D;
  const out = tf.concat2d(parts, 0);
  for (const p of parts) p.dispose();
  return out;
}

/**
 * Representations `[N, D]` of `images` (`[N, ...]`), computed `batchSize` rows at a time
 * in inference mode (`encoder.apply(x, { training: false })`: BatchNorm uses its running
 * statistics). Every intermediate tensor is freed; the caller owns the result. The input is
 * not disposed.
 *
 * @example
 * ```ts
 * const h = embed(encoder, testImages, { batchSize: 512 }); // [10000, 512]
 * const acc = knnAccuracy({ trainFeatures: hTrain, trainLabels, testFeatures: h, testLabels });
 * h.dispose();
 * ```
 */
export function embed(encoder: EncoderLike, images: Tensor, options: EmbedOptions = {}): Tensor2D {
  const where = 'embed';
  const fn = toFn(where, encoder);
  assertTensor(where, 'images', images);
  assertOptionsObject(where, 'options', options);
  const batchSize = intOption(where, 'options.batchSize', options.batchSize, 256);
  if (images.rank < 1 || (images.shape[0] as number) < 1) {
    throw new ShapeError(`${where}: argument 'images' must have a leading batch dimension of size >= 1, received shape [${images.shape.join(',')}]`, {
      argument: 'images',
      expected: 'shape [N >= 1, ...]',
      received: images,
    });
  }
  const n = images.shape[0] as number;
  const parts: Tensor2D[] = [];
  try {
    let width: number | undefined;
    for (let start = 0; start < n; start += batchSize) {
      const rows = Math.min(batchSize, n - start);
      const h = tf.tidy(() => {
        const begin = images.shape.map((_, i) => (i === 0 ? start : 0));
        const size = images.shape.map((s, i) => (i === 0 ? rows : s));
        // A chunk covering the whole input is the input itself: no copy.
        const x = rows === n ? images : tf.slice(images, begin, size);
        return forwardChunk(where, fn, x, rows, width);
      });
      width = h.shape[1];
      parts.push(h);
    }
    return stack(parts);
  } catch (e) {
    for (const p of parts) p.dispose();
    throw e;
  }
}

/** Options of {@link embedBatches}. */
export interface EmbedBatchesOptions {
  /**
   * Dispose each batch's `images` and `labels` once they have been read; default false
   * (like tfjs ops, the function does not free its inputs unless told to).
   */
  readonly disposeInputs?: boolean;
}

/** What {@link embedBatches} returns. */
export interface EmbeddedDataset {
  /** Representations `[N, D]`, rows in the order the batches arrived. The caller owns it. */
  readonly features: Tensor2D;
  /** The batches' labels concatenated, when every batch carried labels. */
  readonly labels: Int32Array | undefined;
  /** The batches' dataset indices concatenated, when every batch carried them. */
  readonly indices: Int32Array | undefined;
}

/**
 * Representations of a data set delivered as a stream of {@link Batch}es (e.g. the
 * `@contrastive/data` loaders), in inference mode, with the labels and sample indices
 * collected alongside. Use this when the whole data set does not fit in memory as one
 * image tensor.
 *
 * @example
 * ```ts
 * const { features, labels } = await embedBatches(encoder, testLoader, { disposeInputs: true });
 * ```
 */
export async function embedBatches(
  encoder: EncoderLike,
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  options: EmbedBatchesOptions = {},
): Promise<EmbeddedDataset> {
  const where = 'embedBatches';
  const fn = toFn(where, encoder);
  assertOptionsObject(where, 'options', options);
  const okIterable =
    typeof batches === 'object' &&
    batches !== null &&
    (Symbol.asyncIterator in batches || Symbol.iterator in batches);
  if (!okIterable) {
    throw new ArgumentError(`${where}: argument 'batches' must be an iterable or async iterable of batches, received ${describeValue(batches)}`, {
      argument: 'batches',
      expected: 'an (async) iterable of { images, labels?, indices? }',
      received: batches,
    });
  }
  const dispose = options.disposeInputs === true;
  const parts: Tensor2D[] = [];
  const labelParts: Int32Array[] = [];
  const indexParts: Int32Array[] = [];
  let allLabels = true;
  let allIndices = true;
  let width: number | undefined;
  let b = 0;
  try {
    for await (const batch of batches) {
      const name = `batches[${b}].images`;
      assertTensor(where, name, batch?.images);
      const rows = batch.images.shape[0] ?? 0;
      if (rows < 1) {
        throw new ShapeError(`${where}: argument '${name}' must have at least one row, received shape [${batch.images.shape.join(',')}]`, {
          argument: name,
          expected: 'shape [B >= 1, ...]',
          received: batch.images,
        });
      }
      const h = forwardChunk(where, fn, batch.images, rows, width);
      width = h.shape[1];
      parts.push(h);
      if (batch.labels === undefined) allLabels = false;
      else labelParts.push(readLabels(where, `batches[${b}].labels`, batch.labels, rows));
      if (batch.indices === undefined) allIndices = false;
      else indexParts.push(readLabels(where, `batches[${b}].indices`, batch.indices, rows));
      if (dispose) {
        batch.images.dispose();
        batch.labels?.dispose();
      }
      b++;
    }
  } catch (e) {
    for (const p of parts) p.dispose();
    throw e;
  }
  if (parts.length === 0) {
    throw new ArgumentError(`${where}: argument 'batches' must yield at least one batch, received none`, {
      argument: 'batches',
      expected: 'at least one batch',
      received: batches,
    });
  }
  const concat = (xs: Int32Array[]): Int32Array => {
    const out = new Int32Array(xs.reduce((s, x) => s + x.length, 0));
    let o = 0;
    for (const x of xs) {
      out.set(x, o);
      o += x.length;
    }
    return out;
  };
  return {
    features: stack(parts),
    labels: allLabels ? concat(labelParts) : undefined,
    indices: allIndices ? concat(indexParts) : undefined,
  };
}

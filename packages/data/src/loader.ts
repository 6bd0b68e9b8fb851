/**
 * The data loader: seeded shuffling, batching with sample indices, epochs and a bounded
 * prefetch over an in-memory {@link ImageDataset}, yielding tensor batches.
 */
import { assertInteger } from '@contrastive/core';
import { assertDataset, batchFromIndices, disposeBatch, type ImageDataset, type TensorBatch } from './dataset.js';
import { prefetch } from './prefetch.js';
import { batchSchedule, checkLoaderOptions, type ScheduleOptions } from './shuffle.js';

/** Options of {@link createDataLoader}. */
export interface DataLoaderOptions extends ScheduleOptions {
  /** Batches prepared ahead of the consumer (>= 0, default 2). */
  readonly prefetch?: number;
}

/** A batch from a {@link DataLoader}: tensors, sample indices, and where it is in the run. */
export interface LoaderBatch extends TensorBatch {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch number within the epoch. */
  readonly step: number;
}

/**
 * An async iterable of {@link LoaderBatch}es. Each iteration (each `for await`) makes
 * `epochs` passes and draws its permutations from the loader's `rng`, continuing its stream.
 * The consumer owns each batch it receives and disposes it ({@link disposeBatch}); batches
 * prepared ahead and not yet received are disposed by the loader when the loop ends early.
 */
export interface DataLoader extends AsyncIterable<LoaderBatch> {
  readonly dataset: ImageDataset;
  /** Batches per epoch (`ceil(n / batchSize)`, or `floor` with `dropLast`). */
  readonly batchesPerEpoch: number;
  readonly epochs: number;
  readonly batchSize: number;
  [Symbol.asyncIterator](): AsyncIterableIterator<LoaderBatch>;
}

/**
 * Creates a loader over an in-memory data set.
 *
 * @example
 * ```ts
 * const train = await loadCifar10({ dir: process.env.CONTRASTIVE_DATA_DIR });
 * const loader = createDataLoader(train, { batchSize: 256, rng: rng.split(), dropLast: true, epochs: 10 });
 * for await (const batch of loader) {
 *   // batch.images [256, 32, 32, 3] in [0, 1]; batch.indices for the memory bank
 *   disposeBatch(batch);
 * }
 * ```
 */
export function createDataLoader(dataset: ImageDataset, options: DataLoaderOptions): DataLoader {
  const where = 'createDataLoader';
  assertDataset(where, 'dataset', dataset);
  const { batchSize, epochs, perEpoch } = checkLoaderOptions(where, dataset.length, dataset.name, options);
  const ahead = options.prefetch ?? 2;
  assertInteger(where, 'options.prefetch', ahead, 0);

  function* batches(): Generator<LoaderBatch, void, undefined> {
    for (const { epoch, step, indices } of batchSchedule(dataset.length, options)) {
      yield { ...batchFromIndices(dataset, indices), epoch, step };
    }
  }

  return {
    dataset,
    batchesPerEpoch: perEpoch,
    epochs,
    batchSize,
    [Symbol.asyncIterator]: () => prefetch(batches(), { size: ahead, dispose: disposeBatch }),
  };
}

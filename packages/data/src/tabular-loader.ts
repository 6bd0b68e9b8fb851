/**
 * Seeded, shuffled batches of a {@link TabularDataset}: the tabular counterpart of
 * `createDataLoader`.
 */
import { batchSchedule, checkLoaderOptions, type ScheduleOptions } from './shuffle.js';
import { tabularBatch, type TabularBatch, type TabularDataset } from './tabular-dataset.js';

/** A batch from a {@link TabularLoader}, with where it is in the run. */
export interface TabularLoaderBatch extends TabularBatch {
  readonly epoch: number;
  readonly step: number;
}

/**
 * An iterable of batches: each iteration makes `epochs` passes, drawing its permutations from
 * the loader's `rng`. The consumer disposes each batch (`disposeBatch`).
 */
export interface TabularLoader extends Iterable<TabularLoaderBatch> {
  readonly dataset: TabularDataset;
  readonly batchesPerEpoch: number;
  readonly epochs: number;
  readonly batchSize: number;
}

/**
 * Creates a loader over a tabular data set (rows are small: no prefetch needed).
 *
 * @example
 * ```ts
 * const loader = createTabularLoader(train, { batchSize: 32, rng: Rng.fromSeed(0) });
 * for (const batch of loader) { ...; disposeBatch(batch); }
 * ```
 */
export function createTabularLoader(dataset: TabularDataset, options: ScheduleOptions): TabularLoader {
  const where = 'createTabularLoader';
  const { batchSize, epochs, perEpoch } = checkLoaderOptions(where, dataset.length, dataset.name, options);
  return {
    dataset,
    batchesPerEpoch: perEpoch,
    epochs,
    batchSize,
    *[Symbol.iterator]() {
      for (const { epoch, step, indices } of batchSchedule(dataset.length, options)) yield { ...tabularBatch(dataset, indices), epoch, step };
    },
  };
}

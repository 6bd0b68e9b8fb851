/**
 * Seeded, shuffled batches of a {@link TabularDataset}: the tabular counterpart of
 * `createDataLoader`.
 */
import { ArgumentError, assertInteger } from '@contrastive/core';
import { batchSchedule, batchesPerEpoch, checkBatchingOptions, type ScheduleOptions } from './shuffle.js';
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
  const { batchSize, dropLast } = checkBatchingOptions(where, options);
  const epochs = options.epochs ?? 1;
  assertInteger(where, 'options.epochs', epochs, 1);
  const perEpoch = batchesPerEpoch(dataset.length, batchSize, dropLast);
  if (perEpoch === 0) {
    throw new ArgumentError(`${where}: argument 'options.batchSize' (${batchSize}) with dropLast leaves no batch of the ${dataset.length} rows of ${dataset.name}`, {
      argument: 'options.batchSize', expected: `<= ${dataset.length} with dropLast`, received: batchSize,
    });
  }
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

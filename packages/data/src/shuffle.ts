/**
 * Seeded shuffling and batching of sample indices. Pure index arithmetic: no tensors, so the
 * laws (a permutation per epoch, every index once, same seed same order) are cheap to test.
 * Randomness comes only from the {@link Rng} passed in, one permutation drawn per epoch.
 */
import { ArgumentError, Rng, assertInteger, assertOptionsObject, describeValue } from '@contrastive/core';

/** How an epoch of `n` samples is cut into batches. */
export interface BatchingOptions {
  /** Samples per batch (>= 1). */
  readonly batchSize: number;
  /** Draw a fresh permutation each epoch (default `true`; then `rng` is required). */
  readonly shuffle?: boolean;
  /** The stream the permutations are drawn from (advanced by one permutation per epoch). */
  readonly rng?: Rng;
  /**
   * Drop the last batch of an epoch when it is shorter than `batchSize` (default `false`).
   * Use it when a loss needs equal batch sizes (e.g. BatchNorm statistics, fixed 2N logits).
   */
  readonly dropLast?: boolean;
}

/** Validates {@link BatchingOptions}; returns them with defaults filled in. */
export function checkBatchingOptions(where: string, options: BatchingOptions): { batchSize: number; shuffle: boolean; rng: Rng | undefined; dropLast: boolean } {
  assertOptionsObject(where, 'options', options);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' must be an options object with batchSize, received undefined`, { argument: 'options' });
  assertInteger(where, 'options.batchSize', options.batchSize, 1);
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.shuffle' must be a boolean, received ${describeValue(shuffle)}`, { argument: 'options.shuffle', expected: 'a boolean', received: shuffle });
  }
  const dropLast = options.dropLast ?? false;
  if (typeof dropLast !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.dropLast' must be a boolean, received ${describeValue(dropLast)}`, { argument: 'options.dropLast', expected: 'a boolean', received: dropLast });
  }
  if (options.rng !== undefined && !(options.rng instanceof Rng)) {
    throw new ArgumentError(`${where}: argument 'options.rng' must be an Rng (Rng.fromSeed(seed)), received ${describeValue(options.rng)}`, { argument: 'options.rng', expected: 'an Rng', received: options.rng });
  }
  if (shuffle && options.rng === undefined) {
    throw new ArgumentError(`${where}: argument 'options.rng' is required when shuffling (pass Rng.fromSeed(seed), or shuffle: false for data set order)`, {
      argument: 'options.rng', expected: 'an Rng', received: undefined,
    });
  }
  return { batchSize: options.batchSize, shuffle, rng: options.rng, dropLast };
}

/**
 * The sample order of one epoch: a permutation of `0..n-1` drawn from `rng`
 * (Fisher-Yates, {@link Rng.permutation}), or `0..n-1` in order when `rng` is undefined.
 */
export function epochOrder(n: number, rng?: Rng): Int32Array {
  assertInteger('epochOrder', 'n', n, 0);
  if (rng !== undefined) {
    if (!(rng instanceof Rng)) throw new ArgumentError(`epochOrder: argument 'rng' must be an Rng, received ${describeValue(rng)}`, { argument: 'rng', received: rng });
    return rng.permutation(n);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** Number of batches in an epoch of `n` samples. */
export function batchesPerEpoch(n: number, batchSize: number, dropLast = false): number {
  assertInteger('batchesPerEpoch', 'n', n, 0);
  assertInteger('batchesPerEpoch', 'batchSize', batchSize, 1);
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Cuts one epoch's order into consecutive batches of `batchSize` indices; the last is shorter
 * unless `dropLast`. Concatenating the batches gives the order back (minus the dropped tail).
 */
export function chunkOrder(order: Int32Array, batchSize: number, dropLast = false): Int32Array[] {
  assertInteger('chunkOrder', 'batchSize', batchSize, 1);
  const count = batchesPerEpoch(order.length, batchSize, dropLast);
  const out: Int32Array[] = [];
  for (let b = 0; b < count; b++) out.push(order.slice(b * batchSize, Math.min(order.length, (b + 1) * batchSize)));
  return out;
}

/**
 * The batches of one epoch of `n` samples: draws the epoch's permutation from `options.rng`
 * (when shuffling) and cuts it with {@link chunkOrder}.
 *
 * @example
 * ```ts
 * const rng = Rng.fromSeed(0);
 * const batches = epochBatches(10, { batchSize: 4, rng }); // 3 batches: 4 + 4 + 2 indices
 * ```
 */
export function epochBatches(n: number, options: BatchingOptions): Int32Array[] {
  const { batchSize, shuffle, rng, dropLast } = checkBatchingOptions('epochBatches', options);
  assertInteger('epochBatches', 'n', n, 0);
  return chunkOrder(epochOrder(n, shuffle ? rng : undefined), batchSize, dropLast);
}

/** One batch of a {@link batchSchedule}: which samples, in which epoch and step. */
export interface ScheduledBatch {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch number within the epoch. */
  readonly step: number;
  /** Sample indices of the batch. */
  readonly indices: Int32Array;
}

/** {@link BatchingOptions} plus the number of epochs. */
export interface ScheduleOptions extends BatchingOptions {
  /** Passes over the data (>= 1, default 1). */
  readonly epochs?: number;
}

/**
 * All batches of `epochs` passes over `n` samples, lazily: each epoch's permutation is drawn
 * from `options.rng` when the epoch's first batch is requested, so the order depends only on
 * the seed, not on how far ahead a consumer reads. Arguments are checked at call time.
 *
 * @example
 * ```ts
 * for (const { epoch, step, indices } of batchSchedule(50_000, { batchSize: 256, rng, epochs: 2, dropLast: true })) { ... }
 * ```
 */
export function batchSchedule(n: number, options: ScheduleOptions): Generator<ScheduledBatch, void, undefined> {
  const where = 'batchSchedule';
  const { batchSize, shuffle, rng, dropLast } = checkBatchingOptions(where, options);
  assertInteger(where, 'n', n, 0);
  const epochs = options.epochs ?? 1;
  assertInteger(where, 'options.epochs', epochs, 1);
  return (function* schedule(): Generator<ScheduledBatch, void, undefined> {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const batches = chunkOrder(epochOrder(n, shuffle ? rng : undefined), batchSize, dropLast);
      for (let step = 0; step < batches.length; step++) yield { epoch, step, indices: batches[step] as Int32Array };
    }
  })();
}

/** What a loader over `n` samples makes of its {@link ScheduleOptions}. @internal */
export interface LoaderShape {
  readonly batchSize: number;
  readonly epochs: number;
  readonly perEpoch: number;
}

/**
 * Checks a loader's schedule options over `n` samples of the data set `name` (batching options,
 * `epochs` >= 1, and at least one batch per epoch) and returns its shape. @internal
 */
export function checkLoaderOptions(where: string, n: number, name: string, options: ScheduleOptions): LoaderShape {
  const { batchSize, dropLast } = checkBatchingOptions(where, options);
  const epochs = options.epochs ?? 1;
  assertInteger(where, 'options.epochs', epochs, 1);
  const perEpoch = batchesPerEpoch(n, batchSize, dropLast);
  if (perEpoch === 0) {
    throw new ArgumentError(`${where}: argument 'options.batchSize' (${batchSize}) with dropLast leaves no batch of the ${n} samples of ${name}`, {
      argument: 'options.batchSize', expected: `<= ${n} with dropLast`, received: batchSize,
    });
  }
  return { batchSize, epochs, perEpoch };
}

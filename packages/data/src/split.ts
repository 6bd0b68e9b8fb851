/**
 * A seeded train/test split of sample indices, stratified by class by default: the split a
 * data set without a given test set gets (image folders, tabular files).
 */
import { ArgumentError, Rng, assertInRange, assertOptionsObject, describeValue } from '@contrastive/core';

/** Options of {@link splitIndices}. */
export interface SplitOptions {
  /** Fraction of the samples put in the test set, in (0, 1). */
  readonly testFraction: number;
  /** The stream the permutations are drawn from. Same seed, same split. */
  readonly rng: Rng;
  /**
   * Split each class separately (default true): class `c` with `n_c` samples gives
   * `round(n_c * testFraction)` of them to the test set, so both sets keep the class mix.
   * With false, `round(n * testFraction)` samples drawn from all of them.
   */
  readonly stratify?: boolean;
}

/** Indices of the two sets, each in increasing order. */
export interface SplitIndices {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * Splits samples `0..labels.length-1` into a train and a test set (disjoint, together every
 * sample once).
 *
 * @example
 * ```ts
 * const { train, test } = splitIndices(dataset.labels, { testFraction: 0.2, rng: Rng.fromSeed(0) });
 * const trainSet = subsetDataset(dataset, train);
 * ```
 */
export function splitIndices(labels: ArrayLike<number>, options: SplitOptions): SplitIndices {
  const where = 'splitIndices';
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new ArgumentError(`${where}: argument 'labels' must be an array of class indices, received ${describeValue(labels)}`, { argument: 'labels', received: labels });
  }
  assertOptionsObject(where, 'options', options);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' must be { testFraction, rng }, received undefined`, { argument: 'options' });
  assertInRange(where, 'options.testFraction', options.testFraction, 0, 1);
  if (options.testFraction <= 0 || options.testFraction >= 1) {
    throw new ArgumentError(`${where}: argument 'options.testFraction' must be strictly between 0 and 1, received ${options.testFraction}`, {
      argument: 'options.testFraction', expected: 'a number in (0, 1)', received: options.testFraction,
    });
  }
  if (!(options.rng instanceof Rng)) {
    throw new ArgumentError(`${where}: argument 'options.rng' must be an Rng (Rng.fromSeed(seed)), received ${describeValue(options.rng)}`, { argument: 'options.rng', expected: 'an Rng', received: options.rng });
  }
  const stratify = options.stratify ?? true;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = stratify ? (labels[i] as number) : 0;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(i);
  }
  const isTest = new Uint8Array(labels.length);
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(key) as number[];
    const order = options.rng.permutation(members.length);
    const take = Math.round(members.length * options.testFraction);
    for (let j = 0; j < take; j++) isTest[members[order[j] as number] as number] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < labels.length; i++) (isTest[i] === 1 ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

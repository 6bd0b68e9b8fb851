/**
 * Reading an experiment's data from disk by its `data` configuration: CIFAR-10 (found as
 * {@link resolveCifar10} describes), Fashion-MNIST / MNIST (IDX), an image folder (labelled
 * by sub-directory, or unlabelled) or tabular rows (CSV / JSON), with the test split given
 * (`testDir`, `testFile`, the official split) or made by a seeded split (`testFraction`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@contrastive/core';
import type { ImageDataset, TabularDataset } from '@contrastive/data';
import { DEBIAN_FASHION_MNIST_DIR, DATA_DIR_ENV, loadCifar10, loadFashionMnist, loadImageFolder, loadMnist, loadTabular } from '@contrastive/data/node';
import { DEFAULT_TEST_FRACTION, type DataConfig } from '../data-config.js';
import type { ExperimentData } from '../experiment-data.js';
import { seededSplit, seededSubset, standardize, toRgb } from '../split.js';
import type { Samples } from '../samples.js';
import { resolveCifar10 } from './data-dir.js';
import { displayPath } from './display-path.js';

/** Options of {@link loadExperimentData}. */
export interface LoadExperimentDataOptions {
  /** The run's seed (seeded splits and subsets use it). */
  readonly seed: number;
  /** A directory that overrides `data.dir` (the command line's `--data-dir`). */
  readonly dirOverride?: string | undefined;
  /** Read the test split only (`train` is null); a seeded split still reads the whole folder. */
  readonly testOnly?: boolean;
  /** Keep at most this many test images (on top of `data.testLimit`). */
  readonly testLimit?: number | undefined;
  /** Keep at most this many training images (on top of `data.trainLimit`). */
  readonly trainLimit?: number | undefined;
  /** Show CIFAR-10's download progress bar on stderr. */
  readonly downloadProgressBar?: boolean;
  /** Where notes go (a download, a directory that was searched). */
  readonly log?: (line: string) => void;
}

const smaller = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** A seeded subset of `limit` samples of `dataset` (for the readers without a limit of their own). */
function limited<S extends Samples>(dataset: S, limit: number | undefined, seed: number): S {
  return limit === undefined ? dataset : seededSubset(dataset, limit, seed);
}

function describe(kind: string, train: Samples | null, test: Samples, dir: string, source: string): string {
  const rows = 'numFeatures' in test;
  const counts = `${train === null ? '' : `${train.length} training and `}${test.length} test ${rows ? 'rows' : 'images'}`;
  const shape = rows ? `${test.numFeatures} features, ${test.classNames.length} classes` : `${test.height}x${test.width}`;
  return `${kind}: ${counts} (${shape}) from ${displayPath(dir)} (from ${source})`;
}

/** Where an explicitly configured directory came from. */
function explicitDir(data: Exclude<DataConfig, { dataset: 'tabular' }>, o: LoadExperimentDataOptions): { dir: string; source: string } | undefined {
  if (o.dirOverride !== undefined) return { dir: path.resolve(o.dirOverride), source: '--data-dir' };
  if (data.dir !== undefined) return { dir: path.resolve(data.dir), source: 'data.dir' };
  return undefined;
}

async function loadCifar(data: Extract<DataConfig, { dataset: 'cifar10' }>, o: LoadExperimentDataOptions, limits: { train?: number | undefined; test?: number | undefined }): Promise<ExperimentData> {
  const location = await resolveCifar10({
    flag: o.dirOverride,
    configDir: data.dir,
    download: data.download,
    ...(o.downloadProgressBar === undefined ? {} : { progressBar: o.downloadProgressBar }),
    ...(o.log === undefined ? {} : { log: o.log }),
  });
  const train = o.testOnly === true ? null : await loadCifar10({ dir: location.dir, split: 'train', ...(limits.train === undefined ? {} : { limit: limits.train }) });
  const test = await loadCifar10({ dir: location.dir, split: 'test', ...(limits.test === undefined ? {} : { limit: limits.test }) });
  return { train, test, labelled: true, dir: location.dir, source: location.source, description: describe('cifar10', train, test, location.dir, location.source) };
}

/** The directory (Fashion-)MNIST is read from: the configured one, else the first default that exists. */
function idxDir(data: Extract<DataConfig, { dataset: 'fashionMnist' | 'mnist' }>, o: LoadExperimentDataOptions): { dir: string; source: string } | undefined {
  const given = explicitDir(data, o);
  if (given !== undefined) return given;
  const envDir = process.env[DATA_DIR_ENV];
  const defaults: { dir: string; source: string }[] = [];
  if (envDir !== undefined && envDir.trim() !== '') defaults.push({ dir: path.resolve(envDir, data.dataset === 'fashionMnist' ? 'fashion-mnist' : 'mnist'), source: `$${DATA_DIR_ENV}` });
  if (data.dataset === 'fashionMnist') defaults.push({ dir: DEBIAN_FASHION_MNIST_DIR, source: 'dataset-fashion-mnist' });
  return defaults.find((d) => existsSync(d.dir));
}

async function loadIdx(data: Extract<DataConfig, { dataset: 'fashionMnist' | 'mnist' }>, o: LoadExperimentDataOptions, limits: { train?: number | undefined; test?: number | undefined }): Promise<ExperimentData> {
  const found = idxDir(data, o);
  const load = data.dataset === 'fashionMnist' ? loadFashionMnist : loadMnist;
  // With no directory at all the reader's own error lists where it looked.
  const read = async (split: 'train' | 'test', limit: number | undefined): Promise<ImageDataset> =>
    toRgb(await load({ ...(found === undefined ? {} : { dir: found.dir }), split, ...(limit === undefined ? {} : { limit }) }));
  const train = o.testOnly === true ? null : await read('train', limits.train);
  const test = await read('test', limits.test);
  const { dir, source } = found as { dir: string; source: string };
  return { train, test, labelled: true, dir, source, description: describe(data.dataset, train, test, dir, source) };
}

async function loadFolder(data: Extract<DataConfig, { dataset: 'imageFolder' }>, o: LoadExperimentDataOptions, limits: { train?: number | undefined; test?: number | undefined }): Promise<ExperimentData> {
  const { dir, source } = explicitDir(data, o) as { dir: string; source: string };
  const read = (folder: string): Promise<ImageDataset> => loadImageFolder({ dir: folder, size: data.size, resize: data.resize, channels: 3, labelled: data.labelled });
  let train: ImageDataset | null;
  let test: ImageDataset;
  if (data.testDir !== undefined) {
    test = await read(path.resolve(data.testDir));
    train = o.testOnly === true ? null : await read(dir);
    if (train !== null && train.classNames.join('\n') !== test.classNames.join('\n')) {
      throw new ConfigError(`config.data.testDir: its classes (${test.classNames.join(', ')}) differ from those of data.dir (${train.classNames.join(', ')})`, {
        argument: 'config.data.testDir',
        expected: `the class sub-directories ${train.classNames.join(', ')}`,
        received: data.testDir,
      });
    }
  } else {
    const split = seededSplit(await read(dir), data.testFraction ?? DEFAULT_TEST_FRACTION, o.seed);
    train = o.testOnly === true ? null : split.train;
    test = split.test;
  }
  train = train === null ? null : limited(train, limits.train, o.seed + 13);
  test = limited(test, limits.test, o.seed + 14);
  return { train, test, labelled: data.labelled, dir, source, description: describe(`imageFolder${data.labelled ? '' : ' (unlabelled)'}`, train, test, dir, source) };
}

async function loadRows(data: Extract<DataConfig, { dataset: 'tabular' }>, o: LoadExperimentDataOptions, limits: { train?: number | undefined; test?: number | undefined }): Promise<ExperimentData> {
  const file = path.resolve(o.dirOverride !== undefined ? path.join(o.dirOverride, path.basename(data.file)) : data.file);
  const source = o.dirOverride !== undefined ? '--data-dir' : 'data.file';
  const parse = { ...(data.labelColumn === undefined ? {} : { labelColumn: data.labelColumn }), ...(data.format === undefined ? {} : { format: data.format }) };
  const all = await loadTabular({ file, ...parse });
  let train: TabularDataset;
  let test: TabularDataset;
  if (data.testFile !== undefined) {
    train = all;
    // The test file's labels are read against the training file's classes, so indices agree.
    test = await loadTabular({ file: path.resolve(data.testFile), ...parse, classNames: all.classNames });
  } else {
    ({ train, test } = seededSplit(all, data.testFraction ?? DEFAULT_TEST_FRACTION, o.seed));
  }
  train = limited(train, limits.train, o.seed + 13);
  test = limited(test, limits.test, o.seed + 14);
  if (data.standardize) ({ train, test } = standardize(train, test));
  const kept = o.testOnly === true ? null : train;
  return { train: kept, test, labelled: true, dir: file, source, description: describe('tabular', kept, test, file, source) };
}

/**
 * Reads the train and test splits of `data`. Limits: `data.trainLimit` / `data.testLimit` and
 * the options' own (the smaller wins); CIFAR-10 and (Fashion-)MNIST keep the first N images,
 * an image folder or a tabular file a seeded subset of N (files list by class). Grey images
 * come back with three channels; tabular features are standardised with the training split's
 * statistics unless `standardize: false`.
 *
 * @example
 * ```ts
 * const data = await loadExperimentData(config.data, { seed: config.seed });
 * console.log(data.description); // cifar10: 50000 training and 10000 test images (32x32) from ...
 * ```
 */
export async function loadExperimentData(data: DataConfig, options: LoadExperimentDataOptions): Promise<ExperimentData> {
  const limits = { train: smaller(data.trainLimit, options.trainLimit), test: smaller(data.testLimit, options.testLimit) };
  switch (data.dataset) {
    case 'cifar10':
      return loadCifar(data, options, limits);
    case 'fashionMnist':
    case 'mnist':
      return loadIdx(data, options, limits);
    case 'imageFolder':
      return loadFolder(data, options, limits);
    case 'tabular':
      return loadRows(data, options, limits);
  }
}

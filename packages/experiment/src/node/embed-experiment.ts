/**
 * `embedExperiment`: the whole of `contrastive embed` as one function. Writes the
 * representations h = f(x) of a split of the run's dataset (labelled or not) to a file.
 */
import { ArgumentError } from '@contrastive/core';
import { embedDataset } from '../evaluate.js';
import { logOf, type ExperimentIO } from '../experiment-io.js';
import { trainingSplit } from '../experiment-data.js';
import { parseConfig } from '../config.js';
import { loadExperimentData } from './datasets.js';
import { writeEmbeddings } from './embeddings-file.js';
import { assertSourceExists, loadEncoderFrom } from './run-dir.js';

/** Options of {@link embedExperiment}. */
export interface EmbedExperimentOptions extends ExperimentIO {
  /** A run directory, a checkpoint inside one, or a saved encoder directory. */
  readonly source: string;
  /** `name.npy` (+ `name.labels.npy`) or any other name for one contrastive embeddings file. */
  readonly out: string;
  /** `'train'` or `'test'` (default). */
  readonly split?: string;
  /** Only the first N images of the split. */
  readonly limit?: number | undefined;
  /** Rows per forward pass (default 256). */
  readonly batchSize?: number | undefined;
  readonly preferCheckpoint?: boolean;
  /** Overrides the run's `data.dir`. */
  readonly dataDir?: string | undefined;
  /** Called once the source is known to exist, before any tensor work. */
  readonly beforeWork?: () => Promise<void>;
}

/** What {@link embedExperiment} wrote. */
export interface EmbedExperimentResult {
  readonly count: number;
  readonly dim: number;
  /** E.g. `'cifar10/test[0:200]'`. */
  readonly split: string;
  /** False for unlabelled images (no labels were written). */
  readonly labelled: boolean;
  readonly files: readonly string[];
  readonly seconds: number;
}

/**
 * Embeds a split of a run's dataset (a bare encoder: CIFAR-10). See the module documentation.
 *
 * @example
 * ```ts
 * const r = await embedExperiment({ source: 'runs/photos', out: 'photos.npy', split: 'train' });
 * ```
 */
export async function embedExperiment(o: EmbedExperimentOptions): Promise<EmbedExperimentResult> {
  const split = o.split ?? 'test';
  if (split !== 'train' && split !== 'test') {
    throw new ArgumentError(`--split must be 'train' or 'test', received '${split}'`, { argument: '--split', received: split, expected: "'train' | 'test'" });
  }
  await assertSourceExists(o.source);
  await o.beforeWork?.();
  const loaded = await loadEncoderFrom(o.source, { preferCheckpoint: o.preferCheckpoint === true });
  try {
    const config = loaded.config ?? parseConfig({});
    const data = await loadExperimentData(config.data, {
      seed: config.seed,
      dirOverride: o.dataDir,
      testOnly: split === 'test',
      ...(split === 'train' ? { trainLimit: o.limit } : { testLimit: o.limit }),
      log: logOf(o),
    });
    const dataset = split === 'train' ? trainingSplit(data) : data.test;
    const { features, labels, seconds } = await embedDataset(loaded.encoder, dataset, {
      batchSize: o.batchSize ?? 256,
      label: `embed ${split}`,
      ...(o.progress === undefined ? {} : { progress: o.progress }),
      ...(o.stop === undefined ? {} : { stop: o.stop }),
    });
    let values: Float32Array;
    try {
      values = (await features.data()) as Float32Array;
    } finally {
      features.dispose();
    }
    const dim = values.length / dataset.length;
    const name = `${config.data.dataset}/${split}[0:${dataset.length}]`;
    const files = await writeEmbeddings(o.out, {
      features: values,
      labels: data.labelled ? labels : null,
      count: dataset.length,
      dim,
      classNames: data.labelled ? dataset.classNames : [],
      source: loaded.description,
      split: name,
    });
    return { count: dataset.length, dim, split: name, labelled: data.labelled, files, seconds };
  } finally {
    loaded.encoder.dispose();
  }
}

/**
 * `contrastive embed <source> --out <file>`: writes the representations h = f(x) of CIFAR-10
 * images (a split, optionally its first N images) with their labels, as `.npy` or as one
 * contrastive embeddings file (see embeddings-file.ts for the byte layout).
 */
import { ArgumentError } from '@contrastive/core';
import { loadCifarSplits, startEngine, type CliIO } from '../context.js';
import { writeEmbeddings } from '../embeddings-file.js';
import { embedDataset } from '../evaluate.js';
import { assertSourceExists, loadEncoderFrom } from '../run-dir.js';
import { displayPath } from '../display-path.js';

/** Options of {@link embedCommand}. */
export interface EmbedCommandOptions {
  readonly out: string;
  readonly split?: string;
  readonly limit?: number;
  readonly dataDir?: string;
  readonly batchSize?: number;
  readonly checkpoint?: boolean;
  readonly engine?: string;
}

/** Runs `contrastive embed`; returns the exit status. */
export async function embedCommand(source: string, options: EmbedCommandOptions, io: CliIO): Promise<number> {
  const split = options.split ?? 'test';
  if (split !== 'train' && split !== 'test') {
    throw new ArgumentError(`--split must be 'train' or 'test', received '${split}'`, { argument: '--split', received: split, expected: "'train' | 'test'" });
  }
  await assertSourceExists(source);
  const engine = await startEngine(options.engine, io.err);
  io.err(`engine: ${engine.description}`);
  const loaded = await loadEncoderFrom(source, { preferCheckpoint: options.checkpoint === true });
  try {
    const splits = await loadCifarSplits({
      dataDir: options.dataDir,
      configDir: loaded.config?.data.dir,
      download: loaded.config?.data.download ?? true,
      skipTrain: split === 'test',
      ...(split === 'train' ? { trainLimit: options.limit } : { testLimit: options.limit }),
      io,
    });
    const dataset = split === 'train' ? splits.train! : splits.test;
    const { features, labels, seconds } = await embedDataset(loaded.encoder, dataset, {
      batchSize: options.batchSize ?? 256,
      progress: io.progress,
      stop: io.stop,
      label: `embed ${split}`,
    });
    let values: Float32Array;
    try {
      values = (await features.data()) as Float32Array;
    } finally {
      features.dispose();
    }
    const dim = values.length / dataset.length;
    const files = await writeEmbeddings(options.out, {
      features: values,
      labels,
      count: dataset.length,
      dim,
      classNames: dataset.classNames,
      source: loaded.description,
      split: `cifar10/${split}[0:${dataset.length}]`,
    });
    io.out(`wrote ${dataset.length} × ${dim} embeddings of cifar10/${split} (${seconds.toFixed(1)} s) to ${files.map((f) => displayPath(f)).join(' and ')}`);
    return 0;
  } finally {
    loaded.encoder.dispose();
  }
}

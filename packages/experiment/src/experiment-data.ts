/**
 * The data of one experiment, as every experiment function takes it: training and test images
 * in memory, whether they carry class labels, and where they came from.
 */
import { ConfigError } from '@contrastive/core';
import type { ImageDataset } from '@contrastive/data';
import type { RunConfig } from './config.js';

/** Train and test splits of an experiment. */
export interface ExperimentData {
  /** The training images (limited by `data.trainLimit`); null when a command asked for the test split only. */
  readonly train: ImageDataset | null;
  /** The test images (limited by `data.testLimit` or the command's own limit). */
  readonly test: ImageDataset;
  /** False for an unlabelled image folder: kNN, linear probe and the map's colours need labels and are skipped. */
  readonly labelled: boolean;
  /** Where the images were read from (an absolute path). */
  readonly dir: string;
  /** How `dir` was chosen, e.g. `'--data-dir'`, `'data.dir'`, `'$CONTRASTIVE_DATA_DIR'`, `'../shared/data'`. */
  readonly source: string;
  /** A one-line description for logs, e.g. `'cifar10: 320 training and 200 test images from /data (from data.dir)'`. */
  readonly description: string;
}

/**
 * Refuses a configuration whose strategy needs labels (`supcon`) on unlabelled data, with a
 * {@link ConfigError} naming `config.strategy.name`.
 */
export function assertTrainable(config: RunConfig, data: Pick<ExperimentData, 'labelled'>): void {
  if (config.strategy.name === 'supcon' && !data.labelled) {
    throw new ConfigError(`config.strategy.name: supcon learns from class labels, and ${config.data.dataset} data with labelled: false has none`, {
      argument: 'config.strategy.name',
      expected: 'a self-supervised strategy (simclr, mocoV2, instDisc) for unlabelled data, or labelled data',
      received: config.strategy.name,
    });
  }
}

/** The training split, or a {@link ConfigError} when it was not loaded (a caller's mistake). */
export function trainingSplit(data: ExperimentData): ImageDataset {
  if (data.train === null) {
    throw new ConfigError('the training split was not loaded (loadExperimentData with testOnly: true)', { argument: 'data.train', expected: 'a training split', received: null });
  }
  return data.train;
}

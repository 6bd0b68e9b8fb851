/**
 * The lazy way from the platform-neutral entry to `@contrastive/train/node` (directory
 * checkpoints, the JSONL metrics log, the terminal progress bar): the specifier sits in a
 * variable so that browser bundles do not follow it, and it is imported only when a caller
 * passes a Node.js convenience (a path, a terminal bar).
 */
import { loadNodeOnly } from '@contrastive/core';
import type { CheckpointStore } from './checkpoint-store.js';
import type { ProgressBarOptions } from './progress-options.js';
import type { TrainerCallbacks } from './trainer-types.js';

const TRAIN_NODE = '@contrastive/train/node';

/**
 * What the neutral code needs of `@contrastive/train/node`: a structural type, so that the main
 * entry never imports (and bundlers never follow) the Node module; `node-entry.test.ts` checks
 * that the real module satisfies it.
 */
export interface TrainNode {
  fileCheckpointStore(root: string): CheckpointStore;
  openCheckpointPath(path: string): Promise<{ readonly store: CheckpointStore; readonly name: string | null }>;
  metricsLogCallbacks<S>(path: string): TrainerCallbacks<S>;
  progressBarCallbacks<S>(epochs: number, options?: ProgressBarOptions & { readonly stepsPerEpoch?: number }): TrainerCallbacks<S>;
}

/** Imports `@contrastive/train/node`; outside Node.js an ArgumentError naming `argument` and `alternative`. */
export function loadTrainNode(where: string, argument: string, alternative: string): Promise<TrainNode> {
  return loadNodeOnly(where, argument, alternative, () => import(/* @vite-ignore */ TRAIN_NODE) as Promise<TrainNode>);
}

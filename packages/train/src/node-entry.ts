/**
 * The lazy way from the platform-neutral entry to `@contrastive/train/node` (directory
 * checkpoints, the JSONL metrics log, the terminal progress bar): the specifier sits in a
 * variable so that browser bundles do not follow it, and it is imported only when a caller
 * passes a Node.js convenience (a path, a terminal bar).
 */
import { loadNodeOnly } from '@contrastive/core';

const TRAIN_NODE = '@contrastive/train/node';

/** The module `@contrastive/train/node`. */
export type TrainNode = typeof import('./node/index.js');

/** Imports `@contrastive/train/node`; outside Node.js an ArgumentError naming `argument` and `alternative`. */
export function loadTrainNode(where: string, argument: string, alternative: string): Promise<TrainNode> {
  return loadNodeOnly(where, argument, alternative, () => import(/* @vite-ignore */ TRAIN_NODE) as Promise<TrainNode>);
}

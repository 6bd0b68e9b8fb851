/**
 * How many local worker processes a sweep gets by default: no more than the cores, the cells,
 * and what the free memory holds at a rough per-cell estimate ({@link estimateCellBytes}).
 */
import os from 'node:os';
import type { RunConfig } from '@contrastive/experiment';
import type { CellPlan } from '../plan.js';

const MIB = 2 ** 20;
/** What a worker process takes before any model: Node.js, tfjs, the wasm engine's heap. */
export const WORKER_BASE_BYTES = 400 * MIB;

/** Parameters of an encoder, roughly (ResNet: He et al. 2016's counts scaled by the width multiplier squared). */
function encoderParameters(config: RunConfig): number {
  const e = config.encoder;
  if (e.kind === 'resnet') return ({ 18: 11.2e6, 34: 21.3e6, 50: 23.5e6 } as const)[e.depth] * e.widthMultiplier ** 2;
  if (e.kind === 'convnet') return e.widths.reduce((sum, w, i) => sum + w * (i === 0 ? 3 : (e.widths[i - 1] ?? 3)) * 9, 0);
  return e.hidden.reduce((sum, w, i) => sum + w * (i === 0 ? 64 : (e.hidden[i - 1] ?? 64)), 0);
}

/** Input values of one sample (an image's pixels; a tabular row: 64, generously). */
function sampleValues(config: RunConfig): number {
  const d = config.data;
  if (d.dataset === 'tabular') return 64;
  if (d.dataset === 'imageFolder') return d.size[0] * d.size[1] * 3;
  return d.dataset === 'cifar10' ? 32 * 32 * 3 : 28 * 28 * 3;
}

/**
 * A rough estimate of the memory one cell's worker needs: the process itself, the training
 * images (as float32), the parameters with gradients and two optimizer slots (twice for
 * strategies with a momentum copy), a negatives queue, and the activations of one step (the
 * batch's views times a per-architecture factor). Used only to choose how many workers run
 * side by side; each run still checks its own allocations (`assertAllocation`).
 */
export function estimateCellBytes(config: RunConfig): number {
  const values = sampleValues(config);
  const trainRows = config.data.trainLimit ?? (config.data.dataset === 'tabular' ? 10_000 : 60_000);
  const momentum = ['mocoV2', 'byol', 'supconQueue'].includes(config.strategy.name) ? 2 : 1;
  const params = encoderParameters(config) * 4 * 4 * momentum;
  const queue = 'queueSize' in config.strategy ? config.strategy.queueSize * config.head.outputDim * 4 : 0;
  const views = 2 + (config.augment.localCrops?.count ?? 0);
  const activationFactor = config.encoder.kind === 'resnet' ? 40 * config.encoder.widthMultiplier * (config.encoder.depth === 50 ? 3 : 1) : config.encoder.kind === 'convnet' ? 20 : 4;
  const activations = config.train.batchSize * views * values * 4 * activationFactor;
  return WORKER_BASE_BYTES + trainRows * values * 4 + params + queue + activations;
}

/**
 * The default number of local workers for `cells`: at least 1, at most the cores, the cells,
 * and the free memory (80% of it) divided by the largest cell estimate.
 */
export function defaultWorkerCount(cells: readonly CellPlan[], machine: { cores?: number; freeBytes?: number } = {}): number {
  if (cells.length === 0) return 1;
  const cores = machine.cores ?? os.availableParallelism();
  const free = machine.freeBytes ?? os.freemem();
  const perCell = Math.max(...cells.map((c) => estimateCellBytes(c.config)));
  return Math.max(1, Math.min(cells.length, cores, Math.floor((free * 0.8) / perCell)));
}

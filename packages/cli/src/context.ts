/**
 * What every command shares: where its output goes, the compute engine, and the CIFAR-10 splits.
 */
import { initBackend, type EngineName } from '@contrastive/backend/node';
import { ArgumentError } from '@contrastive/core';
import { shouldShowProgress } from '@contrastive/core/node';
import { type ImageDataset } from '@contrastive/data';
import { loadCifar10 } from '@contrastive/data/node';
import type { StopRequest } from './interrupt.js';
import type { ProgressSink } from './progress.js';
import { resolveCifar10, type ResolvedCifar10 } from './data-dir.js';

/** Output streams of a command. */
export interface CliIO {
  /** Results (stdout). */
  readonly out: (line: string) => void;
  /** Diagnostics and progress (stderr). */
  readonly err: (line: string) => void;
  readonly progress: ProgressSink;
  readonly stop: StopRequest;
}

/** The `--engine` choices. */
export const ENGINE_CHOICES = ['auto', 'wasm+onednn', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;

/**
 * Starts the compute engine and returns a one-line description of it. The engine's notes (e.g. why
 * the oneDNN fast path is off and how to get it) go to `err` when given.
 */
export async function startEngine(engine: string | undefined, err?: (line: string) => void): Promise<{ engine: string; description: string }> {
  const choice = engine ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(choice)) {
    throw new ArgumentError(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, received '${choice}'`, { argument: '--engine', received: choice, expected: ENGINE_CHOICES.join(' | ') });
  }
  const report = await initBackend(choice === 'auto' ? {} : { prefer: choice as EngineName });
  for (const note of report.notes) err?.(`engine note: ${note}`);
  const details = [report.threads === null ? null : `${report.threads} thread${report.threads === 1 ? '' : 's'}`, report.simd === true ? 'SIMD' : null].filter((x) => x !== null);
  return { engine: report.engine, description: `${report.engine}${details.length > 0 ? ` (${details.join(', ')})` : ''}, tfjs ${report.tfjsVersion}` };
}

/** Options of {@link loadCifarSplits}. */
export interface LoadSplitsOptions {
  readonly dataDir?: string | undefined;
  readonly configDir?: string | undefined;
  readonly download?: boolean;
  /** Keep the first N training images. */
  readonly trainLimit?: number | undefined;
  /** Keep the first N test images. */
  readonly testLimit?: number | undefined;
  /** Skip the training split (not read at all). */
  readonly skipTrain?: boolean;
  readonly io: CliIO;
}

/** The CIFAR-10 splits a command works on. */
export interface CifarSplits {
  readonly location: ResolvedCifar10;
  readonly train: ImageDataset | null;
  readonly test: ImageDataset;
}

/** Finds CIFAR-10 (flag, config, environment, ../shared/data, cache/download) and reads the splits. */
export async function loadCifarSplits(o: LoadSplitsOptions): Promise<CifarSplits> {
  const location = await resolveCifar10({
    flag: o.dataDir,
    configDir: o.configDir,
    download: o.download ?? true,
    progressBar: shouldShowProgress(o.io.progress.show, o.io.progress.stream),
    log: o.io.err,
  });
  const train = o.skipTrain === true ? null : await loadCifar10({ dir: location.dir, split: 'train', ...(o.trainLimit === undefined ? {} : { limit: o.trainLimit }) });
  const test = await loadCifar10({ dir: location.dir, split: 'test', ...(o.testLimit === undefined ? {} : { limit: o.testLimit }) });
  return { location, train, test };
}

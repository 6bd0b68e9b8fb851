/**
 * The run directory that `contrastive train` writes and the other commands read:
 *
 * ```
 * <run>/config.json      the resolved configuration (every default filled in)
 * <run>/run.json         format, status, steps, the encoder's variable prefix in checkpoints
 * <run>/metrics.jsonl    one record per step and epoch (trainer) and per kNN check (type 'knn')
 * <run>/checkpoints/     step-NNNNNNNNN/ checkpoints and a `latest` pointer (@contrastive/train)
 * <run>/encoder/         the trained encoder (model.json + weights, @contrastive/encoders)
 * <run>/preview.png      the augmentation preview
 * <run>/eval.json        the last evaluation (kNN, linear probe, alignment, uniformity)
 * <run>/embedding-map.png  UMAP of test representations, coloured by class
 * <run>/report.html      the self-contained report
 * ```
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointError, ConfigError } from '@contrastive/core';
import { loadEncoder, type GraphEncoder } from '@contrastive/encoders';
import { writeFileAtomic } from '@contrastive/core/node';
import { latestCheckpoint, readCheckpoint, resolveCheckpoint } from '@contrastive/train';
import { buildEncoder, buildHead } from '../build.js';
import type { DenseHead } from '@contrastive/heads';
import { parseConfig, type RunConfig } from '../config.js';
import { displayPath } from './display-path.js';
import type { RunInfo } from '../run-info.js';

/** File names inside a run directory. */
export const RUN_FILES = {
  config: 'config.json',
  run: 'run.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  encoder: 'encoder',
  preview: 'preview.png',
  eval: 'eval.json',
  map: 'embedding-map.png',
  report: 'report.html',
} as const;

export type { RunInfo } from '../run-info.js';

/** Writes `run.json` atomically. */
export async function writeRunInfo(runDir: string, info: RunInfo): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_FILES.run), `${JSON.stringify(info, null, 2)}\n`);
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CheckpointError(`cannot read ${what} ${file}: ${(e as Error).message}`, { argument: what, received: file, cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CheckpointError(`${what} ${file} is not valid JSON: ${(e as Error).message}`, { argument: what, received: file, cause: e });
  }
}

/** Reads `run.json` of a run directory. */
export async function readRunInfo(runDir: string): Promise<RunInfo> {
  const value = (await readJson(path.join(runDir, RUN_FILES.run), 'run.json')) as Partial<RunInfo>;
  if (value.format !== 'contrastive-run' || typeof value.encoderPrefix !== 'string') {
    throw new CheckpointError(`${path.join(runDir, RUN_FILES.run)} is not a contrastive run file`, { argument: 'run.json', received: value.format });
  }
  return value as RunInfo;
}

/** Reads the resolved `config.json` of a run directory (validated again). */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const file = path.join(runDir, RUN_FILES.config);
  if (!existsSync(file)) throw new ConfigError(`${runDir} has no ${RUN_FILES.config}: not a run directory written by 'contrastive train'`, { argument: 'run', received: runDir });
  return parseConfig(await readJson(file, 'config.json'), `run configuration ${file}`);
}

/** True when `dir` holds a `run.json`. */
export function isRunDir(dir: string): boolean {
  return existsSync(path.join(dir, RUN_FILES.run));
}

/** The run directory above a checkpoint path (`<run>/checkpoints/step-*`), if any. */
export function runDirOfCheckpoint(checkpointPath: string): string | undefined {
  let dir = path.resolve(checkpointPath);
  for (let i = 0; i < 3; i++) {
    if (isRunDir(dir)) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Checks that an encoder source path exists (before the engine is started). */
export async function assertSourceExists(source: string): Promise<void> {
  try {
    await stat(source);
  } catch {
    throw new CheckpointError(`no such file or directory: ${source}`, { argument: 'source', received: source, expected: 'a run directory, a checkpoint or a saved encoder' });
  }
}

/** Where an encoder came from. */
export interface LoadedEncoder {
  readonly encoder: GraphEncoder;
  /** A short description, e.g. `runs/main/encoder` or `runs/main/checkpoints/step-000000100`. */
  readonly description: string;
  /** The run directory, when the source belongs to one. */
  readonly runDir: string | undefined;
  /** The run's configuration, when known. */
  readonly config: RunConfig | undefined;
}

/**
 * Loads an encoder from any of:
 * - a saved encoder directory (`model.json`, from `saveEncoder`);
 * - a run directory: its `encoder/` when present (and `checkpoint` is not set), else its latest checkpoint;
 * - a checkpoint (`<run>/checkpoints/step-*`) or checkpoint root (`<run>/checkpoints`): the
 *   encoder is rebuilt from the run's `config.json` and its weights are taken from the checkpoint.
 *
 * Throws {@link CheckpointError} for anything that is not one of these, or does not match.
 */
export async function loadEncoderFrom(source: string, options: { readonly preferCheckpoint?: boolean } = {}): Promise<LoadedEncoder> {
  const abs = path.resolve(source);
  let info;
  try {
    info = await stat(abs);
  } catch {
    throw new CheckpointError(`no such file or directory: ${source}`, { argument: 'source', received: source, expected: 'a run directory, a checkpoint or a saved encoder' });
  }
  if (!info.isDirectory()) {
    if (path.basename(abs) === 'model.json') return loadEncoderFrom(path.dirname(abs), options);
    throw new CheckpointError(`${source} is a file; expected a run directory, a checkpoint directory or a saved encoder directory`, {
      argument: 'source',
      received: source,
      expected: 'a directory',
    });
  }
  if (existsSync(path.join(abs, 'model.json'))) {
    const encoder = await loadEncoder(abs);
    const runDir = isRunDir(path.dirname(abs)) ? path.dirname(abs) : undefined;
    return { encoder, description: source, runDir, config: runDir === undefined ? undefined : await readRunConfig(runDir) };
  }
  if (isRunDir(abs)) {
    const encoderDir = path.join(abs, RUN_FILES.encoder);
    if (options.preferCheckpoint !== true && existsSync(path.join(encoderDir, 'model.json'))) {
      const encoder = await loadEncoder(encoderDir);
      return { encoder, description: path.join(source, RUN_FILES.encoder), runDir: abs, config: await readRunConfig(abs) };
    }
    const latest = await latestCheckpoint(path.join(abs, RUN_FILES.checkpoints));
    if (latest === null) {
      throw new CheckpointError(`run ${source} has neither a saved encoder nor a checkpoint yet`, { argument: 'source', received: source, expected: 'a run with a checkpoint' });
    }
    return encoderFromCheckpoint(latest, abs);
  }
  const runDir = runDirOfCheckpoint(abs);
  if (runDir === undefined) {
    throw new CheckpointError(`${source} is neither a run directory (run.json), a checkpoint inside one, nor a saved encoder (model.json)`, {
      argument: 'source',
      received: source,
      expected: 'a run directory, a checkpoint or a saved encoder',
    });
  }
  return encoderFromCheckpoint(await resolveCheckpoint(abs), runDir);
}

/** Rebuilds the run's encoder and copies its weights out of a checkpoint. */
async function encoderFromCheckpoint(checkpointPath: string, runDir: string): Promise<LoadedEncoder> {
  const config = await readRunConfig(runDir);
  const run = await readRunInfo(runDir);
  const loaded = await readCheckpoint(checkpointPath);
  const encoder = buildEncoder(config, run.inputShape);
  try {
    const missing: string[] = [];
    for (const { path: name, variable } of encoder.namedVariables()) {
      const stored = loaded.weights[`${run.encoderPrefix}.${name}`];
      if (stored === undefined) missing.push(name);
      else if (stored.shape.join(',') !== variable.shape.join(',')) {
        throw new CheckpointError(`checkpoint ${checkpointPath}: encoder variable '${name}' has shape [${stored.shape.join(',')}], the configuration builds [${variable.shape.join(',')}]`, {
          argument: name,
          received: stored.shape,
          expected: `[${variable.shape.join(',')}]`,
        });
      }
    }
    if (missing.length > 0) {
      throw new CheckpointError(`checkpoint ${checkpointPath} lacks ${missing.length} encoder variables under '${run.encoderPrefix}.' (e.g. '${missing[0]}')`, {
        argument: 'checkpoint',
        received: checkpointPath,
        expected: `variables ${run.encoderPrefix}.…`,
      });
    }
    for (const { path: name, variable } of encoder.namedVariables()) variable.assign(loaded.weights[`${run.encoderPrefix}.${name}`] as never);
  } catch (e) {
    encoder.dispose();
    throw e;
  } finally {
    loaded.dispose();
  }
  return { encoder, description: displayPath(checkpointPath), runDir, config };
}

/**
 * Rebuilds a run's projection head g(·) (for an encoder of output size `inputDim`) and copies its
 * weights (`head.<path>`) out of the run's latest checkpoint. Throws {@link CheckpointError}
 * when the run has no checkpoint or the checkpoint lacks the head's variables.
 */
export async function loadHeadFrom(runDir: string, inputDim: number): Promise<DenseHead> {
  const config = await readRunConfig(runDir);
  const latest = await latestCheckpoint(path.join(runDir, RUN_FILES.checkpoints));
  if (latest === null) {
    throw new CheckpointError(`run ${runDir} has no checkpoint: the projection head is only kept in checkpoints`, { argument: 'source', received: runDir, expected: 'a run with a checkpoint' });
  }
  const loaded = await readCheckpoint(latest);
  const head = buildHead(config.head, inputDim, config.seed + 1);
  try {
    for (const { path: name, variable } of head.namedVariables()) {
      const stored = loaded.weights[`${HEAD_CHECKPOINT_PREFIX}.${name}`];
      if (stored === undefined || stored.shape.join(',') !== variable.shape.join(',')) {
        throw new CheckpointError(`checkpoint ${latest}: head variable '${name}' is ${stored === undefined ? 'missing' : `[${stored.shape.join(',')}]`}, the configuration builds [${variable.shape.join(',')}]`, {
          argument: name,
          received: stored?.shape,
          expected: `[${variable.shape.join(',')}]`,
        });
      }
      variable.assign(stored as never);
    }
  } catch (e) {
    head.dispose();
    throw e;
  } finally {
    loaded.dispose();
  }
  return head;
}

/** The path prefix of the projection head's variables in a checkpoint (a composed strategy's `head.*`). */
export const HEAD_CHECKPOINT_PREFIX = 'head';

/**
 * The path prefix of the online encoder's variables in a checkpoint: a composed strategy's
 * `stateDict()` lists them as `encoder.<path>`, whatever order the process built its modules in.
 */
export const ENCODER_CHECKPOINT_PREFIX = 'encoder';

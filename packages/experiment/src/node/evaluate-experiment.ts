/**
 * `evaluateExperiment`: the whole of `contrastive eval` as one function, and `evaluateAndSave`,
 * the step the main job runs after training. Evaluation needs class labels: on an unlabelled
 * dataset it is skipped and the outcome says so.
 */
import path from 'node:path';
import { ArgumentError, type Encoder } from '@contrastive/core';
import { writeFileAtomic } from '@contrastive/core/node';
import { buildEncoder, buildHead } from '../build.js';
import { projectedEncoder } from '../projected-encoder.js';
import { parseConfig, type RunConfig } from '../config.js';
import { runEvaluation } from './evaluate-run.js';
import { trainingSplit, type ExperimentData } from '../experiment-data.js';
import { logOf, type ExperimentIO } from '../experiment-io.js';
import type { EvalFile } from '../report-html.js';
import { sampleShape } from '../samples.js';
import { loadExperimentData } from './datasets.js';
import { RUN_FILES, assertSourceExists, loadEncoderFrom, loadHeadFrom } from './run-dir.js';

/** The evaluation, or why there is none. */
export type EvaluationOutcome =
  | { readonly evaluated: true; readonly file: EvalFile; /** Files written into the run directory. */ readonly written: readonly string[] }
  | { readonly evaluated: false; /** Why, e.g. that the images carry no labels. */ readonly note: string };

/** Options of {@link evaluateAndSave}. */
export interface EvaluateAndSaveOptions extends ExperimentIO {
  readonly encoder: Encoder;
  /** The same architecture with its initial weights, evaluated second. */
  readonly randomEncoder?: Encoder | undefined;
  readonly config: RunConfig;
  /** Train (the kNN bank and probe training set) and test images. */
  readonly data: ExperimentData;
  /** What is evaluated, for eval.json (a path). */
  readonly source: string;
  /** Write eval.json and the embedding map here; none: nothing is written. */
  readonly runDir?: string | undefined;
}

/** The note of an evaluation skipped for want of labels. */
export const UNLABELLED_NOTE = 'evaluation skipped: the images are unlabelled (kNN, linear probe and the embedding map need class labels); `embed` still works';

/**
 * Evaluates an encoder on labelled data (kNN, linear probe, alignment, uniformity, and the
 * UMAP map when `runDir` is given) and writes `eval.json` and the map into `runDir`.
 */
export async function evaluateAndSave(o: EvaluateAndSaveOptions): Promise<EvaluationOutcome> {
  if (!o.data.labelled) return { evaluated: false, note: UNLABELLED_NOTE };
  const result = await runEvaluation({
    encoder: o.encoder,
    randomEncoder: o.randomEncoder,
    config: o.config,
    train: trainingSplit(o.data),
    test: o.data.test,
    source: o.source,
    map: o.runDir !== undefined,
    log: logOf(o),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.stop === undefined ? {} : { stop: o.stop }),
  });
  const written: string[] = [];
  if (o.runDir !== undefined) {
    const evalFile = path.join(o.runDir, RUN_FILES.eval);
    await writeFileAtomic(evalFile, `${JSON.stringify(result.file, null, 2)}\n`);
    written.push(evalFile);
    if (result.mapPng !== null) {
      const mapFile = path.join(o.runDir, RUN_FILES.map);
      await writeFileAtomic(mapFile, result.mapPng);
      written.push(mapFile);
    }
  }
  return { evaluated: true, file: result.file, written };
}

/** Settings of {@link evaluateExperiment} that override the run's `eval` section. */
export interface EvalOverrides {
  readonly bankSize?: number | undefined;
  readonly testSize?: number | undefined;
  readonly k?: number | undefined;
  readonly temperature?: number | undefined;
  readonly linearEpochs?: number | undefined;
  /** 'projection' evaluates z = g(h) instead of h (needs a run: the head lives in its checkpoints). */
  readonly representation?: 'encoder' | 'projection' | undefined;
}

/** Options of {@link evaluateExperiment}. */
export interface EvaluateExperimentOptions extends ExperimentIO, EvalOverrides {
  /** A run directory, a checkpoint inside one, or a saved encoder directory. */
  readonly source: string;
  /** Use the run's latest checkpoint even when a saved encoder exists. */
  readonly preferCheckpoint?: boolean;
  /** Also evaluate the same encoder with its initial random weights (needs a run). */
  readonly random?: boolean;
  /** Write eval.json and the map into the source's run directory (default true). */
  readonly save?: boolean;
  /** Overrides the run's `data.dir`. */
  readonly dataDir?: string | undefined;
  /** Called once the source is known to exist, before any tensor work (the command line starts its engine here). */
  readonly beforeWork?: () => Promise<void>;
}

/** What {@link evaluateExperiment} returns. */
export interface EvaluateExperimentResult {
  /** The encoder's source, e.g. `runs/x/encoder`. */
  readonly description: string;
  readonly encoderName: string;
  readonly dim: number;
  readonly data: ExperimentData;
  readonly outcome: EvaluationOutcome;
}

function withOverrides(base: RunConfig, o: EvalOverrides): RunConfig {
  return {
    ...base,
    eval: {
      ...base.eval,
      bankSize: o.bankSize ?? base.eval.bankSize,
      testSize: o.testSize ?? base.eval.testSize,
      k: o.k ?? base.eval.k,
      temperature: o.temperature ?? base.eval.temperature,
      linear: { ...base.eval.linear, epochs: o.linearEpochs ?? base.eval.linear.epochs },
      representation: o.representation ?? base.eval.representation,
    },
  };
}

/**
 * Evaluates a run, checkpoint or saved encoder on its run's dataset (a bare encoder: CIFAR-10),
 * optionally next to its random-weight twin. See the module documentation.
 *
 * @example
 * ```ts
 * const r = await evaluateExperiment({ source: 'runs/fm', random: true, log: console.error });
 * if (r.outcome.evaluated) console.log(r.outcome.file.pretrained.knn);
 * ```
 */
export async function evaluateExperiment(o: EvaluateExperimentOptions): Promise<EvaluateExperimentResult> {
  await assertSourceExists(o.source);
  await o.beforeWork?.();
  const loaded = await loadEncoderFrom(o.source, { preferCheckpoint: o.preferCheckpoint === true });
  let randomEncoder: Encoder | undefined;
  let evaluated: Encoder = loaded.encoder;
  try {
    const config = withOverrides(loaded.config ?? parseConfig({}), o);
    if (o.random === true) {
      if (loaded.config === undefined) {
        throw new ArgumentError(`--random needs a run directory or a checkpoint inside one (its config.json gives the initial weights); ${o.source} is a bare encoder`, {
          argument: '--random',
          received: o.source,
          expected: 'a run directory',
        });
      }
    }
    const projection = config.eval.representation === 'projection';
    if (projection && (loaded.runDir === undefined || loaded.config === undefined)) {
      throw new ArgumentError(`representation 'projection' needs a run directory or a checkpoint inside one (the head g is kept in its checkpoints); ${o.source} is a bare encoder`, {
        argument: 'representation',
        received: o.source,
        expected: 'a run directory',
      });
    }
    if (projection) evaluated = projectedEncoder(loaded.encoder, await loadHeadFrom(loaded.runDir as string, loaded.encoder.outputDim));
    const source = projection ? `${loaded.description} (projection z = g(h))` : loaded.description;
    logOf(o)(`encoder: ${source} (${evaluated.name}, ${evaluated.outputDim}-d)`);
    const data = await loadExperimentData(config.data, { seed: config.seed, dirOverride: o.dataDir, testLimit: config.eval.testSize, log: logOf(o), testOnly: false });
    logOf(o)(`data: ${data.description}`);
    if (loaded.config !== undefined && o.random === true) {
      const f = buildEncoder(loaded.config, sampleShape(data.test));
      randomEncoder = projection ? projectedEncoder(f, buildHead(loaded.config.head, f.outputDim, loaded.config.seed + 1)) : f;
    }
    const save = o.save !== false && loaded.runDir !== undefined;
    const outcome = await evaluateAndSave({ ...o, encoder: evaluated, randomEncoder, config, data, source, runDir: save ? loaded.runDir : undefined });
    return { description: source, encoderName: evaluated.name, dim: evaluated.outputDim, data, outcome };
  } finally {
    randomEncoder?.dispose();
    evaluated.dispose();
  }
}

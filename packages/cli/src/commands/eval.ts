/**
 * `contrastive eval <source>`: kNN (Wu et al. 2018) and linear-probe (Chen et al. 2020, §4)
 * accuracy of a saved encoder, a run or a checkpoint on the test split of its run's dataset,
 * optionally next to the same encoder with its initial random weights; writes `eval.json` and
 * the UMAP embedding map into the run directory (the experiment layer's `evaluateExperiment`).
 * On unlabelled images the evaluation is skipped with a note.
 */
import { formatEvaluationTable, type EvalFile } from '@contrastive/experiment';
import { evaluateExperiment } from '@contrastive/experiment/node';
import { experimentIO, startEngine, type CliIO } from '../context.js';

/** Options of {@link evalCommand}. */
export interface EvalCommandOptions {
  readonly dataDir?: string;
  readonly bankSize?: number;
  readonly testSize?: number;
  readonly k?: number;
  readonly temperature?: number;
  readonly linearEpochs?: number;
  /** 'projection': evaluate z = g(h) instead of h. */
  readonly representation?: 'encoder' | 'projection';
  /** Also evaluate the same encoder with its initial random weights (needs a run). */
  readonly random?: boolean;
  /** Print eval.json to stdout instead of the table. */
  readonly json?: boolean;
  /** Do not write eval.json / the map into the run directory. */
  readonly save?: boolean;
  /** Use the run's latest checkpoint even when a saved encoder exists. */
  readonly checkpoint?: boolean;
  readonly engine?: string;
}

/** The closing result line of an evaluation. */
export function resultLine(result: EvalFile): string {
  const random = result.random === null ? '' : ` random_knn=${result.random.knn.toFixed(4)} random_linear=${result.random.linear.toFixed(4)}`;
  return `knn=${result.pretrained.knn.toFixed(4)} linear=${result.pretrained.linear.toFixed(4)}${random} bank=${result.pretrained.bankSize} test=${result.pretrained.testSize}`;
}

/** Runs `contrastive eval`; returns the exit status. */
export async function evalCommand(source: string, options: EvalCommandOptions, io: CliIO): Promise<number> {
  const { outcome } = await evaluateExperiment({
    ...experimentIO(io),
    source,
    preferCheckpoint: options.checkpoint === true,
    random: options.random === true,
    save: options.save !== false,
    dataDir: options.dataDir,
    bankSize: options.bankSize,
    testSize: options.testSize,
    k: options.k,
    temperature: options.temperature,
    linearEpochs: options.linearEpochs,
    representation: options.representation,
    beforeWork: async () => {
      const engine = await startEngine(options.engine, io.err);
      io.err(`engine: ${engine.description}`);
    },
  });
  if (!outcome.evaluated) {
    if (options.json === true) io.out(JSON.stringify({ format: 'contrastive-eval', skipped: outcome.note }, null, 2));
    else io.out(outcome.note);
    return 0;
  }
  const result = outcome.file;
  if (options.json === true) io.out(JSON.stringify(result, null, 2));
  else {
    for (const line of formatEvaluationTable(result)) io.out(line);
    io.out(resultLine(result));
  }
  return 0;
}

/**
 * `contrastive embed <source> --out <file>`: writes the representations h = f(x) of a split of
 * the run's dataset (optionally its first N images), with their labels when the images have
 * them, as `.npy` or as one contrastive embeddings file (the experiment layer's `embedExperiment`).
 */
import { displayPath, embedExperiment } from '@contrastive/experiment/node';
import { experimentIO, startEngine, type CliIO } from '../context.js';

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
  const r = await embedExperiment({
    ...experimentIO(io),
    source,
    out: options.out,
    ...(options.split === undefined ? {} : { split: options.split }),
    limit: options.limit,
    batchSize: options.batchSize,
    preferCheckpoint: options.checkpoint === true,
    dataDir: options.dataDir,
    beforeWork: async () => {
      const engine = await startEngine(options.engine, io.err);
      io.err(`engine: ${engine.description}`);
    },
  });
  io.out(`wrote ${r.count} × ${r.dim} embeddings of ${r.split}${r.labelled ? '' : ' (unlabelled: no labels)'} (${r.seconds.toFixed(1)} s) to ${r.files.map((f) => displayPath(f)).join(' and ')}`);
  return 0;
}

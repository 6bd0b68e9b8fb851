/**
 * `contrastive report <run>`: writes the run's self-contained HTML report (training curves as
 * inline SVG, evaluation table, embedding map and augmentation preview as inline PNG), making a
 * missing preview and map first (the experiment layer's `reportExperiment`).
 */
import { displayPath, reportExperiment } from '@contrastive/experiment/node';
import { experimentIO, startEngine, type CliIO } from '../context.js';

/** Options of {@link reportCommand}. */
export interface ReportCommandOptions {
  readonly out?: string;
  readonly dataDir?: string;
  /** Make the embedding map when it is missing (default true). */
  readonly map?: boolean;
  readonly engine?: string;
  /** Lines shown under the title. */
  readonly notes?: readonly string[];
}

/** Runs `contrastive report`; returns the exit status. */
export async function reportCommand(run: string, options: ReportCommandOptions, io: CliIO): Promise<number> {
  const out = await reportExperiment({
    ...experimentIO(io),
    runDir: run,
    out: options.out,
    map: options.map !== false,
    dataDir: options.dataDir,
    notes: options.notes,
    beforeWork: async () => void (await startEngine(options.engine)),
  });
  io.out(`wrote ${displayPath(out)}`);
  return 0;
}

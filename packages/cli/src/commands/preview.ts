/**
 * `contrastive preview`: the augmentation grid of a configuration as a PNG (one row per test
 * image of the configured dataset: the image, then augmented views), to check the views look as
 * intended (SimCLR, Chen et al. 2020, §3: the composition of crop and colour distortion is what
 * matters). The experiment layer's `previewExperiment`.
 */
import { parseConfig } from '@contrastive/experiment';
import { displayPath, loadConfigFile, previewExperiment } from '@contrastive/experiment/node';
import { experimentIO, startEngine, type CliIO } from '../context.js';

/** Options of {@link previewCommand}. */
export interface PreviewCommandOptions {
  readonly config?: string;
  readonly out?: string;
  readonly images?: number;
  readonly views?: number;
  readonly seed?: number;
  /** Index of the first test image shown. */
  readonly start?: number;
  readonly dataDir?: string;
  readonly engine?: string;
}

/** Runs `contrastive preview`; returns the exit status. */
export async function previewCommand(options: PreviewCommandOptions, io: CliIO): Promise<number> {
  const config = options.config === undefined ? parseConfig({}) : await loadConfigFile(options.config);
  await startEngine(options.engine);
  const r = await previewExperiment({
    ...experimentIO(io),
    config,
    out: options.out ?? 'preview.png',
    images: options.images,
    views: options.views,
    start: options.start,
    seed: options.seed,
    dataDir: options.dataDir,
  });
  io.out(`wrote ${displayPath(r.file)} (${r.width}x${r.height}): ${r.images} test images, ${r.views} views each`);
  return 0;
}

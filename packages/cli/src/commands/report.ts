/**
 * `contrastive report <run>`: writes the run's self-contained HTML report (training curves as
 * inline SVG, evaluation table, embedding map and augmentation preview as inline PNG). Missing
 * pictures are made first: the preview from the run's configuration, the UMAP map from its
 * encoder (unless `--no-map`).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Rng } from '@contrastive/core';
import { batchFromIndices, disposeBatch } from '@contrastive/data';
import { writePreviewGrid } from '@contrastive/augment/node';
import { writeFileAtomic } from '@contrastive/core/node';
import { buildAugmenter } from '../build.js';
import type { RunConfig } from '../config.js';
import { loadCifarSplits, startEngine, type CliIO } from '../context.js';
import { embedDataset } from '../evaluate.js';
import { readMetrics } from '../metrics-file.js';
import { renderReportHtml, type EvalFile } from '../report-html.js';
import { RUN_FILES, isRunDir, loadEncoderFrom, readRunConfig, readRunInfo } from '../run-dir.js';
import { ArgumentError } from '@contrastive/core';
import { writeEmbeddingMap } from './eval.js';
import { displayPath } from '../display-path.js';

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

async function readIfExists(file: string): Promise<Buffer | undefined> {
  return existsSync(file) ? readFile(file) : undefined;
}

/** Writes `<run>/report.html` (or `out`) from what the run directory holds; returns the file. */
export async function writeRunReport(runDir: string, config: RunConfig, options: { readonly out?: string | undefined; readonly notes?: readonly string[] | undefined }): Promise<string> {
  const metrics = await readMetrics(path.join(runDir, RUN_FILES.metrics));
  const evalText = await readIfExists(path.join(runDir, RUN_FILES.eval));
  const html = renderReportHtml({
    title: config.name,
    metrics,
    evaluation: evalText === undefined ? undefined : (JSON.parse(evalText.toString('utf8')) as EvalFile),
    mapPng: await readIfExists(path.join(runDir, RUN_FILES.map)),
    previewPng: await readIfExists(path.join(runDir, RUN_FILES.preview)),
    config,
    run: await readRunInfo(runDir),
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  });
  const out = options.out ?? path.join(runDir, RUN_FILES.report);
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFileAtomic(out, html);
  return out;
}

/** Runs `contrastive report`; returns the exit status. */
export async function reportCommand(run: string, options: ReportCommandOptions, io: CliIO): Promise<number> {
  const runDir = path.resolve(run);
  if (!isRunDir(runDir)) {
    throw new ArgumentError(`${run} is not a run directory (no ${RUN_FILES.run}); pass the --out directory of 'contrastive train'`, { argument: 'run', received: run, expected: 'a run directory' });
  }
  const config = await readRunConfig(runDir);
  const needPreview = !existsSync(path.join(runDir, RUN_FILES.preview));
  const needMap = options.map !== false && !existsSync(path.join(runDir, RUN_FILES.map));
  if (needPreview || needMap) {
    await startEngine(options.engine);
    const testCount = Math.max(needMap ? config.report.mapPoints : 0, config.report.previewImages);
    const splits = await loadCifarSplits({ dataDir: options.dataDir, configDir: config.data.dir, download: config.data.download, skipTrain: true, testLimit: testCount, io });
    if (needPreview) {
      const n = Math.min(config.report.previewImages, splits.test.length);
      const batch = batchFromIndices(splits.test, Int32Array.from({ length: n }, (_, i) => i));
      try {
        await writePreviewGrid({ images: batch.images, recipe: buildAugmenter(config), rng: Rng.fromSeed(config.seed + 5), views: config.report.previewViews, file: path.join(runDir, RUN_FILES.preview) });
      } finally {
        disposeBatch(batch);
      }
    }
    if (needMap) {
      const loaded = await loadEncoderFrom(runDir);
      try {
        const { features } = await embedDataset(loaded.encoder, splits.test, { progress: io.progress, stop: io.stop, label: 'embed test (map)', batchSize: config.eval.batchSize });
        try {
          await writeEmbeddingMap(features, splits.test, config, path.join(runDir, RUN_FILES.map), io);
        } finally {
          features.dispose();
        }
      } finally {
        loaded.encoder.dispose();
      }
    }
  }
  const out = await writeRunReport(runDir, config, { out: options.out, notes: options.notes });
  io.out(`wrote ${displayPath(out)}`);
  return 0;
}

/**
 * `reportExperiment`: the whole of `contrastive report` as one function. Writes a run's
 * self-contained HTML report (training curves, evaluation table, embedding map, augmentation
 * preview), first making the missing pictures: the preview from the run's configuration, the
 * UMAP map from its encoder (labelled data only).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, Rng } from '@contrastive/core';
import { writeFileAtomic } from '@contrastive/core/node';
import { batchFromIndices, disposeBatch } from '@contrastive/data';
import { writePreviewGrid } from '@contrastive/augment/node';
import { buildAugmenter } from '../build.js';
import type { RunConfig } from '../config.js';
import { embedDataset } from '../evaluate.js';
import { embeddingMapPng } from './evaluate-run.js';
import { logOf, type ExperimentIO } from '../experiment-io.js';
import { renderReportHtml, type EvalFile } from '../report-html.js';
import { isTabular } from '../samples.js';
import { loadExperimentData } from './datasets.js';
import { readMetrics } from './metrics.js';
import { RUN_FILES, isRunDir, loadEncoderFrom, readRunConfig, readRunInfo } from './run-dir.js';

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

/** Options of {@link reportExperiment}. */
export interface ReportExperimentOptions extends ExperimentIO {
  /** The run directory. */
  readonly runDir: string;
  /** The HTML file (default `<run>/report.html`). */
  readonly out?: string | undefined;
  /** Make the embedding map when it is missing (default true; labelled data only). */
  readonly map?: boolean;
  /** Overrides the run's `data.dir`. */
  readonly dataDir?: string | undefined;
  /** Lines shown under the title. */
  readonly notes?: readonly string[] | undefined;
  /** Called before the first tensor work (only when a picture is missing). */
  readonly beforeWork?: () => Promise<void>;
}

/**
 * Writes a run's report, making a missing preview and map first; returns the HTML file.
 *
 * @example
 * ```ts
 * const file = await reportExperiment({ runDir: 'runs/fm' });
 * ```
 */
export async function reportExperiment(o: ReportExperimentOptions): Promise<string> {
  const runDir = path.resolve(o.runDir);
  if (!isRunDir(runDir)) {
    throw new ArgumentError(`${o.runDir} is not a run directory (no ${RUN_FILES.run}); pass the --out directory of 'contrastive train'`, { argument: 'run', received: o.runDir, expected: 'a run directory' });
  }
  const config = await readRunConfig(runDir);
  const needPreview = config.data.dataset !== 'tabular' && !existsSync(path.join(runDir, RUN_FILES.preview));
  let needMap = o.map !== false && !existsSync(path.join(runDir, RUN_FILES.map));
  if (needPreview || needMap) {
    await o.beforeWork?.();
    const testCount = Math.max(needMap ? config.report.mapPoints : 0, config.report.previewImages);
    const data = await loadExperimentData(config.data, { seed: config.seed, dirOverride: o.dataDir, testOnly: true, testLimit: testCount, log: logOf(o) });
    if (needMap && !data.labelled) {
      logOf(o)('embedding map: skipped (the images are unlabelled)');
      needMap = false;
    }
    if (needPreview && !isTabular(data.test)) {
      const n = Math.min(config.report.previewImages, data.test.length);
      const batch = batchFromIndices(data.test, Int32Array.from({ length: n }, (_, i) => i));
      try {
        await writePreviewGrid({ images: batch.images, recipe: buildAugmenter(config), rng: Rng.fromSeed(config.seed + 5), views: config.report.previewViews, file: path.join(runDir, RUN_FILES.preview) });
      } finally {
        disposeBatch(batch);
      }
    }
    if (needMap) {
      const loaded = await loadEncoderFrom(runDir);
      try {
        const { features } = await embedDataset(loaded.encoder, data.test, {
          label: 'embed test (map)',
          batchSize: config.eval.batchSize,
          ...(o.progress === undefined ? {} : { progress: o.progress }),
          ...(o.stop === undefined ? {} : { stop: o.stop }),
        });
        try {
          const png = embeddingMapPng(features, data.test, config, o.progress);
          if (png !== null) await writeFileAtomic(path.join(runDir, RUN_FILES.map), png);
        } finally {
          features.dispose();
        }
      } finally {
        loaded.encoder.dispose();
      }
    }
  }
  return writeRunReport(runDir, config, { out: o.out, notes: o.notes });
}

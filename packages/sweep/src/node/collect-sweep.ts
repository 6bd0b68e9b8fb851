/**
 * Collecting a sweep's results from its directory: `sweep.json` (cells, overrides, results, and
 * mean ± std over seeds per configuration group), `results.csv`, `results.md` and
 * `comparison.html`. Works on a partly finished sweep (pending and failed cells are listed).
 */
import path from 'node:path';
import { writeFileAtomic } from '@contrastive/core/node';
import { readMetrics, RUN_FILES, type RunMetrics } from '@contrastive/experiment/node';
import type { CellFailure, CellResult } from '../cell-result.js';
import { resultsCsv, resultsMarkdown } from '../results-table.js';
import { summarizeSweep, type SweepSummary } from '../summarize.js';
import { comparisonHtml } from './comparison-html.js';
import { readSweepPlan } from './prepare-sweep.js';
import { SWEEP_FILES, cellDir, readCellFailure, readCellResult } from './sweep-dir.js';

/** What {@link collectSweep} returns. */
export interface CollectedSweep {
  readonly summary: SweepSummary;
  /** The markdown table (as written to results.md). */
  readonly markdown: string;
  /** The files written. */
  readonly files: readonly string[];
}

/** A cell's metrics log, or undefined when it has none (not started) or it cannot be read. */
async function cellMetrics(sweepDir: string, cellId: string): Promise<RunMetrics | undefined> {
  try {
    return await readMetrics(path.join(cellDir(sweepDir, cellId), RUN_FILES.metrics));
  } catch {
    return undefined;
  }
}

/**
 * Reads every cell's result and writes the sweep's result files. See the module documentation.
 *
 * @example
 * ```ts
 * const { markdown } = await collectSweep('runs/sweeps/temperature');
 * console.log(markdown);
 * ```
 */
export async function collectSweep(sweepDir: string, options: { readonly html?: boolean } = {}): Promise<CollectedSweep> {
  const plan = await readSweepPlan(sweepDir);
  const results = new Map<string, CellResult>();
  const failures = new Map<string, CellFailure>();
  const curves = new Map<string, RunMetrics>();
  for (const cell of plan.cells) {
    const r = await readCellResult(sweepDir, cell.id);
    if (r !== undefined) results.set(cell.id, r);
    else {
      const f = await readCellFailure(sweepDir, cell.id);
      if (f !== undefined) failures.set(cell.id, f);
    }
    const m = await cellMetrics(sweepDir, cell.id);
    if (m !== undefined) curves.set(cell.id, m);
  }
  const summary = summarizeSweep(plan, results, failures);
  const markdown = resultsMarkdown(summary);
  const files = [SWEEP_FILES.summary, SWEEP_FILES.csv, SWEEP_FILES.markdown].map((f) => path.join(sweepDir, f));
  await writeFileAtomic(files[0]!, `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomic(files[1]!, resultsCsv(summary));
  await writeFileAtomic(files[2]!, markdown);
  if (options.html !== false) {
    const html = path.join(sweepDir, SWEEP_FILES.html);
    await writeFileAtomic(html, await comparisonHtml({ summary, plan, curves }));
    files.push(html);
  }
  return { summary, markdown, files };
}

/**
 * Reading a run's metrics log from disk (Node.js); parsing is {@link parseMetrics} (platform-neutral).
 */
import { readFile } from 'node:fs/promises';
import { parseMetrics, type RunMetrics } from '../metrics.js';

export { parseMetrics, type RunMetrics, type StepRecord, type KnnRecord, type EpochRecord } from '../metrics.js';

/** Reads and parses a metrics log file (an absent file is an empty log). */
export async function readMetrics(file: string): Promise<RunMetrics> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { steps: [], knn: [], epochs: [] };
    throw e;
  }
  return parseMetrics(text, file);
}

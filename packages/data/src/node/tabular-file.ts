/**
 * Reads a tabular file (CSV or JSON rows of numbers with a label column) from disk.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, describeValue } from '@contrastive/core';
import type { TabularDataset } from '../tabular-dataset.js';
import { parseTabular, type ParseTabularOptions } from '../tabular-parse.js';

/** Options of {@link loadTabular}: the file plus {@link ParseTabularOptions} (format from the ending by default). */
export interface LoadTabularOptions extends Omit<ParseTabularOptions, 'file'> {
  /** Path of a `.csv`, `.tsv` or `.json` file. */
  readonly file: string;
}

/**
 * Loads a tabular file with {@link parseTabular}. The format defaults to the file's ending
 * (`.json` JSON; `.tsv` CSV with tab delimiter; otherwise CSV); the name defaults to the file
 * name. Errors name the file.
 *
 * @example
 * ```ts
 * const ds = await loadTabular({ file: 'iris.csv', labelColumn: 'species' });
 * const { train, test } = splitIndices(ds.labels, { testFraction: 0.3, rng: Rng.fromSeed(0) });
 * ```
 */
export async function loadTabular(options: LoadTabularOptions): Promise<TabularDataset> {
  if (typeof options?.file !== 'string' || options.file === '') {
    throw new ArgumentError(`loadTabular: argument 'options.file' must be a file path, received ${describeValue(options?.file)}`, { argument: 'options.file', received: options?.file });
  }
  const ext = path.extname(options.file).toLowerCase();
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (cause) {
    throw new ArgumentError(`loadTabular: argument 'options.file' must be a readable file, received ${JSON.stringify(options.file)} (${(cause as Error).message})`, { argument: 'options.file', received: options.file, cause });
  }
  const format = options.format ?? (ext === '.json' ? 'json' : 'csv');
  return parseTabular(text, {
    ...options,
    format,
    ...(options.delimiter === undefined && ext === '.tsv' ? { delimiter: '\t' } : {}),
    file: options.file,
    name: options.name ?? path.basename(options.file),
  });
}

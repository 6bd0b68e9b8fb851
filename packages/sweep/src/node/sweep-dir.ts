/**
 * The sweep directory `<out>/<name>/`: `sweep.yaml` (the sweep file and base configuration as
 * given, and their hash), `plan.json` (every cell's resolved configuration), `cells/<id>/` (a
 * normal run directory each, plus `result.json`, `failed.json`, `attempts.json`, `cell.log`),
 * and the results: `sweep.json`, `results.csv`, `results.md`, `comparison.html`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import type { CellFailure, CellResult } from '../cell-result.js';

/** File names of a sweep directory. */
export const SWEEP_FILES = {
  spec: 'sweep.yaml',
  plan: 'plan.json',
  cells: 'cells',
  summary: 'sweep.json',
  csv: 'results.csv',
  markdown: 'results.md',
  html: 'comparison.html',
} as const;

/** File names inside a cell's run directory, besides the run's own. */
export const CELL_FILES = {
  result: 'result.json',
  failure: 'failed.json',
  attempts: 'attempts.json',
  log: 'cell.log',
  /** The directory of the cell's process lock (`.cell/.lock`). */
  lockDir: '.cell',
} as const;

/** The default parent of sweep directories. */
export const DEFAULT_SWEEPS_DIR = path.join('runs', 'sweeps');

/** The run directory of a cell. */
export function cellDir(sweepDir: string, cellId: string): string {
  if (!/^[A-Za-z0-9._=-]+$/.test(cellId) || cellId === '.' || cellId === '..') {
    throw new ArgumentError(`not a cell id: ${JSON.stringify(cellId)}`, { argument: 'cellId', received: cellId, expected: 'letters, digits, ".", "_", "=" or "-"' });
  }
  return path.join(sweepDir, SWEEP_FILES.cells, cellId);
}

/** Reads a JSON file, or undefined when it does not exist. */
export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DataFormatError(`${file} is not valid JSON: ${(e as Error).message}`, file, undefined, { cause: e });
  }
}

/** A cell's `result.json`, or undefined when the cell has not finished. */
export function readCellResult(sweepDir: string, cellId: string): Promise<CellResult | undefined> {
  return readJsonIfExists<CellResult>(path.join(cellDir(sweepDir, cellId), CELL_FILES.result));
}

/** A cell's `failed.json`, or undefined. */
export function readCellFailure(sweepDir: string, cellId: string): Promise<CellFailure | undefined> {
  return readJsonIfExists<CellFailure>(path.join(cellDir(sweepDir, cellId), CELL_FILES.failure));
}

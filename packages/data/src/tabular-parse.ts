/**
 * Tabular data from text: CSV (parsed by the maintained `csv-parse`) or JSON rows, every
 * column a number except the label column.
 */
import { parse } from 'csv-parse/sync';
import { ArgumentError, DataFormatError, assertOptionsObject, describeValue } from '@contrastive/core';
import type { TabularDataset } from './tabular-dataset.js';

/** Options of {@link parseTabular}. */
export interface ParseTabularOptions {
  /** `'csv'` (default) or `'json'`. */
  readonly format?: 'csv' | 'json';
  /**
   * The label column: its name (from the header or the JSON keys) or its 0-based position.
   * Default: the last column.
   */
  readonly labelColumn?: string | number;
  /** CSV only: the first row names the columns (default true); without it columns are named `'0'`, `'1'`, .... */
  readonly header?: boolean;
  /** CSV only: the field delimiter (default `','`). */
  readonly delimiter?: string;
  /**
   * The classes, in label order. Default: the distinct label values, sorted numerically when
   * all are numbers, else by code point. A label value not in the list is an error.
   */
  readonly classNames?: readonly string[];
  /** Name of the source for messages (default `'<text>'`); `loadTabular` passes the path. */
  readonly file?: string;
  /** The data set's name; default `file`. */
  readonly name?: string;
}

type Cell = string | number | boolean | null | undefined;

/** The table as column names plus rows of cells, with the line (CSV) or row (JSON) of each row. */
interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  readonly where: (row: number) => string;
}

function csvTable(text: string, file: string, header: boolean, delimiter: string): Table {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, info: true }) as unknown as typeof records;
  } catch (cause) {
    throw new DataFormatError(`${file}: not a valid CSV table: ${(cause as Error).message}`, file, undefined, { cause });
  }
  if (records.length === 0) throw new DataFormatError(`${file}: no rows`, file);
  const first = records[0] as { record: string[] };
  const columns = header ? first.record : first.record.map((_, j) => String(j));
  const body = header ? records.slice(1) : records;
  return { columns, rows: body.map((r) => r.record), where: (i) => `line ${(body[i] as { info: { lines: number } }).info.lines}` };
}

function jsonTable(text: string, file: string): Table {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataFormatError(`${file}: not valid JSON: ${(cause as Error).message}`, file, undefined, { cause });
  }
  if (!Array.isArray(value) || value.length === 0) throw new DataFormatError(`${file}: expected a non-empty JSON array of rows, received ${describeValue(value)}`, file);
  const where = (i: number): string => `row ${i}`;
  if (value.every((r) => Array.isArray(r))) {
    const width = (value[0] as unknown[]).length;
    return { columns: Array.from({ length: width }, (_, j) => String(j)), rows: value as Cell[][], where };
  }
  if (value.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) {
    const columns = Object.keys(value[0] as object);
    return { columns, rows: (value as Array<Record<string, Cell>>).map((r) => columns.map((c) => r[c])), where };
  }
  throw new DataFormatError(`${file}: every row must be an array, or every row an object`, file);
}

const numeric = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

/**
 * Parses a table of numeric features with one label column into a {@link TabularDataset}.
 * Every row must have every column; features must be finite numbers; at most 256 classes.
 * Errors are {@link DataFormatError}s naming the file and the line (CSV) or row (JSON).
 *
 * @example
 * ```ts
 * const ds = parseTabular('a,b,kind\n1,2,x\n3,4,y\n', { labelColumn: 'kind' });
 * // ds.featureNames = ['a', 'b']; ds.classNames = ['x', 'y']; ds.features = [1, 2, 3, 4]
 * ```
 */
export function parseTabular(text: string, options: ParseTabularOptions = {}): TabularDataset {
  const where = 'parseTabular';
  if (typeof text !== 'string') throw new ArgumentError(`${where}: argument 'text' must be a string, received ${describeValue(text)}`, { argument: 'text', received: text });
  assertOptionsObject(where, 'options', options);
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new ArgumentError(`${where}: argument 'options.format' must be 'csv' or 'json', received ${describeValue(format)}`, { argument: 'options.format', received: format });
  const file = options.file ?? '<text>';
  const table = format === 'csv' ? csvTable(text, file, options.header ?? true, options.delimiter ?? ',') : jsonTable(text, file);
  const { columns, rows } = table;

  const lc = options.labelColumn ?? columns.length - 1;
  const labelAt = typeof lc === 'number' ? lc : columns.indexOf(lc);
  if (!Number.isInteger(labelAt) || labelAt < 0 || labelAt >= columns.length) {
    throw new ArgumentError(`${where}: argument 'options.labelColumn' must name one of the columns [${columns.join(', ')}] or be a position below ${columns.length}, received ${describeValue(lc)}`, {
      argument: 'options.labelColumn', expected: columns.join(', '), received: lc,
    });
  }
  if (columns.length < 2) throw new DataFormatError(`${file}: needs a label column and at least one feature column, found ${columns.length} column(s)`, file);
  const featureAt = columns.map((_, j) => j).filter((j) => j !== labelAt);
  const numFeatures = featureAt.length;
  const features = new Float32Array(rows.length * numFeatures);
  const rawLabels: string[] = [];
  rows.forEach((row, i) => {
    if (row.length !== columns.length) throw new DataFormatError(`${file}: ${table.where(i)}: ${row.length} values, expected ${columns.length}`, file);
    featureAt.forEach((j, f) => {
      const cell = row[j];
      const v = typeof cell === 'number' ? cell : typeof cell === 'string' && numeric(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) {
        throw new DataFormatError(`${file}: ${table.where(i)}: column ${JSON.stringify(columns[j])} must be a finite number, received ${JSON.stringify(cell ?? null)}`, file, undefined, {
          argument: columns[j] as string, expected: 'a finite number', received: cell,
        });
      }
      features[i * numFeatures + f] = v;
    });
    const label = row[labelAt];
    if (label === null || label === undefined || String(label).trim() === '') throw new DataFormatError(`${file}: ${table.where(i)}: empty label`, file);
    rawLabels.push(String(label).trim());
  });

  let classNames: readonly string[];
  if (options.classNames !== undefined) {
    if (!Array.isArray(options.classNames) || !options.classNames.every((c) => typeof c === 'string')) {
      throw new ArgumentError(`${where}: argument 'options.classNames' must be an array of strings, received ${describeValue(options.classNames)}`, { argument: 'options.classNames', received: options.classNames });
    }
    classNames = [...options.classNames];
  } else {
    const distinct = [...new Set(rawLabels)];
    classNames = distinct.every(numeric) ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (classNames.length > 256) throw new DataFormatError(`${file}: ${classNames.length} distinct labels in column ${JSON.stringify(columns[labelAt])}, at most 256 supported`, file);
  const index = new Map(classNames.map((c, k) => [c, k]));
  const labels = new Uint8Array(rows.length);
  rawLabels.forEach((l, i) => {
    const k = index.get(l);
    if (k === undefined) throw new DataFormatError(`${file}: ${table.where(i)}: label ${JSON.stringify(l)} is not one of options.classNames [${classNames.join(', ')}]`, file);
    labels[i] = k;
  });
  return {
    name: options.name ?? file,
    features,
    labels,
    length: rows.length,
    numFeatures,
    featureNames: featureAt.map((j) => columns[j] as string),
    classNames,
  };
}

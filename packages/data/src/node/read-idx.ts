/**
 * Reading IDX files (gzip-compressed or not) from disk: Node.js only. Parsing bytes you already
 * have is {@link parseIdx} in `@contrastive/data`.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ArgumentError, DataFormatError, assertInteger, assertOptionsObject, describeValue } from '@contrastive/core';
import { parseIdx, type IdxArray } from '../idx.js';

const gunzipAsync = promisify(gunzip);

/** Options of {@link readIdx}. */
export interface ReadIdxOptions {
  /** Keep only the first `limit` items of the outermost dimension. */
  readonly limit?: number;
}

/**
 * Reads an IDX file, gzip-compressed or not (decided by the gzip magic bytes 1f 8b, not by
 * the name). Byte offsets in errors about the IDX structure count in the decompressed data;
 * a gzip stream cut short is reported at the compressed file's end.
 *
 * @example
 * ```ts
 * const labels = await readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * // labels.dims = [10000], labels.dtype = 'uint8'
 * ```
 */
export async function readIdx(file: string, options: ReadIdxOptions = {}): Promise<IdxArray> {
  const where = 'readIdx';
  if (typeof file !== 'string' || file === '') {
    throw new ArgumentError(`${where}: argument 'file' must be a file path, received ${describeValue(file)}`, { argument: 'file', expected: 'a file path', received: file });
  }
  assertOptionsObject(where, 'options', options);
  if (options.limit !== undefined) assertInteger(where, 'options.limit', options.limit, 1);
  let raw: Uint8Array;
  try {
    raw = await readFile(file);
  } catch (cause) {
    throw new DataFormatError(`${file}: cannot read IDX file (${(cause as Error).message})`, file, undefined, { cause });
  }
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(raw);
    } catch (cause) {
      const truncated = (cause as { code?: string }).code === 'Z_BUF_ERROR' || /unexpected end/i.test((cause as Error).message);
      throw new DataFormatError(
        `${file}: corrupt gzip data (${(cause as Error).message})${truncated ? `: compressed stream ends early at byte offset ${raw.length}` : ''}`,
        file,
        truncated ? raw.length : undefined,
        { cause },
      );
    }
  }
  const parsed = parseIdx(bytes, file);
  const n = parsed.dims[0] as number;
  if (options.limit === undefined || options.limit >= n) return parsed;
  const per = parsed.data.length / Math.max(1, n);
  return { dtype: parsed.dtype, dims: [options.limit, ...parsed.dims.slice(1)], data: parsed.data.slice(0, options.limit * per) };
}


/**
 * Files written by `contrastive embed`: representations h `[N, D]` (float32) with their labels.
 *
 * Two formats, chosen by the file extension:
 *
 * - **`.npy`** (NumPy format 1.0): the features as a `<f4` array of shape `(N, D)`, and the labels
 *   beside it as `<name>.labels.npy` (`<i4`, shape `(N,)`). `numpy.load` reads both.
 * - **anything else** (e.g. `.emb`), the contrastive embeddings file, one file holding everything:
 *   ```
 *   offset 0   8 bytes   magic "CONTREMB"
 *   offset 8   uint32 LE H, the byte length of the JSON header
 *   offset 12  H bytes   UTF-8 JSON header, padded with spaces so that 12 + H is a multiple of 16:
 *              { format: "contrastive-embeddings", version: 1, count: N, dim: D,
 *                dtype: "float32", byteOrder: "little", featuresOffset, labelsOffset (or null),
 *                labelsDtype: "int32", classNames, source, split, created }
 *   featuresOffset   N·D float32 little-endian, row-major (row i = sample i)
 *   labelsOffset     N int32 little-endian (absent when labelsOffset is null)
 *   ```
 *   In NumPy: `h = json.loads(b[12:12+H]); x = np.frombuffer(b, '<f4', N*D, h['featuresOffset']).reshape(N, D)`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { writeFileAtomic } from '@contrastive/core/node';

/** The magic bytes of the contrastive embeddings file. */
export const EMBEDDINGS_MAGIC = 'CONTREMB';

/** Header of an embeddings file (also what {@link readEmbeddings} returns besides the arrays). */
export interface EmbeddingsHeader {
  readonly format: 'contrastive-embeddings';
  readonly version: 1;
  readonly count: number;
  readonly dim: number;
  readonly dtype: 'float32';
  readonly byteOrder: 'little';
  readonly featuresOffset: number;
  readonly labelsOffset: number | null;
  readonly labelsDtype: 'int32';
  readonly classNames: readonly string[];
  /** What produced the features (encoder path). */
  readonly source: string;
  /** Which images (e.g. `cifar10/test[0:10000]`). */
  readonly split: string;
  readonly created: string;
}

/** Embeddings in memory. */
export interface Embeddings {
  /** `count × dim` values, row-major. */
  readonly features: Float32Array;
  readonly labels: Int32Array | null;
  readonly count: number;
  readonly dim: number;
  readonly classNames: readonly string[];
  readonly source: string;
  readonly split: string;
}

function le(array: Float32Array | Int32Array): Uint8Array {
  // Node runs on little-endian hosts (x64, arm64); copy the bytes as they are.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** The NumPy `.npy` (format 1.0) bytes of a float32 or int32 array of the given shape. */
export function encodeNpy(array: Float32Array | Int32Array, shape: readonly number[]): Uint8Array {
  const descr = array instanceof Float32Array ? '<f4' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic (6) + version (2) + header length (2) + header + '\n' must be a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + array.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(le(array), total);
  return out;
}

/** Parses `.npy` bytes (format 1.x/2.x, `<f4` or `<i4`, C order). */
export function decodeNpy(bytes: Uint8Array, file = 'array.npy'): { data: Float32Array | Int32Array; shape: number[] } {
  const magic = Buffer.from(bytes.subarray(0, 6)).toString('latin1');
  if (magic !== '\x93NUMPY') throw new DataFormatError(`${file}: not a .npy file (bad magic)`, file, 0);
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLength)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new DataFormatError(`${file}: Fortran-order arrays are not supported`, file, start);
  if ((descr !== '<f4' && descr !== '<i4') || shapeText === undefined) throw new DataFormatError(`${file}: unsupported .npy header ${header.trim()}`, file, start);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (bytes.byteLength < offset + count * 4) throw new DataFormatError(`${file}: truncated (needs ${offset + count * 4} bytes, has ${bytes.byteLength})`, file, bytes.byteLength);
  const copy = bytes.slice(offset, offset + count * 4);
  const data = descr === '<f4' ? new Float32Array(copy.buffer, copy.byteOffset, count) : new Int32Array(copy.buffer, copy.byteOffset, count);
  return { data, shape };
}

/** The labels file written beside `<name>.npy`. */
export function labelsNpyPath(file: string): string {
  return file.replace(/\.npy$/i, '') + '.labels.npy';
}

/**
 * Writes embeddings atomically, as `.npy` (+ `.labels.npy`) or as one contrastive embeddings file
 * (see the module documentation). Returns the files written.
 *
 * @example
 * ```ts
 * await writeEmbeddings('test.emb', { features, labels, count: 10000, dim: 128, classNames, source: 'runs/main', split: 'cifar10/test' });
 * ```
 */
export async function writeEmbeddings(file: string, e: Embeddings): Promise<string[]> {
  if (e.features.length !== e.count * e.dim) {
    throw new ArgumentError(`writeEmbeddings: features hold ${e.features.length} values, expected count × dim = ${e.count * e.dim}`, {
      argument: 'features',
      received: e.features.length,
      expected: `${e.count * e.dim}`,
    });
  }
  if (e.labels !== null && e.labels.length !== e.count) {
    throw new ArgumentError(`writeEmbeddings: ${e.labels.length} labels for ${e.count} rows`, { argument: 'labels', received: e.labels.length, expected: `${e.count}` });
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (path.extname(file).toLowerCase() === '.npy') {
    await writeFileAtomic(file, encodeNpy(e.features, [e.count, e.dim]));
    const written = [file];
    if (e.labels !== null) {
      await writeFileAtomic(labelsNpyPath(file), encodeNpy(e.labels, [e.count]));
      written.push(labelsNpyPath(file));
    }
    return written;
  }
  const base = {
    format: 'contrastive-embeddings' as const,
    version: 1 as const,
    count: e.count,
    dim: e.dim,
    dtype: 'float32' as const,
    byteOrder: 'little' as const,
    labelsDtype: 'int32' as const,
    classNames: e.classNames,
    source: e.source,
    split: e.split,
    created: new Date().toISOString(),
  };
  // The offsets depend on the header length, which depends on the offsets' digits: iterate.
  let featuresOffset = 0;
  let json = '';
  for (let i = 0; i < 4; i++) {
    const labelsOffset = e.labels === null ? null : featuresOffset + e.features.byteLength;
    json = JSON.stringify({ ...base, featuresOffset, labelsOffset });
    const next = Math.ceil((12 + Buffer.byteLength(json, 'utf8')) / 16) * 16;
    if (next === featuresOffset) break;
    featuresOffset = next;
  }
  const headerBytes = Buffer.from(json.padEnd(featuresOffset - 12 - (Buffer.byteLength(json, 'utf8') - json.length), ' '), 'utf8');
  const out = new Uint8Array(featuresOffset + e.features.byteLength + (e.labels?.byteLength ?? 0));
  out.set(Buffer.from(EMBEDDINGS_MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, 12);
  out.set(le(e.features), featuresOffset);
  if (e.labels !== null) out.set(le(e.labels), featuresOffset + e.features.byteLength);
  await writeFileAtomic(file, out);
  return [file];
}

/** Reads a file written by {@link writeEmbeddings} (either format). */
export async function readEmbeddings(file: string): Promise<Embeddings> {
  const bytes = new Uint8Array(await readFile(file));
  if (path.extname(file).toLowerCase() === '.npy') {
    const { data, shape } = decodeNpy(bytes, file);
    if (!(data instanceof Float32Array) || shape.length !== 2) throw new DataFormatError(`${file}: expected a float32 array of shape (N, D)`, file, 0);
    let labels: Int32Array | null = null;
    try {
      const l = decodeNpy(new Uint8Array(await readFile(labelsNpyPath(file))), labelsNpyPath(file));
      labels = l.data instanceof Int32Array ? l.data : null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return { features: data, labels, count: shape[0] as number, dim: shape[1] as number, classNames: [], source: file, split: '' };
  }
  if (bytes.byteLength < 12 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== EMBEDDINGS_MAGIC) {
    throw new DataFormatError(`${file}: not a contrastive embeddings file (magic "${EMBEDDINGS_MAGIC}" missing)`, file, 0);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header: EmbeddingsHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + headerLength)).toString('utf8')) as EmbeddingsHeader;
  } catch {
    throw new DataFormatError(`${file}: the JSON header is corrupt`, file, 12);
  }
  const need = header.featuresOffset + header.count * header.dim * 4 + (header.labelsOffset === null ? 0 : header.count * 4);
  if (bytes.byteLength < need) throw new DataFormatError(`${file}: truncated (needs ${need} bytes, has ${bytes.byteLength})`, file, bytes.byteLength);
  const f = bytes.slice(header.featuresOffset, header.featuresOffset + header.count * header.dim * 4);
  const features = new Float32Array(f.buffer, f.byteOffset, header.count * header.dim);
  let labels: Int32Array | null = null;
  if (header.labelsOffset !== null) {
    const l = bytes.slice(header.labelsOffset, header.labelsOffset + header.count * 4);
    labels = new Int32Array(l.buffer, l.byteOffset, header.count);
  }
  return { features, labels, count: header.count, dim: header.dim, classNames: header.classNames, source: header.source, split: header.split };
}

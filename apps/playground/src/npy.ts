/**
 * NumPy `.npy` (format version 1.0) for float32 matrices, platform-neutral: the page writes the
 * embeddings it downloads with {@link encodeNpy}; tests and Node read them with {@link decodeNpy}.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Encodes a row-major float32 array of `shape` as a little-endian `.npy` file (`<f4`).
 *
 * @example
 * ```ts
 * const bytes = encodeNpy(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * ```
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== data.length) {
    throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] holds ${count} values, the data ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + header length (2) + header + '\n', padded to a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
  return out;
}

/**
 * Decodes a `.npy` file of little-endian float32 (`<f4`, C order) written by {@link encodeNpy}
 * or NumPy. Throws on other dtypes or a malformed header.
 */
export function decodeNpy(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error('decodeNpy: not a .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLength));
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`decodeNpy: only little-endian float32 ('<f4') is supported, header ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('decodeNpy: Fortran order is not supported');
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (m === null) throw new Error(`decodeNpy: no shape in header ${header.trim()}`);
  const shape = (m[1] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  if (bytes.length - dataStart !== count * 4) throw new Error(`decodeNpy: shape [${shape.join(', ')}] needs ${count * 4} data bytes, the file has ${bytes.length - dataStart}`);
  const data = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart, count * 4);
  for (let i = 0; i < count; i++) data[i] = dv.getFloat32(i * 4, true);
  return { data, shape };
}

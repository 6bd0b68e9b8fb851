/**
 * The IDX format of MNIST (LeCun et al. 1998, http://yann.lecun.com/exdb/mnist/) and
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): a 4-byte magic (0, 0, type code, number of
 * dimensions), one big-endian uint32 per dimension, then the data, big-endian, row-major.
 * Parsing and encoding bytes here; reading files (gzip-compressed or not) is `readIdx` of
 * `@contrastive/data/node`.
 */
import { ArgumentError, DataFormatError, describeValue } from '@contrastive/core';

/** Element types of IDX files, by type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** An n-dimensional array read from an IDX file. */
export interface IdxArray {
  readonly dtype: IdxDataType;
  /** Sizes of the dimensions, outermost first (e.g. `[60000, 28, 28]`). */
  readonly dims: readonly number[];
  /** The elements in row-major order, host byte order. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Readonly<Record<number, { dtype: IdxDataType; bytes: number }>> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

/** The IDX type code of a data type (for writing files). */
export const IDX_TYPE_CODES: Readonly<Record<IdxDataType, number>> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

/**
 * Parses the bytes of an (uncompressed) IDX file. `file` is only used in error messages.
 * Throws {@link DataFormatError} with the byte offset of the problem: a bad magic (offset 0),
 * an unknown type code (2), zero dimensions (3), a header cut short, data cut short (the
 * offset where the first incomplete item starts) or bytes after the data.
 */
export function parseIdx(bytes: Uint8Array, file = '<buffer>'): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`parseIdx: argument 'bytes' must be a Uint8Array, received ${describeValue(bytes)}`, { argument: 'bytes', expected: 'a Uint8Array', received: bytes });
  }
  if (bytes.length < 4) throw new DataFormatError(`${file}: truncated IDX header: ${bytes.length} bytes, the magic number alone needs 4`, file, bytes.length);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(`${file}: not an IDX file: magic starts with bytes ${bytes[0]}, ${bytes[1]} at offset 0, expected 0, 0`, file, 0, { expected: '0x0000', received: [bytes[0], bytes[1]] });
  }
  const type = TYPES[bytes[2] as number];
  if (type === undefined) {
    throw new DataFormatError(`${file}: unknown IDX type code 0x${(bytes[2] as number).toString(16)} at offset 2 (expected 08, 09, 0b, 0c, 0d or 0e)`, file, 2, { received: bytes[2] });
  }
  const rank = bytes[3] as number;
  if (rank === 0) throw new DataFormatError(`${file}: IDX file declares 0 dimensions at offset 3`, file, 3);
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new DataFormatError(`${file}: truncated IDX header: ${rank} dimensions need ${header} header bytes, the file has ${bytes.length}`, file, bytes.length);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const itemBytes = (count / Math.max(1, dims[0] as number)) * type.bytes; // bytes per outermost item
  const dataBytes = count * type.bytes;
  const available = bytes.length - header;
  if (available < dataBytes) {
    const complete = itemBytes === 0 ? 0 : Math.floor(available / itemBytes);
    const offset = header + complete * itemBytes;
    throw new DataFormatError(
      `${file}: truncated IDX data: dims [${dims.join(', ')}] of ${type.dtype} need ${dataBytes} bytes after the ${header}-byte header, the file has ${available}; item ${complete} starting at byte offset ${offset} is incomplete`,
      file,
      offset,
      { expected: `${header + dataBytes} bytes`, received: bytes.length },
    );
  }
  if (available > dataBytes) {
    throw new DataFormatError(`${file}: ${available - dataBytes} unexpected bytes after the IDX data, from byte offset ${header + dataBytes}`, file, header + dataBytes, {
      expected: `${header + dataBytes} bytes`, received: bytes.length,
    });
  }
  let data: IdxArray['data'];
  switch (type.dtype) {
    case 'uint8':
      data = bytes.slice(header, header + dataBytes);
      break;
    case 'int8':
      data = new Int8Array(bytes.slice(header, header + dataBytes).buffer);
      break;
    case 'int16':
      data = Int16Array.from({ length: count }, (_, i) => view.getInt16(header + 2 * i, false));
      break;
    case 'int32':
      data = Int32Array.from({ length: count }, (_, i) => view.getInt32(header + 4 * i, false));
      break;
    case 'float32':
      data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(header + 4 * i, false));
      break;
    case 'float64':
      data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(header + 8 * i, false));
      break;
  }
  return { dtype: type.dtype, dims, data };
}

/**
 * Encodes an array as IDX bytes (big-endian), the inverse of {@link parseIdx}. Useful to
 * write small fixtures and to export data for other tools.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, dims, data } = array;
  const code = IDX_TYPE_CODES[dtype];
  if (code === undefined) throw new ArgumentError(`encodeIdx: argument 'array.dtype' must be an IDX type, received ${describeValue(dtype)}`, { argument: 'array.dtype', received: dtype });
  if (!Array.isArray(dims) || dims.length === 0 || dims.length > 255 || !dims.every((d) => Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) {
    throw new ArgumentError(`encodeIdx: argument 'array.dims' must be 1-255 sizes (uint32), received ${describeValue(dims)}`, { argument: 'array.dims', received: dims });
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new ArgumentError(`encodeIdx: argument 'array.data' must hold ${count} elements for dims [${dims.join(', ')}], received ${data.length}`, { argument: 'array.data', received: data.length });
  }
  const size = (TYPES[code] as { bytes: number }).bytes;
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i] as number;
    const at = header + i * size;
    if (dtype === 'uint8') view.setUint8(at, v);
    else if (dtype === 'int8') view.setInt8(at, v);
    else if (dtype === 'int16') view.setInt16(at, v, false);
    else if (dtype === 'int32') view.setInt32(at, v, false);
    else if (dtype === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}

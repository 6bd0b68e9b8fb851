import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '@contrastive/core';
import { encodeIdx, parseIdx, type IdxArray } from './idx.js';
import { readIdx } from './node/read-idx.js';

/**
 * Independent fixture writer (does not use encodeIdx): magic 00 00 08 <rank>, big-endian
 * uint32 dims, then uint8 data, written with Buffer's own big-endian helpers.
 */
function idxUint8(dims: readonly number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

const arbUint8Idx = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
  .chain(([n, h, w]) => fc.tuple(fc.constant([n, h, w]), fc.uint8Array({ minLength: n * h * w, maxLength: n * h * w })));

describe('parseIdx', () => {
  it('reads header, dims and uint8 data of files written independently (law)', () => {
    fc.assert(
      fc.property(arbUint8Idx, ([dims, data]) => {
        const parsed = parseIdx(idxUint8(dims, data), 'x.idx');
        expect(parsed.dtype).toBe('uint8');
        expect(parsed.dims).toEqual(dims);
        expect(Array.from(parsed.data)).toEqual(Array.from(data));
      }),
      { numRuns: 30 },
    );
  });

  it('reads big-endian multi-byte types: a hand-written int32 and float64 file', () => {
    const i32 = Buffer.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]);
    expect(parseIdx(i32)).toEqual({ dtype: 'int32', dims: [2], data: Int32Array.of(-2, 256) });
    const f64 = Buffer.alloc(4 + 4 + 8);
    f64.writeUInt8(0x0e, 2);
    f64.writeUInt8(1, 3);
    f64.writeUInt32BE(1, 4);
    f64.writeDoubleBE(-1.25, 8);
    expect(Array.from(parseIdx(f64).data)).toEqual([-1.25]);
  });

  it('encodeIdx then parseIdx is the identity for every dtype (law)', () => {
    const arbArray: fc.Arbitrary<IdxArray> = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }).map((v) => ({ dtype: 'uint8' as const, dims: [v.length], data: Uint8Array.from(v) })),
      fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 12 }).map((v) => ({ dtype: 'int8' as const, dims: [v.length], data: Int8Array.from(v) })),
      fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 12 }).map((v) => ({ dtype: 'int16' as const, dims: [v.length], data: Int16Array.from(v) })),
      fc.array(fc.integer(), { maxLength: 12 }).map((v) => ({ dtype: 'int32' as const, dims: [v.length], data: Int32Array.from(v) })),
      fc.array(fc.float({ noNaN: true }), { maxLength: 12 }).map((v) => ({ dtype: 'float32' as const, dims: [v.length], data: Float32Array.from(v) })),
      fc.array(fc.double({ noNaN: true }), { maxLength: 12 }).map((v) => ({ dtype: 'float64' as const, dims: [v.length], data: Float64Array.from(v) })),
    );
    fc.assert(
      fc.property(arbArray, (array) => {
        expect(parseIdx(encodeIdx(array))).toEqual(array);
      }),
      { numRuns: 30 },
    );
  });

  it('truncated data: DataFormatError at the offset where the first incomplete item starts (law)', () => {
    fc.assert(
      fc.property(arbUint8Idx, fc.nat(), ([dims, data], cutRaw) => {
        fc.pre(data.length > 0);
        const full = idxUint8(dims, data);
        const header = 16;
        const cut = header + (cutRaw % data.length); // keep the header, drop >= 1 data byte
        const itemBytes = dims[1]! * dims[2]!;
        const err = (() => {
          try {
            parseIdx(full.subarray(0, cut), 'cut.idx');
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err).toBeInstanceOf(DataFormatError);
        expect((err as DataFormatError).file).toBe('cut.idx');
        expect((err as DataFormatError).byteOffset).toBe(header + Math.floor((cut - header) / itemBytes) * itemBytes);
      }),
      { numRuns: 30 },
    );
  });

  it('bad magic, unknown type, zero rank, short header and trailing bytes give their offsets', () => {
    const ok = idxUint8([2, 1, 1], Uint8Array.of(1, 2));
    const at = (bytes: Uint8Array): number | undefined => {
      try {
        parseIdx(bytes, 'f');
      } catch (e) {
        expect(e).toBeInstanceOf(DataFormatError);
        return (e as DataFormatError).byteOffset;
      }
      throw new Error('expected a DataFormatError');
    };
    expect(at(Buffer.from([0, 1, 8, 1]))).toBe(0);
    expect(at(Buffer.from([0, 0, 7, 1, 0, 0, 0, 0]))).toBe(2);
    expect(at(Buffer.from([0, 0, 8, 0]))).toBe(3);
    expect(at(Buffer.from([0, 0]))).toBe(2);
    expect(at(ok.subarray(0, 10))).toBe(10); // header needs 16 bytes
    expect(at(Buffer.concat([ok, Buffer.from([9])]))).toBe(ok.length);
  });
});

describe('readIdx', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'idx-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads plain and gzip files alike (gzip recognised by magic, whatever the name), with limit', async () => {
    const data = Uint8Array.from({ length: 5 * 2 * 3 }, (_, i) => i);
    const bytes = idxUint8([5, 2, 3], data);
    await writeFile(path.join(tmp, 'plain-idx3-ubyte'), bytes);
    await writeFile(path.join(tmp, 'packed-idx3-ubyte.gz'), gzipSync(bytes));
    await writeFile(path.join(tmp, 'packed-no-suffix'), gzipSync(bytes));
    for (const name of ['plain-idx3-ubyte', 'packed-idx3-ubyte.gz', 'packed-no-suffix']) {
      const read = await readIdx(path.join(tmp, name));
      expect(read.dims).toEqual([5, 2, 3]);
      expect(Array.from(read.data)).toEqual(Array.from(data));
    }
    const head = await readIdx(path.join(tmp, 'packed-idx3-ubyte.gz'), { limit: 2 });
    expect(head.dims).toEqual([2, 2, 3]);
    expect(Array.from(head.data)).toEqual(Array.from(data.subarray(0, 12)));
  });

  it('a gzip file cut short: DataFormatError at the compressed end; truncated IDX inside gzip: offset in the decompressed data', async () => {
    const bytes = idxUint8([40, 4, 4], Uint8Array.from({ length: 640 }, (_, i) => (i * 37) & 255));
    const gz = gzipSync(bytes);
    const cutGz = path.join(tmp, 'cut.gz');
    await writeFile(cutGz, gz.subarray(0, gz.length - 20));
    await expect(readIdx(cutGz)).rejects.toMatchObject({ code: 'DATA_FORMAT', file: cutGz, byteOffset: gz.length - 20 });
    const cutInside = path.join(tmp, 'cut-inside.gz');
    await writeFile(cutInside, gzipSync(bytes.subarray(0, 16 + 3 * 16 + 5)));
    await expect(readIdx(cutInside)).rejects.toMatchObject({ file: cutInside, byteOffset: 16 + 3 * 16 });
    await expect(readIdx(path.join(tmp, 'missing'))).rejects.toBeInstanceOf(DataFormatError);
    await expect(readIdx('')).rejects.toMatchObject({ argument: 'file' });
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError } from '@contrastive/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, labelsNpyPath, readEmbeddings, writeEmbeddings } from './embeddings-file.js';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'cli-emb-'));

describe('.npy encoding (NumPy format 1.0)', () => {
  it('writes the documented header: magic, version 1.0, a 64-byte aligned dict with descr, order and shape', () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = (bytes[8] as number) + 256 * (bytes[9] as number);
    expect((10 + headerLength) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(Array.from(new Float32Array(bytes.slice(10 + headerLength).buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    const labels = Buffer.from(encodeNpy(new Int32Array([7, 8]), [2])).toString('latin1');
    expect(labels).toContain("'descr': '<i4'");
    expect(labels).toContain("'shape': (2,)");
  });

  it('property: decode(encode(x)) = x for float32 matrices and int32 vectors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (n, d, seed) => {
        const x = Float32Array.from({ length: n * d }, (_, i) => Math.fround(Math.sin(seed + i) * 100));
        const back = decodeNpy(encodeNpy(x, [n, d]));
        expect(back.shape).toEqual([n, d]);
        expect(Array.from(back.data)).toEqual(Array.from(x));
        const l = Int32Array.from({ length: n }, (_, i) => (seed + i) % 10);
        expect(Array.from(decodeNpy(encodeNpy(l, [n])).data)).toEqual(Array.from(l));
      }),
      { numRuns: 25 },
    );
  });
});

describe('writeEmbeddings / readEmbeddings', () => {
  it('property: both formats round-trip features and labels exactly', async () => {
    const dir = await tmp();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }), async (count, dim, withLabels, seed) => {
        const features = Float32Array.from({ length: count * dim }, (_, i) => Math.fround(Math.cos(seed * 7 + i)));
        const labels = withLabels ? Int32Array.from({ length: count }, (_, i) => (seed + i) % 10) : null;
        for (const name of [`e${seed}.emb`, `e${seed}.npy`]) {
          const file = path.join(dir, name);
          const written = await writeEmbeddings(file, { features, labels, count, dim, classNames: ['a', 'b'], source: 'test', split: 'cifar10/test[0:1]' });
          expect(written[0]).toBe(file);
          const back = await readEmbeddings(file);
          expect(back.count).toBe(count);
          expect(back.dim).toBe(dim);
          expect(Array.from(back.features)).toEqual(Array.from(features));
          if (name.endsWith('.npy') && !withLabels) expect(written).toHaveLength(1);
          else expect(back.labels === null ? null : Array.from(back.labels)).toEqual(labels === null ? null : Array.from(labels));
        }
      }),
      { numRuns: 15 },
    );
  });

  it('the single-file layout: magic, header length, 16-byte aligned features, labels after them', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'x.emb');
    await writeEmbeddings(file, { features: new Float32Array([1, 2, 3, 4]), labels: new Int32Array([5, 6]), count: 2, dim: 2, classNames: ['c'], source: 's', split: 'p' });
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('CONTREMB');
    const h = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + h).toString('utf8')) as { featuresOffset: number; labelsOffset: number; count: number; dim: number };
    expect(header.featuresOffset).toBe(12 + h);
    expect(header.featuresOffset % 16).toBe(0);
    expect(bytes.readFloatLE(header.featuresOffset + 12)).toBe(4);
    expect(header.labelsOffset).toBe(header.featuresOffset + 16);
    expect(bytes.readInt32LE(header.labelsOffset + 4)).toBe(6);
    expect(bytes.byteLength).toBe(header.labelsOffset + 8);
  });

  it('refuses mismatched sizes, and reports corrupt or truncated files as DataFormatError', async () => {
    const dir = await tmp();
    await expect(writeEmbeddings(path.join(dir, 'a.emb'), { features: new Float32Array(5), labels: null, count: 2, dim: 2, classNames: [], source: '', split: '' })).rejects.toThrow(/count × dim = 4/);
    const file = path.join(dir, 'b.emb');
    await writeEmbeddings(file, { features: new Float32Array(8), labels: new Int32Array(2), count: 2, dim: 4, classNames: [], source: '', split: '' });
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.byteLength - 3));
    await expect(readEmbeddings(file)).rejects.toBeInstanceOf(DataFormatError);
    await writeFile(file, Buffer.from('not an embeddings file'));
    await expect(readEmbeddings(file)).rejects.toThrow(/magic/);
    const npy = path.join(dir, 'c.npy');
    await writeFile(npy, Buffer.from('\x93NUMPX'));
    await expect(readEmbeddings(npy)).rejects.toBeInstanceOf(DataFormatError);
    expect(labelsNpyPath('/a/b/test.npy')).toBe('/a/b/test.labels.npy');
  });
});

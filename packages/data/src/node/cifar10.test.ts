import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { sharedDataDir } from '../../../../test/shared-data.js';
import { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, loadCifar10, locateCifar10, readCifar10Binary } from './cifar10.js';
import { classCounts, imageAt, type ImageDataset } from '../dataset.js';

interface Meta {
  classes: string[];
  counts: { train: Record<string, number>; test: Record<string, number>; lossless_train_first4000: Record<string, number> };
  files: Record<string, { records: number; bytes: number; sha256: string }>;
}

const sha256File = (file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });

/** Pixel (y, x, c) of record i read straight from the file bytes, by the README's formula. */
const rawPixel = (bytes: Uint8Array, i: number, y: number, x: number, c: number): number =>
  bytes[i * CIFAR10_RECORD_BYTES + 1 + c * 1024 + y * 32 + x] as number;

/** Byte equality without vitest's element-by-element deep equality (slow on large arrays). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

const pixel = (ds: ImageDataset, i: number, y: number, x: number): number[] => {
  const img = imageAt(ds, i);
  const o = (y * 32 + x) * 3;
  return [img[o]!, img[o + 1]!, img[o + 2]!];
};

describe('CIFAR-10 reader on the real files in shared/data', () => {
  const dataDir = sharedDataDir();
  const cifarDir = path.join(dataDir, 'cifar10');
  let meta: Meta;
  let train: ImageDataset;
  let test: ImageDataset;

  beforeAll(async () => {
    meta = JSON.parse(await readFile(path.join(cifarDir, 'meta.json'), 'utf8')) as Meta;
    [train, test] = await Promise.all([loadCifar10({ dir: dataDir, split: 'train' }), loadCifar10({ dir: dataDir, split: 'test' })]);
  });

  it('files match the sha256 checksums and sizes in meta.json', async () => {
    for (const [name, info] of Object.entries(meta.files)) {
      const file = path.join(cifarDir, name);
      expect(await sha256File(file), name).toBe(info.sha256);
      expect(info.bytes, name).toBe(info.records * CIFAR10_RECORD_BYTES);
    }
  });

  it('locates the single-file layout from the data root and from the cifar10 folder', async () => {
    const fromRoot = await locateCifar10(dataDir);
    expect(fromRoot?.layout).toBe('single');
    expect(fromRoot?.dir).toBe(cifarDir);
    expect((await locateCifar10(cifarDir))?.train).toEqual([path.join(cifarDir, 'train.bin')]);
  });

  it('reads the counts and class balance of meta.json', () => {
    expect(train.length).toBe(meta.files['train.bin']!.records);
    expect(test.length).toBe(meta.files['test.bin']!.records);
    expect(train.classNames).toEqual(meta.classes);
    expect([...CIFAR10_CLASSES]).toEqual(meta.classes);
    expect(classCounts(train)).toEqual(meta.classes.map((c) => meta.counts.train[c]));
    expect(classCounts(test)).toEqual(meta.classes.map((c) => meta.counts.test[c]));
    expect([train.height, train.width, train.channels, train.images.length]).toEqual([32, 32, 3, 50000 * 3072]);
  });

  it('reads the first ten labels of each split', () => {
    // Obtained independently of this package with
    //   for i in 0 1 2 3 4 5 6 7 8 9; do od -An -tu1 -j $((i*3073)) -N1 train.bin; done
    // (and the same for test.bin), cross-checked with numpy: fromfile(...).reshape(-1,3073)[:10,0].
    // They are also the well-known first labels of the official data_batch_1 / test_batch
    // (frog, truck, truck, deer, ... / cat, ship, ship, airplane, ...).
    expect([...train.labels.subarray(0, 10)]).toEqual([6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    expect([...test.labels.subarray(0, 10)]).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
  });

  it('transposes planar RGB records to NHWC (law, against the raw bytes)', async () => {
    const handle = await open(path.join(cifarDir, 'test.bin'), 'r');
    const raw = new Uint8Array(200 * CIFAR10_RECORD_BYTES);
    await handle.read(raw, 0, raw.length, 0);
    await handle.close();
    fc.assert(
      fc.property(fc.nat(199), fc.nat(31), fc.nat(31), (i, y, x) => {
        expect(pixel(test, i, y, x)).toEqual([0, 1, 2].map((c) => rawPixel(raw, i, y, x, c)));
        expect(test.labels[i]).toBe(raw[i * CIFAR10_RECORD_BYTES]);
      }),
      { numRuns: 30 },
    );
  });

  it('lossless files: published pixel values and labels equal to the prefix of train.bin/test.bin', async () => {
    const lossTrain = await readCifar10Binary(path.join(cifarDir, 'lossless', 'train_first4000.bin'));
    const lossTest = await readCifar10Binary(path.join(cifarDir, 'lossless', 'test_first1000.bin'));
    // Values quoted in meta.json "lossless_verification" (as printed by keras' cifar10.load_data()).
    expect([pixel(lossTrain, 0, 0, 0), pixel(lossTrain, 0, 0, 1), pixel(lossTrain, 0, 0, 2)]).toEqual([[59, 62, 63], [43, 46, 45], [50, 48, 43]]);
    expect([pixel(lossTrain, 0, 1, 0), pixel(lossTrain, 0, 1, 1), pixel(lossTrain, 0, 1, 2)]).toEqual([[16, 20, 20], [0, 0, 0], [18, 8, 0]]);
    expect(pixel(lossTest, 0, 0, 0)).toEqual([158, 112, 49]);
    expect(sameBytes(lossTrain.labels, train.labels.subarray(0, 4000))).toBe(true);
    expect(sameBytes(lossTest.labels, test.labels.subarray(0, 1000))).toBe(true);
    expect(classCounts(lossTrain)).toEqual(meta.classes.map((c) => meta.counts.lossless_train_first4000[c]));
  });

  it('limit keeps the first records', async () => {
    const head = await loadCifar10({ dir: dataDir, split: 'test', limit: 37 });
    expect(head.length).toBe(37);
    expect(head.labels).toEqual(test.labels.subarray(0, 37));
    expect(sameBytes(head.images, test.images.subarray(0, 37 * 3072))).toBe(true);
    expect((await loadCifar10({ dir: dataDir, split: 'test', limit: 10_000_000 })).length).toBe(10000);
  });
});

describe('CIFAR-10 reader on the distributed batch layout and on broken files', () => {
  let tmp: string;
  const records = (labels: number[], seed: number): Uint8Array => {
    const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
    labels.forEach((label, k) => {
      out[k * CIFAR10_RECORD_BYTES] = label;
      for (let j = 1; j < CIFAR10_RECORD_BYTES; j++) out[k * CIFAR10_RECORD_BYTES + j] = (j * 7 + k * 13 + seed * 31) & 255;
    });
    return out;
  };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cifar10-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads data_batch_1..5.bin + test_batch.bin in order, limit crossing file boundaries', async () => {
    const dir = path.join(tmp, 'cifar-10-batches-bin');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir);
    const batchLabels = [[0, 1], [2, 3, 4], [5], [6, 7], [8, 9, 0]];
    for (let b = 0; b < 5; b++) await writeFile(path.join(dir, `data_batch_${b + 1}.bin`), records(batchLabels[b]!, b));
    await writeFile(path.join(dir, 'test_batch.bin'), records([9, 8, 7], 9));
    const located = await locateCifar10(tmp);
    expect(located?.layout).toBe('batches');
    const train = await loadCifar10({ dir: tmp });
    expect([...train.labels]).toEqual(batchLabels.flat());
    expect([...(await loadCifar10({ dir: tmp, split: 'test' })).labels]).toEqual([9, 8, 7]);
    const limited = await loadCifar10({ dir: tmp, limit: 4 });
    expect([...limited.labels]).toEqual([0, 1, 2, 3]);
    expect(sameBytes(limited.images, train.images.subarray(0, 4 * 3072))).toBe(true);
    // Record 3 is record 1 of data_batch_2; its pixel (y=2, x=5, c=1) by the raw formula:
    const raw = records(batchLabels[1]!, 1);
    expect(pixel(train, 3, 2, 5)[1]).toBe(rawPixel(raw, 1, 2, 5, 1));
  });

  it('truncated file: DataFormatError naming the file and the offset of the incomplete record', async () => {
    const file = path.join(tmp, 'truncated.bin');
    await writeFile(file, records([1, 2, 3], 0).subarray(0, 2 * CIFAR10_RECORD_BYTES + 100));
    const err = await readCifar10Binary(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as DataFormatError).file).toBe(file);
    expect((err as DataFormatError).byteOffset).toBe(2 * CIFAR10_RECORD_BYTES);
    expect((err as Error).message).toContain('truncated.bin');
  });

  it('label byte > 9 at record k: DataFormatError at offset k*3073 (law)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.nat(5), fc.integer({ min: 10, max: 255 }), async (n, kRaw, bad) => {
        const k = kRaw % n;
        const bytes = records(Array.from({ length: n }, (_, i) => i % 10), 3);
        bytes[k * CIFAR10_RECORD_BYTES] = bad;
        const file = path.join(tmp, `bad-label-${n}-${k}.bin`);
        await writeFile(file, bytes);
        const err = await readCifar10Binary(file).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DataFormatError);
        expect((err as DataFormatError).byteOffset).toBe(k * CIFAR10_RECORD_BYTES);
        expect((err as DataFormatError).file).toBe(file);
        // Records before k alone read fine.
        if (k > 0) expect((await readCifar10Binary(file, { limit: k })).length).toBe(k);
      }),
      { numRuns: 15 },
    );
  });

  it('empty and missing files are DataFormatErrors; a directory without CIFAR-10 is an ArgumentError', async () => {
    const empty = path.join(tmp, 'empty.bin');
    await writeFile(empty, new Uint8Array(0));
    await expect(readCifar10Binary(empty)).rejects.toMatchObject({ code: 'DATA_FORMAT', file: empty, byteOffset: 0 });
    await expect(readCifar10Binary(path.join(tmp, 'absent.bin'))).rejects.toBeInstanceOf(DataFormatError);
    const nowhere = await mkdtemp(path.join(tmp, 'nothing-'));
    await expect(loadCifar10({ dir: nowhere })).rejects.toBeInstanceOf(ArgumentError);
    expect(await locateCifar10(nowhere)).toBeUndefined();
  });

  it('rejects bad arguments by name', async () => {
    await expect(loadCifar10({ dir: tmp, split: 'val' as 'train' })).rejects.toMatchObject({ argument: 'options.split' });
    await expect(loadCifar10({ dir: tmp, limit: 0 })).rejects.toMatchObject({ argument: 'options.limit' });
    await expect(readCifar10Binary([])).rejects.toMatchObject({ argument: 'files' });
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { imageAt } from '../dataset.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist, loadIdxImageDataset, loadMnist } from './mnist.js';

/** IDX bytes written by hand: 00 00 08 rank, big-endian dims, uint8 data. */
function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('Fashion-MNIST / MNIST loaders on IDX files written by the test', () => {
  let tmp: string;
  const trainImages = Uint8Array.from({ length: 4 * 28 * 28 }, (_, i) => (i * 11) & 255);
  const trainLabels = Uint8Array.of(9, 0, 0, 3);

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mnist-test-'));
    // Debian's names and compression (dataset-fashion-mnist): gzip files *-idx3-ubyte.gz
    const fashion = path.join(tmp, 'fashion-mnist');
    await mkdir(fashion);
    await writeFile(path.join(fashion, 'train-images-idx3-ubyte.gz'), gzipSync(idx([4, 28, 28], trainImages)));
    await writeFile(path.join(fashion, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([4], trainLabels)));
    // uncompressed, dotted spelling (as some unzip tools leave MNIST)
    await writeFile(path.join(fashion, 't10k-images.idx3-ubyte'), idx([2, 28, 28], new Uint8Array(2 * 784).fill(7)));
    await writeFile(path.join(fashion, 't10k-labels.idx1-ubyte'), idx([2], Uint8Array.of(1, 2)));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('loads both splits as 28x28x1 data sets with the Fashion-MNIST class names', async () => {
    const train = await loadFashionMnist({ dir: path.join(tmp, 'fashion-mnist') });
    expect([train.length, train.height, train.width, train.channels]).toEqual([4, 28, 28, 1]);
    expect(Array.from(train.labels)).toEqual([9, 0, 0, 3]);
    expect(train.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(train.classNames[9]).toBe('Ankle boot');
    expect(Array.from(imageAt(train, 1))).toEqual(Array.from(trainImages.subarray(784, 2 * 784)));
    const test = await loadFashionMnist({ dir: path.join(tmp, 'fashion-mnist'), split: 'test', limit: 1 });
    expect([test.length, test.labels[0], test.images[0]]).toEqual([1, 1, 7]);
  });

  it('finds <CONTRASTIVE_DATA_DIR>/fashion-mnist by default', async () => {
    const saved = process.env['CONTRASTIVE_DATA_DIR'];
    process.env['CONTRASTIVE_DATA_DIR'] = tmp;
    try {
      expect((await loadFashionMnist({ split: 'train' })).length).toBe(4);
      await expect(loadMnist()).rejects.toThrow(/mnist/); // no <tmp>/mnist
    } finally {
      if (saved === undefined) delete process.env['CONTRASTIVE_DATA_DIR'];
      else process.env['CONTRASTIVE_DATA_DIR'] = saved;
    }
  });

  it('label >= 10, count mismatch and wrong rank are DataFormatErrors naming the file and offset', async () => {
    const images = path.join(tmp, 'img-idx3-ubyte');
    await writeFile(images, idx([3, 2, 2], new Uint8Array(12)));
    const badLabel = path.join(tmp, 'bad-label-idx1-ubyte');
    await writeFile(badLabel, idx([3], Uint8Array.of(1, 10, 2)));
    await expect(loadIdxImageDataset({ images, labels: badLabel, classNames: [...FASHION_MNIST_CLASSES] })).rejects.toMatchObject({ file: badLabel, byteOffset: 8 + 1 });
    const fewer = path.join(tmp, 'fewer-idx1-ubyte');
    await writeFile(fewer, idx([2], Uint8Array.of(1, 2)));
    await expect(loadIdxImageDataset({ images, labels: fewer, classNames: ['a', 'b', 'c'] })).rejects.toMatchObject({ code: 'DATA_FORMAT', file: fewer });
    await expect(loadIdxImageDataset({ images: fewer, labels: fewer, classNames: ['a', 'b', 'c'] })).rejects.toBeInstanceOf(DataFormatError);
  });

  it('a directory without the files is an ArgumentError; bad options are named', async () => {
    await expect(loadMnist({ dir: tmp })).rejects.toBeInstanceOf(ArgumentError);
    await expect(loadFashionMnist({ dir: tmp, split: 'validation' as 'test' })).rejects.toMatchObject({ argument: 'options.split' });
    await expect(loadFashionMnist({ dir: 3 as unknown as string })).rejects.toMatchObject({ argument: 'options.dir' });
  });
});

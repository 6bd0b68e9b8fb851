import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { imageAt } from '../dataset.js';
import { UNLABELLED_CLASS, decodeImage, loadImageFolder } from './image-folder.js';
import { resizeImage } from '../resize.js';

/** A PNG whose pixel (y, x) is RGBA (seed+y*16, seed+x*16, seed, 255), encoded by pngjs. */
function pngBytes(h: number, w: number, seed: number): { bytes: Buffer; rgb: number[] } {
  const png = new PNG({ width: w, height: h });
  const rgb: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const px = [(seed + y * 16) & 255, (seed + x * 16) & 255, seed & 255];
      png.data.set([...px, 255], (y * w + x) * 4);
      rgb.push(...px);
    }
  return { bytes: PNG.sync.write(png), rgb };
}

function jpegBytes(h: number, w: number, value: number): Buffer {
  const data = Buffer.alloc(h * w * 4, value);
  return jpeg.encode({ data, width: w, height: h }, 95).data;
}

describe('loadImageFolder', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'image-folder-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, Uint8Array>): Promise<string> {
    const root = path.join(tmp, name);
    for (const [rel, bytes] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), bytes);
    }
    return root;
  }

  it('one class per sub-directory in sorted order; PNG pixels exact, JPEG close; other files ignored', async () => {
    const a0 = pngBytes(4, 5, 10);
    const a1 = pngBytes(4, 5, 90);
    const root = await folder('basic', {
      'zebra/b.png': a1.bytes,
      'zebra/a.png': a0.bytes,
      'apple/x.JPG': jpegBytes(4, 5, 200),
      'apple/notes.txt': Buffer.from('not an image'),
      'apple/.hidden.png': Buffer.from('ignored'),
      'README.md': Buffer.from('root files are ignored'),
    });
    const ds = await loadImageFolder({ dir: root });
    expect(ds.classNames).toEqual(['apple', 'zebra']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 1]);
    expect([ds.length, ds.height, ds.width, ds.channels]).toEqual([3, 4, 5, 3]);
    expect(Array.from(imageAt(ds, 1))).toEqual(a0.rgb); // zebra/a.png before zebra/b.png
    expect(Array.from(imageAt(ds, 2))).toEqual(a1.rgb);
    expect(imageAt(ds, 0).every((v) => Math.abs(v - 200) <= 3)).toBe(true); // JPEG is lossy
  });

  it('labelled: false reads every image under the folder, root and sub-directories, as one class', async () => {
    const a = pngBytes(3, 3, 5);
    const b = pngBytes(3, 3, 60);
    const c = pngBytes(3, 3, 120);
    const root = await folder('unlabelled', { 'b.png': b.bytes, 'a.png': a.bytes, 'more/c.png': c.bytes, 'notes.txt': Buffer.from('x') });
    const ds = await loadImageFolder({ dir: root, labelled: false });
    expect(ds.classNames).toEqual([UNLABELLED_CLASS]);
    expect(Array.from(ds.labels)).toEqual([0, 0, 0]);
    expect([imageAt(ds, 0), imageAt(ds, 1), imageAt(ds, 2)].map((x) => Array.from(x))).toEqual([a.rgb, b.rgb, c.rgb]); // sorted: a.png, b.png, more/
    await expect(loadImageFolder({ dir: root, labelled: 'no' as never })).rejects.toThrow("argument 'options.labelled' must be a boolean");
    const empty = await folder('unlabelled-empty', { 'notes.txt': Buffer.from('x') });
    await expect(loadImageFolder({ dir: empty, labelled: false })).rejects.toThrow('no .png/.jpg/.jpeg files under');
  });

  it('grey output is the BT.601 luma of the RGB pixels', async () => {
    const img = pngBytes(3, 3, 40);
    const root = await folder('grey', { 'only/a.png': img.bytes });
    const ds = await loadImageFolder({ dir: root, channels: 1 });
    const luma = [];
    for (let p = 0; p < 9; p++) luma.push(Math.round(0.299 * img.rgb[p * 3]! + 0.587 * img.rgb[p * 3 + 1]! + 0.114 * img.rgb[p * 3 + 2]!));
    expect(Array.from(ds.images)).toEqual(luma);
  });

  it('a different size is a DataFormatError naming the file, unless resizing is asked for', async () => {
    const small = pngBytes(4, 4, 0);
    const big = pngBytes(8, 6, 50);
    const root = await folder('sizes', { 'c/1.png': small.bytes, 'c/2.png': big.bytes });
    const err = await loadImageFolder({ dir: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as DataFormatError).file).toBe(path.join(root, 'c', '2.png'));
    expect((err as Error).message).toMatch(/8x6.*4x4/);
    const ds = await loadImageFolder({ dir: root, size: [4, 4], resize: 'bilinear' });
    expect(Array.from(imageAt(ds, 0))).toEqual(small.rgb);
    expect(Array.from(imageAt(ds, 1))).toEqual(Array.from(resizeImage(Uint8Array.from(big.rgb), 8, 6, 3, 4, 4, 'bilinear')));
  });

  it('truncated or foreign files: DataFormatError naming the file', async () => {
    const good = pngBytes(4, 4, 0).bytes;
    const cutPng = await folder('cut-png', { 'c/ok.png': good, 'c/cut.png': good.subarray(0, good.length - 30) });
    await expect(loadImageFolder({ dir: cutPng })).rejects.toMatchObject({ code: 'DATA_FORMAT', file: path.join(cutPng, 'c', 'cut.png') });
    const jpg = jpegBytes(16, 16, 100);
    const cutJpg = await folder('cut-jpg', { 'c/cut.jpg': jpg.subarray(0, Math.floor(jpg.length / 2)) });
    await expect(loadImageFolder({ dir: cutJpg })).rejects.toMatchObject({ code: 'DATA_FORMAT', file: path.join(cutJpg, 'c', 'cut.jpg') });
    const fake = await folder('fake', { 'c/fake.png': Buffer.from('GIF89a....') });
    await expect(loadImageFolder({ dir: fake })).rejects.toMatchObject({ file: path.join(fake, 'c', 'fake.png'), byteOffset: 0 });
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow(/empty\.png/);
  });

  it('rejects bad options and folders without classes or images', async () => {
    const empty = await folder('no-classes', { 'file.png': pngBytes(2, 2, 0).bytes });
    await expect(loadImageFolder({ dir: empty })).rejects.toBeInstanceOf(ArgumentError);
    const noImages = await folder('no-images', { 'c/readme.txt': Buffer.from('x') });
    await expect(loadImageFolder({ dir: noImages })).rejects.toMatchObject({ argument: 'options.dir' });
    await expect(loadImageFolder({ dir: path.join(tmp, 'absent') })).rejects.toMatchObject({ argument: 'options.dir' });
    await expect(loadImageFolder({ dir: empty, size: [0, 4] })).rejects.toMatchObject({ argument: 'options.size' });
    await expect(loadImageFolder({ dir: empty, channels: 2 as 1 })).rejects.toMatchObject({ argument: 'options.channels' });
    await expect(loadImageFolder({ dir: empty, resize: 'bicubic' as 'nearest' })).rejects.toMatchObject({ argument: 'options.resize' });
  });
});

import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, DataFormatError, Rng } from '@contrastive/core';
import { disposeBatch } from '../dataset.js';
import { openImageFolder } from './stream-folder.js';

/** A solid-colour image of `h x w`, encoded as PNG or JPEG (quality 100). */
function solid(format: 'png' | 'jpeg', h: number, w: number, rgb: readonly [number, number, number]): Promise<Buffer> {
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
}

/** Colour of good image `i` (distinct per image, so a batch's pixels say which files it holds). */
const colour = (i: number): [number, number, number] => [10 * i, 255 - 10 * i, 7 * i];

let tmp: string;
let root: string;
/** Good files: path -> [label, colour index, format]. */
const good = new Map<string, { label: number; i: number; format: 'png' | 'jpeg' }>();
let truncatedJpeg: string;
let textAsPng: string;
let emptyJpg: string;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'stream-folder-test-'));
  root = path.join(tmp, 'photos');
  for (const cls of ['cat', 'dog']) await mkdir(path.join(root, cls, 'nested'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    const label = i % 2;
    const format = i % 3 === 0 ? 'jpeg' : 'png';
    const file = path.join(root, label === 0 ? 'cat' : 'dog', i === 4 ? 'nested' : '', `img${i}.${format === 'png' ? 'png' : 'jpg'}`);
    await writeFile(file, await solid(format, 12 + i, 9 + i, colour(i)));
    good.set(file, { label, i, format });
  }
  const jpegBytes = await solid('jpeg', 40, 40, [1, 2, 3]);
  truncatedJpeg = path.join(root, 'cat', 'truncated.jpg');
  await writeFile(truncatedJpeg, jpegBytes.subarray(0, jpegBytes.length >> 1));
  textAsPng = path.join(root, 'dog', 'notes-really.png');
  await writeFile(textAsPng, 'this is not an image\n');
  emptyJpg = path.join(root, 'dog', 'empty.jpg');
  await writeFile(emptyJpg, new Uint8Array(0));
  await writeFile(path.join(root, 'dog', 'README.txt'), 'ignored');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The colour index of an RGB image (pixel 0), checking that the whole image has that colour within `tol`. */
function whichColour(pixels: Float32Array | Uint8Array, scale: number, tol: number): number {
  const rgb = [0, 1, 2].map((c) => Math.round((pixels[c] as number) * scale));
  const i = Math.round((rgb[0] as number) / 10);
  const want = colour(i);
  for (let p = 0; p < pixels.length; p++) expect(Math.abs((pixels[p] as number) * scale - (want[p % 3] as number))).toBeLessThanOrEqual(tol);
  return i;
}

describe('openImageFolder', () => {
  it('lists classes and files; streams every decodable image once per epoch with its label; skips and counts the bad ones', async () => {
    const folder = await openImageFolder({ dir: root, size: [6, 5], maxReported: 2 });
    expect(folder.classNames).toEqual(['cat', 'dog']);
    expect(folder.length).toBe(13);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    for await (const batch of folder.loader({ batchSize: 4, rng: Rng.fromSeed(3), epochs: 2 })) {
      expect(batch.images.shape.slice(1)).toEqual([6, 5, 3]);
      const pixels = batch.images.dataSync() as Float32Array;
      const labels = batch.labels.dataSync();
      for (let b = 0; b < batch.images.shape[0]; b++) {
        const file = folder.file(batch.indices[b] as number);
        const info = good.get(file);
        expect(info, file).toBeDefined();
        // PNG is lossless; a solid JPEG at quality 100 is within a few levels.
        const i = whichColour(pixels.subarray(b * 90, (b + 1) * 90), 255, info?.format === 'png' ? 0.01 : 3);
        expect(i).toBe(info?.i);
        expect(labels[b]).toBe(info?.label);
        seen.push(i);
      }
      disposeBatch(batch);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array.from({ length: 10 }, (_, i) => [i, i])].flat().sort((a, b) => a - b));
    const skipped = folder.skipped();
    expect(skipped.count).toBe(3); // each bad file counted once over the two epochs
    expect(skipped.first).toHaveLength(2);
    for (const s of skipped.first) {
      expect([truncatedJpeg, textAsPng, emptyJpg]).toContain(s.file);
      expect(s.reason).toContain(s.file);
    }
    expect(folder.ignored()).toEqual({ count: 1, first: [{ file: path.join(root, 'dog', 'README.txt'), reason: 'not a .png/.jpg/.jpeg file' }] });
  });

  it("onBadFile 'error' throws a DataFormatError naming the file; good files read fine", async () => {
    const folder = await openImageFolder({ dir: root, size: [4, 4], onBadFile: 'error' });
    const all = Array.from({ length: folder.length }, (_, i) => i);
    for (const bad of [truncatedJpeg, textAsPng, emptyJpg]) {
      const k = all.find((i) => folder.file(i) === bad) as number;
      const error = await folder.read([k]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFormatError);
      expect((error as DataFormatError).file).toBe(bad);
      expect((error as Error).message).toContain(bad);
    }
    const goodIdx = all.filter((i) => good.has(folder.file(i)));
    const samples = await folder.read(goodIdx);
    expect(samples.length).toBe(10);
    expect(folder.skipped().count).toBe(0);
  });

  it('one channel is the BT.601 luma of the resized RGB', async () => {
    const folder = await openImageFolder({ dir: root, size: [3, 3], channels: 1 });
    const k = Array.from({ length: folder.length }, (_, i) => i).find((i) => good.get(folder.file(i))?.i === 2) as number;
    const { images } = await folder.read([k]);
    const [r, g, b] = colour(2);
    expect(Array.from(images)).toEqual(new Array(9).fill(Math.round(0.299 * r + 0.587 * g + 0.114 * b)));
  });

  it('the on-disk cache returns the same bytes, and decodes a replaced file again', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const folder = await openImageFolder({ dir: root, size: [6, 5], cacheDir });
    const all = Array.from({ length: folder.length }, (_, i) => i);
    const first = await folder.read(all);
    expect(folder.cacheStats()).toEqual({ hits: 0, misses: 13 }); // the 3 bad files are never cached
    const again = await openImageFolder({ dir: root, size: [6, 5], cacheDir });
    const second = await again.read(all);
    expect(again.cacheStats()).toEqual({ hits: 10, misses: 3 });
    expect(second.images).toEqual(first.images);
    // Replace one image (new content, new mtime): its entry no longer matches.
    const [file, info] = [...good.entries()].find(([, v]) => v.i === 1 && v.format === 'png') as [string, { i: number }];
    await writeFile(file, await solid('png', 8, 8, colour(20)));
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const third = await openImageFolder({ dir: root, size: [6, 5], cacheDir });
    const k = all.find((i) => third.file(i) === file) as number;
    const { images } = await third.read([k]);
    expect(third.cacheStats()).toEqual({ hits: 0, misses: 1 });
    expect(whichColour(images, 1, 0)).toBe(20);
    await writeFile(file, await solid('png', 13, 10, colour(info.i))); // restore
  });

  it('breaking out early disposes the prefetched batches (no leaked tensors)', async () => {
    const folder = await openImageFolder({ dir: root, size: [5, 5] });
    const before = tf.memory().numTensors;
    let n = 0;
    for await (const batch of folder.loader({ batchSize: 2, rng: Rng.fromSeed(1), prefetch: 3, epochs: 3 })) {
      disposeBatch(batch);
      if (++n === 2) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a subset streams only its samples, indexed from 0', async () => {
    const folder = await openImageFolder({ dir: root, size: [4, 4] });
    const picks = Array.from({ length: folder.length }, (_, i) => i).filter((i) => good.has(folder.file(i))).slice(0, 3);
    const sub = folder.subset(picks, 'three');
    expect(sub.length).toBe(3);
    expect(Array.from(sub.labels)).toEqual(picks.map((i) => folder.labels[i]));
    const files: string[] = [];
    for await (const batch of sub.loader({ batchSize: 8, shuffle: false })) {
      expect(Array.from(batch.indices)).toEqual([0, 1, 2]);
      files.push(...Array.from(batch.indices, (i) => sub.file(i)));
      disposeBatch(batch);
    }
    expect(files).toEqual(picks.map((i) => folder.file(i)));
  });

  it('labelled: false reads every image under the folder as one class', async () => {
    const folder = await openImageFolder({ dir: root, size: [4, 4], labelled: false });
    expect(folder.classNames).toEqual(['(unlabelled)']);
    expect(folder.length).toBe(13);
    expect(Array.from(folder.labels)).toEqual(new Array(13).fill(0));
    const samples = await folder.read(Array.from({ length: 13 }, (_, i) => i));
    expect(samples.length).toBe(10);
  });

  it('checks its options by name', async () => {
    await expect(openImageFolder({ dir: root, size: [0, 4] })).rejects.toThrow(ArgumentError);
    await expect(openImageFolder({ dir: root, size: [4, 4], onBadFile: 'ignore' as never })).rejects.toThrow(/options.onBadFile/);
    await expect(openImageFolder({ dir: path.join(tmp, 'missing'), size: [4, 4] })).rejects.toThrow(/options.dir/);
    await expect(openImageFolder({ dir: root, size: [4, 4], labelled: 'no' as never })).rejects.toThrow(/options.labelled/);
    const folder = await openImageFolder({ dir: root, size: [4, 4] });
    expect(() => folder.loader({ batchSize: 100, dropLast: true, shuffle: false })).toThrow(/options.batchSize/);
    await expect(folder.read([99])).rejects.toThrow(/indices/);
  });
});

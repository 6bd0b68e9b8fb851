import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewGrid } from './preview.js';
import { writePreviewGrid } from './node/write-preview-grid.js';
import { simclr } from './recipes.js';
import { randomImages } from './test-support.js';

let dir = '';
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'augment-preview-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('previewGrid', () => {
  it('lays out one row per image: the source, then the views, upscaled', () => {
    const images = randomImages(1, [3, 8, 8, 3]);
    const recipe = simclr({ size: 8, blur: false });
    const grid = previewGrid({ images, recipe, rng: Rng.fromSeed(0), views: 5, scale: 2 });
    // width: gap + cell + source gap + 5 * (cell + gap); height: gap + 3 * (cell + gap).
    expect(grid.width).toBe(2 + 16 + 8 + 5 * 18);
    expect(grid.height).toBe(2 + 3 * 18);
    expect(grid.data.length).toBe(grid.width * grid.height * 4);
    // The first cell of row 1 is source image 1, each pixel repeated 2 x 2.
    const src = images.dataSync();
    for (const [y, x] of [[0, 0], [3, 5], [7, 7]] as const) {
      for (const [dy, dx] of [[0, 0], [1, 1]] as const) {
        const gy = 2 + 18 + 2 * y + dy;
        const gx = 2 + 2 * x + dx;
        const o = (gy * grid.width + gx) * 4;
        for (let c = 0; c < 3; c++) expect(grid.data[o + c]).toBe(Math.round((src[(64 + y * 8 + x) * 3 + c] as number) * 255));
        expect(grid.data[o + 3]).toBe(255);
      }
    }
    // Same rng state, same grid.
    const again = previewGrid({ images, recipe, rng: Rng.fromSeed(0), views: 5, scale: 2 });
    expect(Buffer.from(again.data).equals(Buffer.from(grid.data))).toBe(true);
    images.dispose();
  });

  it('is tidy and rejects bad options by name', () => {
    const images = randomImages(2, [2, 8, 8, 3]);
    const recipe = simclr({ size: 8, blur: false });
    const before = tf.memory().numTensors;
    previewGrid({ images, recipe, rng: Rng.fromSeed(1), views: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(() => previewGrid({ images, recipe, rng: Rng.fromSeed(1), views: 0 })).toThrow(/'options.views'/);
    expect(() => previewGrid({ images, recipe, rng: Rng.fromSeed(1), scale: 1.5 })).toThrow(/'options.scale'/);
    expect(() => previewGrid({ images, recipe: {} as never, rng: Rng.fromSeed(1) })).toThrow(/'options.recipe'/);
    expect(() => previewGrid({ images, recipe, rng: 3 as never })).toThrow(/'options.rng'/);
    images.dispose();
  });
});

describe('writePreviewGrid', () => {
  it('writes a PNG that decodes to the grid, leaving no temporary file', async () => {
    const images = randomImages(3, [2, 8, 8, 3]);
    const recipe = simclr({ size: 8, blur: false });
    const file = join(dir, 'grid.png');
    const before = tf.memory().numTensors;
    const written = await writePreviewGrid({ images, recipe, rng: Rng.fromSeed(2), views: 4, scale: 3, file });
    expect(tf.memory().numTensors).toBe(before);
    const grid = previewGrid({ images, recipe, rng: Rng.fromSeed(2), views: 4, scale: 3 });
    const png = pngjs.PNG.sync.read(await readFile(file));
    expect([png.width, png.height]).toEqual([grid.width, grid.height]);
    expect(written).toEqual({ file, width: grid.width, height: grid.height });
    expect(Buffer.from(png.data).equals(Buffer.from(grid.data))).toBe(true);
    expect(await readdir(dir)).toEqual(['grid.png']);
    await expect(writePreviewGrid({ images, recipe, rng: Rng.fromSeed(2), file: '' })).rejects.toThrow(/'options.file'/);
    await expect(writePreviewGrid({ images, recipe, rng: Rng.fromSeed(2), file: join(dir, 'missing', 'x.png') })).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['grid.png']);
    images.dispose();
  });
});

/**
 * A visual check of a recipe: a grid with one row per source image, the source in the first
 * column and `views` augmented views after it, as RGBA pixels (draw it on a canvas, or write it as
 * a PNG with `writePreviewGrid` of `@contrastive/augment/node`) so a person can look at what the
 * augmentation does before training on it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng, ViewAugmenter } from '@contrastive/core';
import { assertRng } from './augmentation.js';
import { assertImages } from './images.js';
import { fail, optionsRecord, rejectUnknownKeys } from './params.js';

/** Options of {@link previewGrid}. */
export interface PreviewGridOptions {
  /** Source images `[N, H, W, 3]` (or 1 channel) in [0, 1]: one row each. */
  readonly images: tf.Tensor4D;
  /** The recipe to preview, e.g. `simclr({ size: 32 })`; called until `views` views exist. */
  readonly recipe: ViewAugmenter;
  /** The randomness; the same state gives the same grid. */
  readonly rng: Rng;
  /** Augmented views per row; default the recipe's `numViews`. */
  readonly views?: number;
  /** Integer upscaling (nearest neighbour); default so that cells are at least 96 px. */
  readonly scale?: number;
}

/** An RGBA image, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

const GAP = 2;
const SOURCE_GAP = 8;
const BACKGROUND = [24, 24, 24, 255] as const;

interface Picture {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float32Array;
  readonly offset: number;
}

function pictures(t: tf.Tensor4D): Picture[] {
  const [n, height, width, channels] = t.shape;
  const data = t.dataSync() as Float32Array;
  return Array.from({ length: n }, (_, i) => ({ height, width, channels, data, offset: i * height * width * channels }));
}

function draw(out: RgbaImage, pic: Picture, x0: number, y0: number, scale: number): void {
  for (let y = 0; y < pic.height * scale; y++) {
    for (let x = 0; x < pic.width * scale; x++) {
      const src = pic.offset + (Math.floor(y / scale) * pic.width + Math.floor(x / scale)) * pic.channels;
      const dst = ((y0 + y) * out.width + (x0 + x)) * 4;
      for (let c = 0; c < 3; c++) {
        const v = pic.data[src + (pic.channels === 1 ? 0 : c)] as number;
        // Clamp for display (a normalised recipe leaves [0, 1]).
        out.data[dst + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
      out.data[dst + 3] = 255;
    }
  }
}

function resolve(where: string, options: PreviewGridOptions): { views: number; scale: number } {
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['images', 'recipe', 'rng', 'views', 'scale', 'file']);
  assertImages(where, 'options.images', record['images']);
  const channels = (record['images'] as tf.Tensor4D).shape[3];
  if (channels !== 1 && channels !== 3) fail(where, 'options.images', 'images with 1 or 3 channels', record['images']);
  const recipe = record['recipe'] as Partial<ViewAugmenter> | undefined;
  if (typeof recipe !== 'object' || recipe === null || typeof recipe.apply !== 'function' || !Number.isSafeInteger(recipe.numViews)) {
    fail(where, 'options.recipe', 'a ViewAugmenter (e.g. simclr({ size: 32 }))', recipe);
  }
  assertRng(where, 'options.rng', record['rng']);
  const views = record['views'] ?? recipe.numViews;
  if (typeof views !== 'number' || !Number.isSafeInteger(views) || views < 1 || views > 64) fail(where, 'options.views', 'an integer in [1, 64]', views);
  const side = Math.max((record['images'] as tf.Tensor4D).shape[1], (record['images'] as tf.Tensor4D).shape[2]);
  const scale = record['scale'] ?? Math.max(1, Math.ceil(96 / side));
  if (typeof scale !== 'number' || !Number.isSafeInteger(scale) || scale < 1 || scale > 32) fail(where, 'options.scale', 'an integer in [1, 32]', scale);
  return { views, scale };
}

/**
 * Renders the preview grid: row i holds source image i, then `views` augmented views of it.
 * Pure apart from drawing from `rng`; no tensors are leaked.
 *
 * @example
 * ```ts
 * const grid = previewGrid({ images, recipe: simclr({ size: 32, strength: 0.5, blur: false }), rng: Rng.fromSeed(0), views: 6 });
 * // grid.width, grid.height, grid.data (RGBA bytes)
 * ```
 */
export function previewGrid(options: PreviewGridOptions): RgbaImage {
  const { views, scale } = resolve('previewGrid', options);
  const { images, recipe, rng } = options;
  const rows = images.shape[0];
  // Collect `views` views per image: ceil(views / numViews) calls of the recipe.
  const columns: Picture[][] = [];
  while (columns.length < views) {
    const out = recipe.apply(images, rng);
    try {
      for (const v of out) if (columns.length < views) columns.push(pictures(v));
    } finally {
      tf.dispose(out);
    }
  }
  const sources = pictures(images);
  const all = [...sources, ...columns.flat()];
  const cellH = Math.max(...all.map((p) => p.height)) * scale;
  const cellW = Math.max(...all.map((p) => p.width)) * scale;
  const width = GAP + cellW + SOURCE_GAP + views * (cellW + GAP);
  const height = GAP + rows * (cellH + GAP);
  const grid: RgbaImage = { width, height, data: new Uint8Array(width * height * 4) };
  for (let i = 0; i < width * height; i++) grid.data.set(BACKGROUND, i * 4);
  for (let r = 0; r < rows; r++) {
    const y = GAP + r * (cellH + GAP);
    draw(grid, sources[r] as Picture, GAP, y, scale);
    columns.forEach((col, v) => draw(grid, col[r] as Picture, GAP + cellW + SOURCE_GAP + v * (cellW + GAP), y, scale));
  }
  return grid;
}

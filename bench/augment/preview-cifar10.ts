/**
 * Writes a preview grid of a recipe on real CIFAR-10 test images: one row per image, the source
 * and k augmented views. Run from the repository root (no build needed):
 *
 *   npx tsx --conditions=contrastive-source bench/augment/preview-cifar10.ts \
 *     [--recipe simclr-cifar|simclr|mocoV2|byol] [--count 8] [--views 6] [--seed 0] \
 *     [--scale 4] [--file /work/shared/data/cifar10/test.bin] [--out /tmp/augment-preview.png]
 */
import * as tf from '@tensorflow/tfjs-core';
import { byol, mocoV2, simclr } from '@contrastive/augment';
import { writePreviewGrid } from '@contrastive/augment/node';
import { initBackend } from '@contrastive/backend/node';
import { Rng } from '@contrastive/core';
import { CIFAR10_CLASSES, readCifarRecords } from './cifar.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const recipes = {
  'simclr-cifar': () => simclr({ size: 32, strength: 0.5, blur: false }),
  simclr: () => simclr({ size: 32 }),
  mocoV2: () => mocoV2({ size: 32 }),
  byol: () => byol({ size: 32 }),
} as const;

const recipeName = arg('recipe', 'simclr-cifar') as keyof typeof recipes;
if (!(recipeName in recipes)) throw new Error(`--recipe must be one of ${Object.keys(recipes).join(', ')}`);
const count = Number(arg('count', '8'));
const views = Number(arg('views', '6'));
const seed = Number(arg('seed', '0'));
const scale = Number(arg('scale', '4'));
const file = arg('file', '/work/shared/data/cifar10/test.bin');
const out = arg('out', '/tmp/augment-preview.png');

const report = await initBackend({ prefer: 'wasm' });
const { pixels, labels } = readCifarRecords(file, 0, count);
const images = tf.tensor4d(pixels, [count, 32, 32, 3]);
const written = await writePreviewGrid({ images, recipe: recipes[recipeName](), rng: Rng.fromSeed(seed), views, scale, file: out });
images.dispose();
console.log(`${recipeName}: wrote ${written.file} (${written.width} x ${written.height}) on ${report.engine}`);
console.log(`rows: ${labels.map((l) => CIFAR10_CLASSES[l]).join(', ')}`);
process.exit(0);

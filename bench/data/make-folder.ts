/**
 * Writes an image folder for the data benchmarks: `--count` images of `--size` x `--size`
 * pixels, one sub-directory per CIFAR-10 class (`<out>/<class>/<i>.jpg`), made from the CIFAR-10
 * training images (shared/data/cifar10, or $CONTRASTIVE_DATA_DIR) upscaled with sharp
 * (Lanczos-3) and encoded as JPEG (quality 90) or PNG. Image i is CIFAR image i mod 50,000,
 * mirrored, flipped or both for the 2nd, 3rd and 4th pass over the 50,000, so that up to
 * 200,000 images are pairwise distinct.
 *
 *   npx tsx --conditions=contrastive-source bench/data/make-folder.ts --out /tmp/folder96 --count 200000 --size 96 [--format jpeg|png] [--bad 0]
 *
 * `--bad N` adds N corrupt files (truncated JPEGs, text named .png) for the skip path.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CIFAR10_CLASSES, imageAt } from '@contrastive/data';
import { loadCifar10 } from '@contrastive/data/node';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    count: { type: 'string', default: '1000' },
    size: { type: 'string', default: '96' },
    format: { type: 'string', default: 'jpeg' },
    bad: { type: 'string', default: '0' },
    data: { type: 'string', default: path.resolve(import.meta.dirname, '../../../shared/data/cifar10') },
  },
});
if (args.out === undefined) throw new Error('--out is required');
const out = args.out;
const count = Number(args.count);
const size = Number(args.size);
const format = args.format === 'png' ? 'png' : 'jpeg';
const cifar = await loadCifar10({ dir: process.env['CONTRASTIVE_DATA_DIR'] ?? args.data, split: 'train' });
for (const c of CIFAR10_CLASSES) await mkdir(path.join(out, c), { recursive: true });

const started = performance.now();
let next = 0;
async function lane(): Promise<void> {
  while (next < count) {
    const i = next++;
    const k = i % cifar.length;
    const variant = Math.floor(i / cifar.length) % 4;
    let img = sharp(imageAt(cifar, k), { raw: { width: 32, height: 32, channels: 3 } });
    if (variant & 1) img = img.flop();
    if (variant & 2) img = img.flip();
    const resized = await img.resize(size, size, { fit: 'fill' }).toBuffer(); // raw
    const encoded = sharp(resized, { raw: { width: size, height: size, channels: 3 } });
    const bytes = format === 'png' ? await encoded.png().toBuffer() : await encoded.jpeg({ quality: 90 }).toBuffer();
    await writeFile(path.join(out, CIFAR10_CLASSES[cifar.labels[k] as number] as string, `${String(i).padStart(6, '0')}.${format === 'png' ? 'png' : 'jpg'}`), bytes);
    if ((i + 1) % 20000 === 0) console.log(`${i + 1} images, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}
await Promise.all(Array.from({ length: 8 }, lane));
for (let b = 0; b < Number(args.bad); b++) {
  const dir = path.join(out, CIFAR10_CLASSES[b % 10] as string);
  await writeFile(path.join(dir, `bad-${b}.png`), 'not an image\n');
  const good = await sharp({ create: { width: size, height: size, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer();
  await writeFile(path.join(dir, `bad-${b}-truncated.jpg`), good.subarray(0, good.length >> 1));
}
console.log(`wrote ${count} ${size}x${size} ${format} images${Number(args.bad) > 0 ? ` and ${2 * Number(args.bad)} bad files` : ''} to ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);

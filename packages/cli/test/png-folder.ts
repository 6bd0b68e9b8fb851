/**
 * Image folders for the end-to-end tests, written at test time as PNG files from real CIFAR-10
 * images of ../shared/data: `<dir>/<class>/<index>.png`, or all in `<dir>` when flat.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { imageAt, type ImageDataset } from '@contrastive/data';
import { PNG } from 'pngjs';

/** Writes the first `perClass` images of each class in `classes` (CIFAR-10 labels) of `source` as PNG files. */
export async function writePngFolder(source: ImageDataset, dir: string, classes: readonly number[], perClass: number, layout: 'classes' | 'flat'): Promise<void> {
  for (const c of classes) {
    let written = 0;
    for (let i = 0; i < source.length && written < perClass; i++) {
      if (source.labels[i] !== c) continue;
      const png = new PNG({ width: source.width, height: source.height });
      const rgb = imageAt(source, i);
      for (let p = 0; p < source.width * source.height; p++) png.data.set([rgb[3 * p] as number, rgb[3 * p + 1] as number, rgb[3 * p + 2] as number, 255], 4 * p);
      const name = `${String(i).padStart(5, '0')}.png`;
      const file = layout === 'classes' ? path.join(dir, source.classNames[c] as string, name) : path.join(dir, `${source.classNames[c]}-${name}`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, PNG.sync.write(png));
      written += 1;
    }
  }
}

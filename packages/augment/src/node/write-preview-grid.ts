/**
 * Writes a {@link previewGrid} as a PNG file (pngjs), atomically: Node.js only.
 */
import { writeFileAtomic } from '@contrastive/core/node';
import pngjs from 'pngjs';
import { fail } from '../params.js';
import { previewGrid, type PreviewGridOptions } from '../preview.js';

/** Options of {@link writePreviewGrid}. */
export interface WritePreviewGridOptions extends PreviewGridOptions {
  /** The PNG path; written atomically (temporary file in the same folder, then rename). */
  readonly file: string;
}

/**
 * Renders {@link previewGrid} and writes it as a PNG, atomically (`writeFileAtomic`: a temporary
 * file in the same folder, flushed, then a rename), so a reader never sees a half-written image.
 *
 * @example
 * ```ts
 * await writePreviewGrid({ images, recipe: simclr({ size: 32 }), rng: Rng.fromSeed(0), views: 6, file: '/tmp/simclr.png' });
 * ```
 */
export async function writePreviewGrid(options: WritePreviewGridOptions): Promise<{ file: string; width: number; height: number }> {
  const file = (options as Partial<WritePreviewGridOptions> | undefined)?.file;
  if (typeof file !== 'string' || file.length === 0) fail('writePreviewGrid', 'options.file', 'a file path', file);
  const grid = previewGrid(options);
  const png = new pngjs.PNG({ width: grid.width, height: grid.height });
  png.data = Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength);
  const bytes = pngjs.PNG.sync.write(png);
  await writeFileAtomic(file, bytes);
  return { file, width: grid.width, height: grid.height };
}

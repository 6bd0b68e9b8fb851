/**
 * An on-disk cache of decoded, resized images: one file of raw bytes per (source file, target
 * size), so that later epochs read `height * width * channels` bytes instead of decoding again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageTarget } from './decode-resized.js';

/** Hits and misses of a {@link DecodedImageCache} since it was made. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
}

/**
 * The cache. An entry's name is the SHA-1 of the source's absolute path, size, modification
 * time and the target size, so an edited or replaced image is decoded again. Entries are written
 * to a temporary name and renamed (a reader never sees half an entry); one of the wrong length
 * counts as a miss. Nothing is ever deleted: remove the directory to clear it.
 */
export class DecodedImageCache {
  /** The cache directory (absolute). */
  readonly dir: string;
  readonly #target: ImageTarget;
  readonly #bytes: number;
  readonly #made = new Set<string>();
  #hits = 0;
  #misses = 0;

  constructor(dir: string, target: ImageTarget) {
    this.dir = path.resolve(dir);
    this.#target = target;
    this.#bytes = target.height * target.width * target.channels;
  }

  /** Where the entry of `file` (as it is now on disk) lives. */
  async entryPath(file: string): Promise<string> {
    const s = await stat(file);
    const t = this.#target;
    const key = createHash('sha1').update(`v1\0${path.resolve(file)}\0${s.size}\0${s.mtimeMs}\0${t.height}x${t.width}x${t.channels}`).digest('hex');
    return path.join(this.dir, key.slice(0, 2), `${key}.u8`);
  }

  /** The cached bytes of `file`, or `undefined` (no entry, or an entry of the wrong size). */
  async get(entry: string): Promise<Uint8Array | undefined> {
    try {
      const bytes = await readFile(entry);
      if (bytes.length === this.#bytes) {
        this.#hits++;
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
    } catch {
      // no entry yet
    }
    this.#misses++;
    return undefined;
  }

  /** Stores `bytes` as `entry` (temporary file, then rename). */
  async put(entry: string, bytes: Uint8Array): Promise<void> {
    const dir = path.dirname(entry);
    if (!this.#made.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#made.add(dir);
    }
    const tmp = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, entry);
  }

  /** Hits and misses so far. */
  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses };
  }
}

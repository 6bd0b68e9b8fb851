/**
 * Lists an image folder (one sub-directory per class, as torchvision's `ImageFolder`) without
 * reading any image: the class names, every image file with its label, and the other files
 * found in the class directories. Both the in-memory and the streaming image-folder readers use it.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError } from '@contrastive/core';

/** File name endings read as images (case-insensitive); other files are ignored. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** The one class name of an image folder read with `labelled: false`. */
export const UNLABELLED_CLASS = '(unlabelled)';

/** What {@link listImageFolder} found. */
export interface ImageFolderListing {
  /** The folder, as an absolute path. */
  readonly root: string;
  /** Class sub-directories in sorted (code-point) order; label = position ([{@link UNLABELLED_CLASS}] when unlabelled). */
  readonly classNames: readonly string[];
  /** Absolute paths of the image files, class by class, each class in sorted order. */
  readonly files: readonly string[];
  /** `labels[i]` is the class of `files[i]`. */
  readonly labels: Uint8Array;
  /** Files in the class directories without an image ending (absolute paths), in listing order. */
  readonly ignored: readonly string[];
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Image files under `dir`, recursively, in sorted order (hidden entries skipped); others go to `ignored`. */
async function listImages(dir: string, ignored: string[]): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => byCodePoint(a.name, b.name));
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listImages(full, ignored)));
    else if (e.isFile() && (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(e.name).toLowerCase())) out.push(full);
    else if (e.isFile()) ignored.push(full);
  }
  return out;
}

/**
 * Lists `dir/<class>/**\/*.{png,jpg,jpeg}`. Classes are the non-hidden sub-directories in
 * sorted order (1 to 256 of them); files in the root and hidden entries are not listed.
 * With `labelled` false, every image under `dir` (root and sub-directories, recursively) is
 * listed as the one class {@link UNLABELLED_CLASS}.
 * Throws {@link ArgumentError} (argument `options.dir`, prefixed with `where`) for an unreadable
 * directory, no class directory, more than 256, or no image file at all.
 */
export async function listImageFolder(where: string, dir: string, labelled = true): Promise<ImageFolderListing> {
  const root = path.resolve(dir);
  let top;
  try {
    top = await readdir(root, { withFileTypes: true });
  } catch (cause) {
    throw new ArgumentError(`${where}: argument 'options.dir' must be a readable directory, received ${JSON.stringify(dir)} (${(cause as Error).message})`, {
      argument: 'options.dir', received: dir, cause,
    });
  }
  const files: string[] = [];
  const labelList: number[] = [];
  const ignored: string[] = [];
  if (!labelled) {
    files.push(...(await listImages(root, ignored)));
    if (files.length === 0) throw new ArgumentError(`${where}: no ${IMAGE_EXTENSIONS.join('/')} files under ${root}`, { argument: 'options.dir', received: dir });
    return { root, classNames: [UNLABELLED_CLASS], files, labels: new Uint8Array(files.length), ignored };
  }
  const classNames = top.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(byCodePoint);
  if (classNames.length === 0 || classNames.length > 256) {
    throw new ArgumentError(`${where}: argument 'options.dir' must hold 1 to 256 class sub-directories, found ${classNames.length} in ${root}`, {
      argument: 'options.dir', expected: '1-256 class sub-directories', received: classNames.length,
    });
  }
  for (let label = 0; label < classNames.length; label++) {
    for (const file of await listImages(path.join(root, classNames[label] as string), ignored)) {
      files.push(file);
      labelList.push(label);
    }
  }
  if (files.length === 0) {
    throw new ArgumentError(`${where}: no ${IMAGE_EXTENSIONS.join('/')} files in the class sub-directories of ${root}`, { argument: 'options.dir', received: dir });
  }
  return { root, classNames, files, labels: Uint8Array.from(labelList), ignored };
}

/**
 * Safe extraction of tar archives (gzip or not). The whole archive is inspected before
 * anything is written, and refused if any entry would land outside the target directory:
 * absolute paths, `..` segments, symbolic links with an absolute target or a `..` in it, hard
 * links outside, or entry types a data set never needs (devices, FIFOs).
 *
 * Why so strict for symbolic links: a target checked only lexically can still escape through
 * another link (`a -> .`, then `b -> a/a/..`). A link target with no `..` and no leading `/`
 * points into its own directory's subtree, and so does any chain of such links.
 */
import path from 'node:path';
import * as tar from 'tar';
import { DataFormatError } from '@contrastive/core';
import { UnsafeArchiveError } from '../errors.js';

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

const segments = (p: string): string[] => p.split(/[\\/]+/);
const isAbsoluteAnywhere = (p: string): boolean => path.posix.isAbsolute(p) || path.win32.isAbsolute(p) || /^[a-zA-Z]:/.test(p);

/** Why an entry is unsafe, or `undefined` when it is fine. */
export function unsafeEntryReason(entryPath: string, type: string, linkpath: string | undefined): string | undefined {
  if (entryPath === '' || entryPath.includes('\0')) return 'has an empty or NUL-containing path';
  if (isAbsoluteAnywhere(entryPath)) return 'is an absolute path';
  if (segments(entryPath).includes('..')) return "has a '..' segment (it would be written outside the target directory)";
  if (!ALLOWED_TYPES.has(type)) return `has type ${type}, which a data archive never needs`;
  if (type === 'SymbolicLink' || type === 'Link') {
    const target = linkpath ?? '';
    const kind = type === 'SymbolicLink' ? 'symbolic link' : 'hard link';
    if (target === '' || target.includes('\0')) return `is a ${kind} with an empty target`;
    if (isAbsoluteAnywhere(target)) return `is a ${kind} to the absolute path ${JSON.stringify(target)} (outside the target directory)`;
    if (segments(target).includes('..')) return `is a ${kind} to ${JSON.stringify(target)}, which contains '..' (links may only point into the archive's own tree)`;
  }
  return undefined;
}

/**
 * Lists a tar archive's entries and throws {@link UnsafeArchiveError} at the first unsafe one
 * (see {@link unsafeEntryReason}); a corrupt archive is a {@link DataFormatError}.
 * `displayName` names the archive in messages (e.g. its URL). Returns the entry paths.
 */
export async function inspectTarArchive(file: string, displayName = file): Promise<string[]> {
  const paths: string[] = [];
  let unsafe: UnsafeArchiveError | undefined;
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        paths.push(entry.path);
        if (unsafe !== undefined) return;
        const reason = unsafeEntryReason(entry.path, entry.type, entry.linkpath);
        if (reason !== undefined) unsafe = new UnsafeArchiveError(displayName, entry.path, reason);
      },
    });
  } catch (cause) {
    throw new DataFormatError(`${displayName}: corrupt or truncated tar archive (${(cause as Error).message})`, displayName, undefined, { cause });
  }
  if (unsafe !== undefined) throw unsafe;
  if (paths.length === 0) throw new DataFormatError(`${displayName}: empty or unreadable tar archive (no entries)`, displayName, 0);
  return paths;
}

/**
 * Extracts a tar archive into `targetDir` (which must exist) after {@link inspectTarArchive}
 * accepted every entry. node-tar's own protections (no `..`, no absolute paths, no writing
 * through symbolic links) stay on as a second line; ownership is not restored.
 */
export async function extractTarSafely(file: string, targetDir: string, displayName = file): Promise<string[]> {
  const paths = await inspectTarArchive(file, displayName);
  try {
    await tar.x({
      file,
      cwd: targetDir,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (p, entry) => unsafeEntryReason(p, 'type' in entry ? entry.type : 'File', 'linkpath' in entry ? entry.linkpath : undefined) === undefined,
    });
  } catch (cause) {
    throw new DataFormatError(`${displayName}: extraction failed (${(cause as Error).message})`, displayName, undefined, { cause });
  }
  return paths;
}

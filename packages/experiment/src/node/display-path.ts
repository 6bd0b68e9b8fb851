/**
 * Paths as the command line prints them: relative to the working directory when inside it,
 * absolute otherwise.
 */
import path from 'node:path';

/** `p` relative to the working directory if it lies below it, else absolute. */
export function displayPath(p: string): string {
  const abs = path.resolve(p);
  const rel = path.relative(process.cwd(), abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/**
 * Bounds what an error prints: a value pasted into a configuration (a 50 MB string) must not
 * become 100 MB of terminal output.
 */

/** The most characters of one printed error line. */
export const MAX_LINE_CHARS = 1000;
/** The most lines of one printed error. */
export const MAX_ERROR_LINES = 40;

/** `line`, cut to {@link MAX_LINE_CHARS} characters with a note of how much was left out. */
export function clipLine(line: string, max = MAX_LINE_CHARS): string {
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`;
}

/** At most {@link MAX_ERROR_LINES} lines, each clipped (a stack trace keeps its own lines). */
export function clipLines(lines: readonly string[]): string[] {
  const out = lines.slice(0, MAX_ERROR_LINES).map((l) => (l.includes('\n    at ') ? l : clipLine(l)));
  if (lines.length > MAX_ERROR_LINES) out.push(`… (${lines.length - MAX_ERROR_LINES} more lines)`);
  return out;
}

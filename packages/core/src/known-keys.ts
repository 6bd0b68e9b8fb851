/**
 * Unknown option keys are errors: a typo such as `{ temperature: 0.2, temprature: 1 }` would
 * otherwise be ignored in silence and the run would use the default.
 */
import { ArgumentError } from './errors.js';

/** Levenshtein distance of two short strings. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length] as number;
}

/** The known key closest to `key`, when it is close enough to be a likely typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Throws an {@link ArgumentError} naming `<name>.<key>` for the first own key of `value` that
 * is not in `known` (with the closest known key as a suggestion). `undefined` passes.
 *
 * @example
 * ```ts
 * assertKnownKeys('ntXent', 'options', options, ['temperature', 'scale', 'checkValues']);
 * ```
 */
export function assertKnownKeys(where: string, name: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const suggestion = closestKey(key, known);
    const expected = `one of the options ${known.map((k) => `'${k}'`).join(', ')}`;
    throw new ArgumentError(`${where}: unknown option '${name}.${key}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}; expected ${expected}`, {
      argument: `${name}.${key}`,
      expected,
      received: (value as Record<string, unknown>)[key],
    });
  }
}

/**
 * `fn(0) .. fn(n - 1)` with at most `limit` promises pending at once: the bounded queue between
 * a batch and the decoder's threads.
 */

/**
 * Runs `fn` for every index below `n`, at most `limit` at a time, and resolves with the
 * results in index order. Rejects with the first error (the calls already started finish).
 */
export async function mapLimit<R>(n: number, limit: number, fn: (index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(n);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  return out;
}

/**
 * Naive loop-based reference implementations, in double precision on plain arrays, used by
 * the tests to check the vectorised tensor versions. Not exported from the package.
 */

/** Row-wise `x / ‖x‖`, an all-zero row staying zero (nn's `l2Normalize`). */
export function normalizeRowsRef(x: readonly (readonly number[])[]): number[][] {
  return x.map((row) => {
    let s = 0;
    for (const v of row) s += v * v;
    const norm = Math.sqrt(s);
    return row.map((v) => (norm === 0 ? 0 : v / norm));
  });
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Result of {@link knnReference}. */
export interface KnnReferenceResult {
  readonly predictions: number[];
  /** scores[i][c]: total vote weight of class c for test row i. */
  readonly scores: number[][];
}

/**
 * Brute-force weighted kNN (Wu et al. 2018): for every test row, sort all training rows by
 * cosine similarity (descending; ties: lower index first), take k, add exp(s/τ) to the
 * neighbour's class (scaled by exp(−s_max/τ), one constant per query), predict the class with the largest total (ties: lowest class).
 */
export function knnReference(
  train: readonly (readonly number[])[],
  trainLabels: readonly number[],
  test: readonly (readonly number[])[],
  k: number,
  temperature: number,
  numClasses: number,
): KnnReferenceResult {
  const bank = normalizeRowsRef(train);
  const queries = normalizeRowsRef(test);
  const predictions: number[] = [];
  const scores: number[][] = [];
  for (const q of queries) {
    const sims = bank.map((b, j) => ({ s: dot(q, b), j }));
    sims.sort((a, b) => (b.s !== a.s ? b.s - a.s : a.j - b.j));
    const total = new Array<number>(numClasses).fill(0);
    const top = (sims[0] as { s: number }).s;
    for (let r = 0; r < k; r++) {
      const { s, j } = sims[r] as { s: number; j: number };
      const c = trainLabels[j] as number;
      // exp(s/τ) scaled by the per-query constant exp(−top/τ): same arg-max, no overflow.
      total[c] = (total[c] as number) + Math.exp((s - top) / temperature);
    }
    let best = 0;
    for (let c = 1; c < numClasses; c++) if ((total[c] as number) > (total[best] as number)) best = c;
    predictions.push(best);
    scores.push(total);
  }
  return { predictions, scores };
}

/** mean_i ‖f(x_i) − f(y_i)‖^α over positive pairs of normalised rows (Wang & Isola 2020). */
export function alignmentRef(x: readonly (readonly number[])[], y: readonly (readonly number[])[], alpha: number): number {
  const a = normalizeRowsRef(x);
  const b = normalizeRowsRef(y);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    let s = 0;
    const ai = a[i] as number[];
    const bi = b[i] as number[];
    for (let d = 0; d < ai.length; d++) s += ((ai[d] as number) - (bi[d] as number)) ** 2;
    total += Math.sqrt(s) ** alpha;
  }
  return total / a.length;
}

/** log mean_{i<j} exp(−t ‖f(x_i) − f(x_j)‖²) over distinct pairs (Wang & Isola 2020). */
export function uniformityRef(x: readonly (readonly number[])[], t: number): number {
  const a = normalizeRowsRef(x);
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      let s = 0;
      const ai = a[i] as number[];
      const aj = a[j] as number[];
      for (let d = 0; d < ai.length; d++) s += ((ai[d] as number) - (aj[d] as number)) ** 2;
      total += Math.exp(-t * s);
      pairs++;
    }
  }
  return Math.log(total / pairs);
}

/** Column means and (population) standard deviations. */
export function columnStatsRef(x: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const n = x.length;
  const d = (x[0] as number[]).length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (row[j] as number) / n;
  for (const row of x) for (let j = 0; j < d; j++) std[j] = (std[j] as number) + ((row[j] as number) - (mean[j] as number)) ** 2 / n;
  return { mean, std: std.map(Math.sqrt) };
}

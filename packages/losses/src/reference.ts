/**
 * Naive float64 references of the losses, written as loops straight from the papers'
 * equations, with no vectorisation and no stabilisation beyond what float64 gives. The tests
 * compare the vectorised float32 implementations against these on random inputs, and take
 * their central finite differences as reference gradients. Not exported from the package.
 */

/** A matrix as rows of numbers. */
export type Rows = readonly (readonly number[])[];

function unit(row: readonly number[]): number[] {
  const norm = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
  return row.map((x) => x / norm);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** SimCLR eq. 1: mean over the 2N anchors of -log softmax of the positive among the other 2N-1. */
export function naiveNtXent(z1: Rows, z2: Rows, temperature: number): number {
  const n = z1.length;
  const z = [...z1, ...z2].map(unit);
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const positive = (i + n) % (2 * n);
    let denom = 0;
    for (let k = 0; k < 2 * n; k++) if (k !== i) denom += Math.exp(dot(z[i] as number[], z[k] as number[]) / temperature);
    total += -Math.log(Math.exp(dot(z[i] as number[], z[positive] as number[]) / temperature) / denom);
  }
  return total / (2 * n);
}

/**
 * Khosla et al. eq. 2 ('out') and eq. 3 ('in'), mean over anchors with a positive (0 if none).
 * With `queue`, its rows join every anchor's contrast set (they are no anchors), and a row whose
 * label equals the anchor's (never -1) is a positive; `queue.labels` null: plain negatives.
 */
export function naiveSupCon(
  views: readonly Rows[],
  labels: readonly number[] | null,
  temperature: number,
  variant: 'out' | 'in',
  queue: { readonly rows: Rows; readonly labels: readonly number[] | null } | null = null,
): number {
  const n = (views[0] as Rows).length;
  const m = views.length * n;
  const z = [...views.flatMap((v) => v.map(unit)), ...(queue?.rows ?? []).map(unit)];
  const label = (i: number): number | null => {
    if (i < m) return labels === null ? i % n : (labels[i % n] as number);
    const l = queue?.labels?.[i - m];
    return l === undefined || l === -1 ? null : l;
  };
  let total = 0;
  let anchors = 0;
  for (let i = 0; i < m; i++) {
    let denom = 0;
    for (let a = 0; a < z.length; a++) if (a !== i) denom += Math.exp(dot(z[i] as number[], z[a] as number[]) / temperature);
    const positives: number[] = [];
    for (let p = 0; p < z.length; p++) if (p !== i && label(p) !== null && label(p) === label(i)) positives.push(p);
    if (positives.length === 0) continue;
    anchors++;
    const prob = (p: number): number => Math.exp(dot(z[i] as number[], z[p] as number[]) / temperature) / denom;
    if (variant === 'out') {
      let s = 0;
      for (const p of positives) s += Math.log(prob(p));
      total += -s / positives.length;
    } else {
      let s = 0;
      for (const p of positives) s += prob(p);
      total += -Math.log(s / positives.length);
    }
  }
  return anchors === 0 ? 0 : total / anchors;
}

/**
 * MoCo's InfoNCE: cross-entropy of [q·k+ | q·negatives] / τ with target 0, mean over queries;
 * with `inBatch`, the other queries' keys join the negatives.
 */
export function naiveInfoNce(query: Rows, keys: Rows, negatives: Rows | null, temperature: number, inBatch: boolean): number {
  const q = query.map(unit);
  const k = keys.map(unit);
  const neg = (negatives ?? []).map(unit);
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    const positive = Math.exp(dot(q[i] as number[], k[i] as number[]) / temperature);
    let denom = positive;
    for (const nj of neg) denom += Math.exp(dot(q[i] as number[], nj) / temperature);
    if (inBatch) for (let j = 0; j < k.length; j++) if (j !== i) denom += Math.exp(dot(q[i] as number[], k[j] as number[]) / temperature);
    total += -Math.log(positive / denom);
  }
  return total / q.length;
}

/**
 * Central finite differences of `f` with respect to every entry of every matrix in `inputs`
 * (float64; step `h` relative to each entry's row scale).
 */
export function finiteDifferenceGrads(f: (inputs: Rows[]) => number, inputs: readonly Rows[], h = 1e-6): number[][][] {
  const copy = inputs.map((m) => m.map((r) => [...r]));
  return copy.map((matrix) =>
    matrix.map((row) => {
      const scale = Math.max(...row.map(Math.abs), 1e-12);
      return row.map((x, c) => {
        const step = h * scale;
        row[c] = x + step;
        const up = f(copy);
        row[c] = x - step;
        const down = f(copy);
        row[c] = x;
        return (up - down) / (2 * step);
      });
    }),
  );
}

/** SimSiam's D(p, z) averaged over the batch: -1/N Σ_i cos(p_i, z_i). */
export function naiveNegativeCosine(p: Rows, z: Rows): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) total -= dot(unit(p[i] as number[]), unit(z[i] as number[]));
  return total / p.length;
}

/** Column means and unbiased standard deviations (or variances) of a matrix. */
function columnStats(z: Rows): { mean: number[]; variance: number[] } {
  const n = z.length;
  const d = (z[0] as readonly number[]).length;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (z[i] as number[])[j] as number;
    const m = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (((z[i] as number[])[j] as number) - m) ** 2;
    mean.push(m);
    variance.push(v / (n - 1));
  }
  return { mean, variance };
}

/** `aᵀ b / divisor` for [N, D] matrices a and b, after centring (and, with `standardise`, scaling) each column. */
function crossMatrix(a: Rows, b: Rows, standardise: boolean, divisor: number): number[][] {
  const sa = columnStats(a);
  const sb = columnStats(b);
  const d = sa.mean.length;
  const value = (z: Rows, s: { mean: number[]; variance: number[] }, i: number, j: number): number =>
    (((z[i] as number[])[j] as number) - (s.mean[j] as number)) / (standardise ? Math.sqrt(s.variance[j] as number) : 1);
  const c: number[][] = [];
  for (let i = 0; i < d; i++) {
    const row: number[] = [];
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < a.length; k++) s += value(a, sa, k, i) * value(b, sb, k, j);
      row.push(s / divisor);
    }
    c.push(row);
  }
  return c;
}

/** Barlow Twins, Algorithm 1: unbiased std, no epsilon, C = z̃1ᵀ z̃2 / N, Σ (1 - C_ii)² + λ Σ_{i≠j} C_ij². */
export function naiveBarlowTwins(z1: Rows, z2: Rows, lambda: number): number {
  const c = crossMatrix(z1, z2, true, z1.length);
  let total = 0;
  for (let i = 0; i < c.length; i++) {
    for (let j = 0; j < c.length; j++) {
      const cij = (c[i] as number[])[j] as number;
      total += i === j ? (1 - cij) ** 2 : lambda * cij ** 2;
    }
  }
  return total;
}

/** VICReg's three unweighted terms (Bardes et al. 2022, official code): mse, mean of the two hinge terms, sum of the two covariance terms. */
export function naiveVicregTerms(z1: Rows, z2: Rows, epsilon: number): { invariance: number; variance: number; covariance: number } {
  const n = z1.length;
  const d = (z1[0] as readonly number[]).length;
  let invariance = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) invariance += (((z1[i] as number[])[j] as number) - ((z2[i] as number[])[j] as number)) ** 2;
  const hinge = (z: Rows): number => columnStats(z).variance.reduce((s, v) => s + Math.max(0, 1 - Math.sqrt(v + epsilon)), 0) / d;
  const offDiagonal = (z: Rows): number => {
    const cov = crossMatrix(z, z, false, n - 1);
    let s = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) s += ((cov[i] as number[])[j] as number) ** 2;
    return s / d;
  };
  return { invariance: invariance / (n * d), variance: (hinge(z1) + hinge(z2)) / 2, covariance: offDiagonal(z1) + offDiagonal(z2) };
}

/**
 * DCL (Yeh et al. 2022, eq. 6): mean over the 2N anchors of -w_k s_pos/τ + log Σ_{negatives} exp(s/τ),
 * the negatives being every row but the anchor and its positive. `weights` (one per sample, the
 * same for both views) default to 1 (DCL); DCLW's come from {@link naiveDclwWeights} and are held
 * fixed (stop-gradient) when differentiating.
 */
export function naiveDcl(z1: Rows, z2: Rows, temperature: number, weights: readonly number[] | null = null): number {
  const n = z1.length;
  const z = [...z1, ...z2].map(unit);
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const positive = (i + n) % (2 * n);
    let denom = 0;
    for (let k = 0; k < 2 * n; k++) if (k !== i && k !== positive) denom += Math.exp(dot(z[i] as number[], z[k] as number[]) / temperature);
    const w = weights === null ? 1 : (weights[i % n] as number);
    total += -w * (dot(z[i] as number[], z[positive] as number[]) / temperature) + Math.log(denom);
  }
  return total / (2 * n);
}

/** DCLW's negative von Mises–Fisher weights: w_i = 2 - exp(cos_i/σ) / mean_j exp(cos_j/σ). */
export function naiveDclwWeights(z1: Rows, z2: Rows, sigma: number): number[] {
  const e = z1.map((row, i) => Math.exp(dot(unit(row), unit(z2[i] as number[])) / sigma));
  const mean = e.reduce((s, x) => s + x, 0) / e.length;
  return e.map((x) => 2 - x / mean);
}

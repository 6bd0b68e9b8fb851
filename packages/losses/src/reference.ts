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

/** Khosla et al. eq. 2 ('out') and eq. 3 ('in'), mean over anchors with a positive (0 if none). */
export function naiveSupCon(views: readonly Rows[], labels: readonly number[] | null, temperature: number, variant: 'out' | 'in'): number {
  const n = (views[0] as Rows).length;
  const z = views.flatMap((v) => v.map(unit));
  const label = (i: number): number => (labels === null ? i % n : (labels[i % n] as number));
  let total = 0;
  let anchors = 0;
  for (let i = 0; i < z.length; i++) {
    let denom = 0;
    for (let a = 0; a < z.length; a++) if (a !== i) denom += Math.exp(dot(z[i] as number[], z[a] as number[]) / temperature);
    const positives: number[] = [];
    for (let p = 0; p < z.length; p++) if (p !== i && label(p) === label(i)) positives.push(p);
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

/**
 * t-SNE (van der Maaten & Hinton 2008, "Visualizing Data using t-SNE", JMLR 9) through the
 * `@keckelt/tsne` package (a typed port of Karpathy's tsnejs: exact O(N^2) gradients, gains
 * and momentum as in the paper's sec. 3.4), made reproducible by drawing its initial layout
 * from the project's seeded {@link Rng} instead of `Math.random`.
 */
import { TSNE } from '@keckelt/tsne';
import type { Rng } from '@contrastive/core';

/** Settings of {@link tsneLayout} (checked by the caller, `embedding2d`). */
export interface TsneSettings {
  /** Effective number of neighbours (the paper suggests 5 to 50). */
  readonly perplexity: number;
  /** Gradient steps. */
  readonly steps: number;
  /** Learning rate (tsnejs's `epsilon`). */
  readonly learningRate: number;
  /** Draws the initial layout, N(0, 1e-4^2) per coordinate. */
  readonly rng: Rng;
}

/**
 * 2-D t-SNE coordinates of `rows` (plain arrays, at least 2 rows). Synchronous; every step
 * costs O(N^2), so keep N to a few thousand.
 */
export function tsneLayout(rows: readonly (readonly number[])[], settings: TsneSettings): Array<[number, number]> {
  const t = new TSNE({ dim: 2, perplexity: settings.perplexity, epsilon: settings.learningRate });
  // The only randomness of tsnejs is gaussRandom (the initial solution); route it to the Rng.
  t.gaussRandom = (): number => settings.rng.normal(0, 1);
  t.initDataRaw(rows.map((r) => [...r]));
  for (let s = 0; s < settings.steps; s++) t.step();
  return (t.getSolution() as number[][]).map((p) => [p[0] as number, p[1] as number]);
}

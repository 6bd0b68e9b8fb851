/**
 * Random unit rows for the initial contents of the negative sources (internal). Tensors are
 * normalised with nn's `l2Normalize`.
 */
import type { Rng } from '@contrastive/core';
import { L2_NORMALIZE_TINY } from '@contrastive/nn';

/**
 * `rows` unit vectors of size `dim` drawn uniformly on the sphere (normal draws, normalised
 * in float64 before rounding to float32), as a flat row-major array. Seeded by `rng`.
 */
export function randomUnitRows(rng: Rng, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const v = rng.normal();
      row[j] = v;
      sq += v * v;
    }
    const norm = Math.max(Math.sqrt(sq), L2_NORMALIZE_TINY);
    for (let j = 0; j < dim; j++) out[r * dim + j] = (row[j] as number) / norm;
  }
  return out;
}

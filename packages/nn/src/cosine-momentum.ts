/**
 * The cosine momentum schedule of BYOL (Grill et al. 2020, §3.2: "τ = 1 − (1 − τ_base)
 * (cos(πk/K) + 1)/2"), also used with MoCo v2-style momentum encoders.
 */
import { ArgumentError, assertInteger, assertProbability } from '@contrastive/core';

/**
 * The momentum at step `step` of `totalSteps`: `m_t = 1 − (1 − m0)(cos(π t / T) + 1) / 2`.
 * It starts at `base` (t = 0) and rises to 1 at t = T.
 *
 * @param step - current step t, an integer in [0, totalSteps].
 * @param totalSteps - T, an integer >= 1.
 * @param base - m0 in [0, 1] (BYOL: 0.996; MoCo: 0.99 or 0.999).
 *
 * @example
 * ```ts
 * cosineMomentum(0, 1000, 0.996);    // 0.996
 * cosineMomentum(1000, 1000, 0.996); // 1
 * ```
 */
export function cosineMomentum(step: number, totalSteps: number, base: number): number {
  const where = 'cosineMomentum';
  assertInteger(where, 'totalSteps', totalSteps, 1);
  assertInteger(where, 'step', step, 0);
  assertProbability(where, 'base', base);
  if (step > totalSteps) {
    throw new ArgumentError(`${where}: argument 'step' must be <= totalSteps (${totalSteps}), received ${step}`, {
      argument: 'step',
      expected: `an integer in [0, ${totalSteps}]`,
      received: step,
    });
  }
  return 1 - ((1 - base) * (Math.cos((Math.PI * step) / totalSteps) + 1)) / 2;
}

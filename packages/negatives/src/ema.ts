/**
 * The momentum (exponential moving average) update of a key encoder (He et al. 2020, MoCo,
 * eq. 2: "θ_k ← m θ_k + (1 − m) θ_q"; Grill et al. 2020, BYOL, §3.1 "ξ ← τ ξ + (1 − τ) θ").
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertProbability, describeValue, isTensorLike } from '@contrastive/core';

function assertVariableList(where: string, name: string, value: unknown): asserts value is readonly tf.Variable[] {
  if (!Array.isArray(value) || !value.every((v) => isTensorLike(v) && typeof (v as { assign?: unknown }).assign === 'function')) {
    throw new ArgumentError(`${where}: argument '${name}' must be an array of tf.Variable, received ${describeValue(value)}`, {
      argument: name,
      expected: 'an array of tf.Variable',
      received: value,
    });
  }
}

/**
 * In place, for each pair: `target <- m * target + (1 - m) * online`.
 *
 * `m = 1` leaves the targets untouched (bit for bit) and `m = 0` copies the online weights
 * exactly. The lists pair up by position and must agree in length, shapes and dtypes. Apply it
 * to every variable of the key branch, BatchNorm statistics included (as MoCo's code does with
 * all parameters and buffers copied from the query encoder). No tensor is left behind.
 *
 * @param targetVars - the momentum (key) copy, updated in place.
 * @param onlineVars - the online (query) weights, read only.
 * @param m - momentum in [0, 1] (MoCo: 0.999; BYOL: 0.996 with {@link cosineMomentum}).
 *
 * @example
 * ```ts
 * // after the optimizer step of a MoCo iteration
 * emaUpdate(keyEncoder.trainableVariables, queryEncoder.trainableVariables, 0.999);
 * ```
 */
export function emaUpdate(targetVars: readonly tf.Variable[], onlineVars: readonly tf.Variable[], m: number): void {
  const where = 'emaUpdate';
  assertVariableList(where, 'targetVars', targetVars);
  assertVariableList(where, 'onlineVars', onlineVars);
  assertProbability(where, 'm', m);
  if (targetVars.length !== onlineVars.length) {
    throw new ArgumentError(`${where}: argument 'onlineVars' must have as many variables as 'targetVars' (${targetVars.length}), received ${onlineVars.length}`, {
      argument: 'onlineVars',
      expected: `${targetVars.length} variables`,
      received: onlineVars.length,
    });
  }
  targetVars.forEach((t, i) => {
    const o = onlineVars[i] as tf.Variable;
    if (t.dtype !== o.dtype || t.shape.length !== o.shape.length || t.shape.some((s, j) => s !== o.shape[j])) {
      throw new ShapeError(
        `${where}: argument 'onlineVars[${i}]' (${o.name}) must match targetVars[${i}] (${t.name}) ${describeValue(t)}, received ${describeValue(o)}`,
        { argument: `onlineVars[${i}]`, expected: describeValue(t), received: o },
      );
    }
  });
  if (m === 1) return;
  for (let i = 0; i < targetVars.length; i++) {
    const t = targetVars[i] as tf.Variable;
    const o = onlineVars[i] as tf.Variable;
    const next = m === 0 ? tf.clone(o) : tf.tidy(() => tf.add(tf.mul(t, m), tf.mul(o, 1 - m)));
    t.assign(next);
    next.dispose();
  }
}

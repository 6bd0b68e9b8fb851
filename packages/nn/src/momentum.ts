/**
 * The momentum (exponential moving average) update, once for the whole project: MoCo's key
 * encoder (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation
 * Learning", eq. 2: θ_k ← m·θ_k + (1 − m)·θ_q) and BYOL's target network (Grill et al. 2020,
 * §3.1: ξ ← τξ + (1 − τ)θ). `momentumCopy` (encoders), `emaUpdate` (negatives) and the
 * strategies' momentum branch all call {@link updateMomentum}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertOptionsObject, assertProbability, describeValue, isTensorLike } from '@contrastive/core';
import { Module } from './module.js';

/**
 * What happens to buffers (e.g. BatchNorm running averages) when the operands are modules:
 * - `'ema'` (default): the same moving average as the parameters, so at m = 0 the target is
 *   the online module exactly;
 * - `'copy'`: copied from the online module;
 * - `'own'`: left alone (MoCo's reference code averages `parameters()` only).
 */
export type BufferPolicy = 'ema' | 'copy' | 'own';

const POLICIES: readonly BufferPolicy[] = ['ema', 'copy', 'own'];

/** Options of {@link updateMomentum}. */
export interface UpdateMomentumOptions {
  /** Buffer policy for module operands (default `'ema'`); variable lists are averaged as given. */
  readonly buffers?: BufferPolicy;
}

/** Checks that `value` is a {@link BufferPolicy}; ArgumentError naming `name` otherwise. */
export function assertBufferPolicy(where: string, name: string, value: unknown): asserts value is BufferPolicy {
  if (!(POLICIES as readonly unknown[]).includes(value)) {
    throw new ArgumentError(`${where}: argument '${name}' must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, received ${describeValue(value)}`, {
      argument: name,
      expected: POLICIES.join(' | '),
      received: value,
    });
  }
}

/** An operand of {@link updateMomentum}: a module (paired by path) or a list of variables (paired by position). */
export type MomentumOperand = Module | readonly tf.Variable[];

interface Pair {
  readonly label: string;
  readonly target: tf.Variable;
  readonly online: tf.Variable;
  readonly buffer: boolean;
}

function isVariableList(value: unknown): value is readonly tf.Variable[] {
  return Array.isArray(value) && value.every((v) => isTensorLike(v) && typeof (v as { assign?: unknown }).assign === 'function');
}

function assertOperand(where: string, name: string, value: unknown): asserts value is MomentumOperand {
  if (value instanceof Module) {
    if (value.isDisposed) {
      throw new ArgumentError(`${where}: argument '${name}' has been disposed`, { argument: name, expected: 'a live module', received: 'disposed' });
    }
    return;
  }
  if (!isVariableList(value)) {
    throw new ArgumentError(`${where}: argument '${name}' must be a module or an array of tf.Variable, received ${describeValue(value)}`, {
      argument: name,
      expected: 'a Module or an array of tf.Variable',
      received: value,
    });
  }
}

/** Pairs the operands' variables: by path for modules, by position for lists. Checks everything. */
function pairUp(where: string, target: MomentumOperand, online: MomentumOperand): Pair[] {
  if (target instanceof Module !== online instanceof Module) {
    throw new ArgumentError(`${where}: argument 'online' must be of the same kind as 'target' (both modules or both variable lists), received ${describeValue(online)}`, {
      argument: 'online',
      expected: target instanceof Module ? 'a Module' : 'an array of tf.Variable',
      received: online,
    });
  }
  let pairs: Pair[];
  if (target instanceof Module && online instanceof Module) {
    const byPath = new Map(online.namedVariables().map((n) => [n.path, n]));
    const targetPaths = new Set(target.namedVariables().map((n) => n.path));
    const missing = target.namedVariables().filter((n) => !byPath.has(n.path)).map((n) => n.path);
    const extra = online.namedVariables().filter((n) => !targetPaths.has(n.path)).map((n) => n.path);
    if (missing.length > 0 || extra.length > 0) {
      throw new ShapeError(`${where}: argument 'online' must have the paths of 'target' (${target.name}); missing ${describeValue(missing)}, unexpected ${describeValue(extra)}`, {
        argument: 'online',
        expected: `the ${targetPaths.size} paths of ${target.name}`,
        received: { missing, unexpected: extra },
      });
    }
    pairs = target.namedVariables().map((n) => {
      const o = byPath.get(n.path) as { variable: tf.Variable };
      return { label: `['${n.path}']`, target: n.variable, online: o.variable, buffer: !n.trainable };
    });
  } else {
    const t = target as readonly tf.Variable[];
    const o = online as readonly tf.Variable[];
    if (t.length !== o.length) {
      throw new ArgumentError(`${where}: argument 'online' must have as many variables as 'target' (${t.length}), received ${o.length}`, {
        argument: 'online',
        expected: `${t.length} variables`,
        received: o.length,
      });
    }
    pairs = t.map((v, i) => ({ label: `[${i}]`, target: v, online: o[i] as tf.Variable, buffer: false }));
  }
  for (const p of pairs) {
    const { target: t, online: o } = p;
    if (t.dtype !== o.dtype || t.shape.length !== o.shape.length || t.shape.some((s, j) => s !== o.shape[j])) {
      throw new ShapeError(`${where}: argument 'online' must match the target at ${p.label}: expected ${describeValue(t)}, received ${describeValue(o)}`, {
        argument: `online${p.label}`,
        expected: describeValue(t),
        received: o,
      });
    }
  }
  return pairs;
}

/**
 * In place: `target ← m · target + (1 − m) · online` for every paired variable.
 *
 * Modules pair by parameter path (their architectures must match); variable lists pair by
 * position. `m = 1` leaves the target untouched (bit for bit) and `m = 0` copies the online
 * values exactly. Buffers of module operands follow `options.buffers`. Everything is checked
 * before anything is assigned; no tensor is left behind.
 *
 * @param target - the momentum (key / target) weights, updated in place.
 * @param online - the online (query) weights, read only.
 * @param m - momentum in [0, 1] (MoCo: 0.999; BYOL: 0.996 with {@link cosineMomentum}).
 *
 * @example
 * ```ts
 * // after each optimizer step of a MoCo iteration
 * updateMomentum(keyEncoder, encoder, 0.999, { buffers: 'own' });
 * ```
 */
export function updateMomentum(target: MomentumOperand, online: MomentumOperand, m: number, options: UpdateMomentumOptions = {}): void {
  const where = 'updateMomentum';
  assertOperand(where, 'target', target);
  assertOperand(where, 'online', online);
  assertProbability(where, 'm', m);
  assertOptionsObject(where, 'options', options);
  const buffers = options.buffers ?? 'ema';
  assertBufferPolicy(where, 'options.buffers', buffers);
  const pairs = pairUp(where, target, online);
  for (const p of pairs) {
    const rate = p.buffer ? (buffers === 'own' ? 1 : buffers === 'copy' ? 0 : m) : m;
    if (rate === 1) continue;
    // m = 0 assigns a copy, so that "m = 0 copies the online weights" holds bit for bit.
    const next = rate === 0 ? tf.clone(p.online) : tf.tidy(() => tf.add(tf.mul(p.target, rate), tf.mul(p.online, 1 - rate)));
    p.target.assign(next);
    next.dispose();
  }
}

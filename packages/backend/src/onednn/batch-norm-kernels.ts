/**
 * Training-mode BatchNorm as two kernels of the wasm engine, run by the oneDNN addon's native
 * loops (Ioffe & Szegedy 2015, Algorithm 1, and its backward pass; optional fused ReLU):
 *
 * - `ContrastiveBatchNormTrain` — inputs `{ x, gamma?, beta? }` (x: float32, channels last),
 *   attrs `{ epsilon, relu }`; outputs `[y, mean, variance]` (biased variance, shape [C]).
 * - `ContrastiveBatchNormGrad` — inputs `{ dy, x, mean, variance, gamma?, y? }` (y: the forward
 *   output, given when the ReLU is fused), attrs `{ epsilon }`; outputs `[dx, dgamma, dbeta]`.
 *
 * These are new kernel names, not replacements: `@contrastive/nn`'s BatchNorm training op calls
 * them when the active backend has them (wasm+onednn) and otherwise composes the same maths from
 * stock kernels. The names are a contract between the two packages, which do not import each
 * other (see {@link BATCH_NORM_KERNELS}).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import type { OnednnAddon } from './addon-types.js';

/** The kernel names (also spelled out in @contrastive/nn's BatchNorm op). */
export const BATCH_NORM_KERNELS = { forward: 'ContrastiveBatchNormTrain', backward: 'ContrastiveBatchNormGrad' } as const;

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

const forwardParams = new Float64Array(10);
const backwardParams = new Float64Array(12);

function offset(b: WasmBackendLike, t: TensorInfo | undefined | null): number {
  if (t === undefined || t === null) return -1;
  const d = b.dataIdMap.get(t.dataId);
  if (d === undefined) throw new BackendError('BatchNorm kernel: tensor not found in the wasm backend');
  return d.memoryOffset;
}

function check(where: string, t: TensorInfo | undefined | null, name: string, size: number | null): void {
  if (t === undefined || t === null) return;
  if (t.dtype !== 'float32') throw new BackendError(`${where}: ${name} must be float32, received ${t.dtype}`, { argument: `inputs.${name}`, received: t.dtype });
  if (size !== null && tf.util.sizeFromShape(t.shape) !== size) {
    throw new BackendError(`${where}: ${name} must have ${size} values, received shape [${t.shape.join(',')}]`, { argument: `inputs.${name}`, received: [...t.shape] });
  }
}

/** The forward kernel over `addon`. */
export function makeBatchNormTrain(addon: OnednnAddon): KernelFunc {
  const where = BATCH_NORM_KERNELS.forward;
  return ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as Record<string, TensorInfo | undefined>;
    const { epsilon, relu } = attrs as unknown as { epsilon: number; relu: boolean };
    if (x === undefined || x.shape.length < 1) throw new BackendError(`${where}: needs an input x of rank >= 1`, { argument: 'inputs.x' });
    const c = x.shape[x.shape.length - 1] as number;
    const rows = tf.util.sizeFromShape(x.shape) / c;
    check(where, x, 'x', null);
    check(where, gamma, 'gamma', c);
    check(where, beta, 'beta', c);
    if (rows < 1 || c < 1) throw new BackendError(`${where}: x must not be empty, received shape [${x.shape.join(',')}]`, { argument: 'inputs.x' });
    const b = backend as unknown as WasmBackendLike;
    const y = b.makeOutput([...x.shape], 'float32');
    const mean = b.makeOutput([c], 'float32');
    const variance = b.makeOutput([c], 'float32');
    const p = forwardParams;
    p.set([offset(b, x), offset(b, gamma), offset(b, beta), offset(b, y), offset(b, mean), offset(b, variance), rows, c, epsilon, relu ? 1 : 0]);
    addon.batchNormForward(b.wasm.HEAPU8, p);
    return [y, mean, variance];
  };
}

/** The backward kernel over `addon`. */
export function makeBatchNormGrad(addon: OnednnAddon): KernelFunc {
  const where = BATCH_NORM_KERNELS.backward;
  return ({ inputs, backend, attrs }) => {
    const { dy, x, mean, variance, gamma, y } = inputs as Record<string, TensorInfo | undefined>;
    const { epsilon } = attrs as unknown as { epsilon: number };
    if (dy === undefined || x === undefined || mean === undefined || variance === undefined) {
      throw new BackendError(`${where}: needs inputs dy, x, mean and variance`);
    }
    const c = x.shape[x.shape.length - 1] as number;
    const size = tf.util.sizeFromShape(x.shape);
    check(where, dy, 'dy', size);
    check(where, y, 'y', size);
    check(where, mean, 'mean', c);
    check(where, variance, 'variance', c);
    check(where, gamma, 'gamma', c);
    const b = backend as unknown as WasmBackendLike;
    const dx = b.makeOutput([...x.shape], 'float32');
    const dgamma = b.makeOutput([c], 'float32');
    const dbeta = b.makeOutput([c], 'float32');
    const p = backwardParams;
    p.set([offset(b, dy), offset(b, x), offset(b, mean), offset(b, variance), offset(b, gamma), offset(b, y), offset(b, dx), offset(b, dgamma), offset(b, dbeta), size / c, c, epsilon]);
    addon.batchNormBackward(b.wasm.HEAPU8, p);
    return [dx, dgamma, dbeta];
  };
}

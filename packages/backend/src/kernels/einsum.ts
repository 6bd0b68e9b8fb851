/**
 * `Einsum` for wasm (tfjs-backend-wasm 4.22 has none), as at most one batched matrix product.
 *
 * tfjs's einsum takes one or two operands without repeated subscripts in an operand. Dimensions are
 * sorted into: summed away early (in one operand only and not in the output), batch (in both and in
 * the output), contracted (in both, not in the output), and free (in one operand and the output).
 * Each operand is transposed to [batch, free, contracted] (resp. [batch, contracted, free]),
 * reshaped to 3-D, multiplied with `BatchMatMul` (XNNPACK, multi-threaded), reshaped and
 * transposed to the output order. tfjs registers no einsum gradient, on any engine, so this is for
 * inference-time code (e.g. evaluation metrics), not for training.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EinsumAttrs, KernelBackend, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'Einsum';

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const isIdentity = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

/** An operand and the dimension id (index into the equation's dimensions) of each of its axes. */
interface Operand {
  readonly info: TensorInfo;
  readonly dims: readonly number[];
}

/** Returns the `Einsum` kernel function for backend `backendName`. */
export function makeEinsum(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const tensors = Object.values(inputs) as TensorInfo[];
    const { equation } = attrs as unknown as EinsumAttrs;
    for (const t of tensors) {
      if (t.dtype !== 'float32') throw new BackendError(`${WHERE}: only float32 operands are supported, received ${t.dtype}`);
    }
    const { allDims, idDims } = tf.backend_util.decodeEinsumEquation(equation, tensors.length);
    tf.backend_util.checkEinsumDimSizes(allDims.length, idDims, tensors as unknown as Tensor[]);
    const numOut = equation.replace(/\s/g, '').split('->')[1]?.length ?? 0;
    const size: number[] = new Array<number>(allDims.length).fill(1);
    tensors.forEach((t, i) => (idDims[i] as number[]).forEach((d, axis) => (size[d] = t.shape[axis] as number)));
    const inOutput = (d: number): boolean => d < numOut;
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      let operands: Operand[] = tensors.map((info, i) => ({ info, dims: idDims[i] as number[] }));
      // Sum away dimensions that only one operand has and the output does not.
      operands = operands.map((op, i) => {
        const others = operands.filter((_, j) => j !== i).flatMap((o) => o.dims);
        const axes = op.dims.map((d, axis) => (!inOutput(d) && !others.includes(d) ? axis : -1)).filter((a) => a >= 0);
        if (axes.length === 0) return op;
        return { info: scope.run('Sum', { x: op.info }, { axis: axes, keepDims: false }), dims: op.dims.filter((_, axis) => !axes.includes(axis)) };
      });
      let result: Operand;
      if (operands.length === 1) {
        result = operands[0] as Operand;
      } else {
        const [a, b] = operands as [Operand, Operand];
        const batch = a.dims.filter((d) => b.dims.includes(d) && inOutput(d));
        const contracted = a.dims.filter((d) => b.dims.includes(d) && !inOutput(d));
        const freeA = a.dims.filter((d) => !b.dims.includes(d));
        const freeB = b.dims.filter((d) => !a.dims.includes(d));
        const arrange = (op: Operand, order: readonly number[], shape: readonly number[]): TensorInfo => {
          const perm = order.map((d) => op.dims.indexOf(d));
          const moved = isIdentity(perm) ? op.info : scope.transpose(op.info, perm);
          return scope.reshape(moved, shape);
        };
        const sizes = (ds: readonly number[]): number => product(ds.map((d) => size[d] as number));
        const a3 = arrange(a, [...batch, ...freeA, ...contracted], [sizes(batch), sizes(freeA), sizes(contracted)]);
        const b3 = arrange(b, [...batch, ...contracted, ...freeB], [sizes(batch), sizes(contracted), sizes(freeB)]);
        const c3 = scope.run('BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
        const dims = [...batch, ...freeA, ...freeB];
        result = { info: scope.reshape(c3, dims.map((d) => size[d] as number)), dims };
      }
      // Output order: dimension ids 0..numOut-1.
      const perm = Array.from({ length: numOut }, (_, d) => result.dims.indexOf(d));
      const out = isIdentity(perm) ? result.info : scope.transpose(result.info, perm);
      // The output must be a tensor this scope created (an input passed straight through is copied).
      return scope.keep(tensors.includes(out) ? scope.run('Identity', { x: out }) : out);
    } finally {
      scope.dispose();
    }
  };
}

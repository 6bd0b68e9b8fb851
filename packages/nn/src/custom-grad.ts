/**
 * A typed wrapper of `tf.customGrad` for one-input operations whose gradient is written out.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';

/** Forward computation of a one-input op: its value, and the gradient of a scalar loss through it. */
export type UnaryForward<X extends Tensor, Y extends Tensor> = (
  x: X,
  save: GradSaveFunc,
) => { readonly value: Y; readonly gradFunc: (dy: Y, saved: Tensor[]) => Tensor };

/**
 * `tf.customGrad` for a single differentiated input. Tensors the forward closes over receive
 * no gradient (stop-gradient). The forward runs inside a tidy scope; tensors the gradient
 * needs must go through `save`.
 */
export function unaryCustomGrad<X extends Tensor, Y extends Tensor>(forward: UnaryForward<X, Y>): (x: X) => Y {
  const op = tf.customGrad<Y>((...args) => forward(args[0] as X, args[1] as GradSaveFunc));
  return (x: X) => op(x);
}

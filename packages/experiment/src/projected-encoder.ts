/**
 * The projection z = g(f(x)) seen as an encoder, to evaluate the representation the loss sees
 * instead of h (SimCLR, Chen et al. 2020, Sec. 4.2 and Figure 8: h beats z = g(h) by >10% in
 * linear evaluation).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, ForwardOptions, ProjectionHead } from '@contrastive/core';

/**
 * An {@link Encoder} computing z = g(f(x)) with `encoder` f and `head` g. It owns both:
 * `dispose()` frees the encoder and the head.
 *
 * @example
 * ```ts
 * const z = projectedEncoder(encoder, head);   // evaluate z instead of h
 * const knn = await evaluateEncoder(z, { ... });
 * z.dispose();
 * ```
 */
export function projectedEncoder(encoder: Encoder, head: ProjectionHead): Encoder {
  return {
    name: `${encoder.name}+${head.name}`,
    outputDim: head.outputDim,
    get trainableVariables() {
      return [...encoder.trainableVariables, ...head.trainableVariables];
    },
    get nonTrainableVariables() {
      return [...encoder.nonTrainableVariables, ...head.nonTrainableVariables];
    },
    apply(x: tf.Tensor, options: ForwardOptions): tf.Tensor2D {
      return tf.tidy(() => head.apply(encoder.apply(x, options), options));
    },
    dispose() {
      head.dispose();
      encoder.dispose();
    },
  };
}

/**
 * The online head of the predictor strategies (BYOL, Grill et al. 2020, Sec. 3.1; SimSiam,
 * Chen & He 2021, Sec. 3; NNCLR, Dwibedi et al. 2021, Sec. 3): projector g, then predictor q.
 * `'prediction'` outputs p = q(g(h)) (BYOL: the target is another network's projection);
 * `'both'` outputs `[z | p]` with z = g(h), so a strategy whose target is the online
 * projection itself (SimSiam, NNCLR) gets z and p from one forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, type ForwardOptions, type ProjectionHead } from '@contrastive/core';
import { modulePaths } from '@contrastive/nn';

/** A projector followed by a predictor, as one {@link ProjectionHead}. */
export interface PredictorHead extends ProjectionHead {
  readonly projector: ProjectionHead;
  readonly predictor: ProjectionHead;
  readonly output: 'prediction' | 'both';
  /** Variables by path: `<prefix>.projector.*`, `<prefix>.predictor.*`. */
  stateDict(prefix?: string): Map<string, tf.Variable>;
}

/**
 * Chains `projector` and `predictor`. Its `dispose()` frees nothing: the parts stay with whoever
 * built them (a strategy frees a predictor it built itself).
 *
 * @example
 * ```ts
 * const online = withPredictor(projector, predictorHead({ inputDim: 128, hiddenDim: 512 }), 'both');
 * const zp = online.apply(h, { training: true });   // [B, 128 + 128]
 * ```
 */
export function withPredictor(projector: ProjectionHead, predictor: ProjectionHead, output: 'prediction' | 'both'): PredictorHead {
  if (predictor.inputDim !== projector.outputDim) {
    throw new ArgumentError(
      `withPredictor: argument 'predictor' must take the projection (inputDim ${projector.outputDim}), received inputDim ${predictor.inputDim}`,
      { argument: 'predictor', expected: `inputDim ${projector.outputDim}`, received: predictor.inputDim },
    );
  }
  if (output === 'both' && predictor.outputDim !== projector.outputDim) {
    throw new ArgumentError(
      `withPredictor: argument 'predictor' must predict the projection (outputDim ${projector.outputDim}), received outputDim ${predictor.outputDim}`,
      { argument: 'predictor', expected: `outputDim ${projector.outputDim}`, received: predictor.outputDim },
    );
  }
  return {
    name: `${projector.name}+${predictor.name}`,
    projector,
    predictor,
    output,
    inputDim: projector.inputDim,
    outputDim: output === 'both' ? projector.outputDim + predictor.outputDim : predictor.outputDim,
    trainableVariables: [...projector.trainableVariables, ...predictor.trainableVariables],
    nonTrainableVariables: [...projector.nonTrainableVariables, ...predictor.nonTrainableVariables],
    stateDict(prefix = '') {
      const at = (part: string): string => (prefix === '' ? part : `${prefix}.${part}`);
      return new Map([...modulePaths(projector, at('projector')), ...modulePaths(predictor, at('predictor'))]);
    },
    apply(h: tf.Tensor2D, options: ForwardOptions): tf.Tensor2D {
      return tf.tidy(() => {
        const z = projector.apply(h, options);
        const p = predictor.apply(z, options);
        return output === 'both' ? (tf.concat([z, p], 1) as tf.Tensor2D) : p;
      });
    },
    dispose() {},
  };
}

/** Splits a `'both'` output `[B, 2D]` into z `[B, D]` and p `[B, D]`. */
export function splitProjectionPrediction(zp: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const d = (zp.shape[1] as number) / 2;
  return [tf.slice(zp, [0, 0], [-1, d]), tf.slice(zp, [0, d], [-1, d])];
}

/**
 * Which views a two-view loss compares, with or without multi-crop (Caron et al. 2020, SwAV,
 * Sec. 3.2; DINO, Caron et al. 2021, Sec. 3.1): views 0 and 1 are the global crops, the
 * others local ones; every view is compared with every global view other than itself, the
 * global one serving as the target. With two views this is the symmetrised loss of BYOL and
 * SimSiam: (1 -> 0) and (0 -> 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@contrastive/core';

/** The (view, target) pairs for V views of which the first `min(2, V)` are global. */
export function viewTargetPairs(views: number): [number, number][] {
  const globals = Math.min(2, views);
  const pairs: [number, number][] = [];
  for (let v = 0; v < views; v++) for (let g = 0; g < globals; g++) if (v !== g) pairs.push([v, g]);
  return pairs;
}

/**
 * The mean over {@link viewTargetPairs} of `term(view, target)`; throws an ArgumentError naming
 * `inputs.views` for fewer than 2 views. Tidy.
 */
export function meanOverViewPairs(where: string, views: number, term: (view: number, target: number) => tf.Scalar): tf.Scalar {
  if (views < 2) {
    throw new ArgumentError(`${where}: argument 'inputs.views' must hold at least 2 views, received ${views}`, {
      argument: 'inputs.views',
      expected: 'at least 2 views',
      received: views,
    });
  }
  return tf.tidy(() => {
    const terms = viewTargetPairs(views).map(([v, g]) => term(v, g));
    return (terms.length === 1 ? terms[0] : tf.div(tf.addN(terms), terms.length)) as tf.Scalar;
  });
}

/**
 * One forward pass per view size (internal to `compose()`): views of equal spatial size are
 * concatenated and embedded together, so BatchNorm statistics cover every image of that size
 * (SimCLR's global BN on one device); multi-crop views (2 global + N smaller local crops,
 * Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting Cluster
 * Assignments", Sec. 3.2) get one pass per size, as SwAV's code groups crops by resolution.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The embedding of each view, in view order, from one `embed` call per distinct view size.
 * Call it inside a tidy scope or gradient tape: the concatenations stay to that scope.
 */
export function embedBySize(embed: (x: tf.Tensor4D) => tf.Tensor2D, views: readonly tf.Tensor4D[]): tf.Tensor2D[] {
  if (views.length === 1) return [embed(views[0] as tf.Tensor4D)];
  const groups = new Map<string, number[]>();
  views.forEach((v, i) => {
    const key = v.shape.slice(1).join('x');
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  });
  const out = new Array<tf.Tensor2D>(views.length);
  for (const members of groups.values()) {
    if (members.length === 1) {
      out[members[0] as number] = embed(views[members[0] as number] as tf.Tensor4D);
      continue;
    }
    // Intermediates stay to the caller's scope (the gradient tape may still need them).
    const parts = tf.split(embed(tf.concat(members.map((i) => views[i] as tf.Tensor4D), 0)), members.length, 0) as tf.Tensor2D[];
    members.forEach((i, k) => (out[i] = parts[k] as tf.Tensor2D));
  }
  return out;
}

/**
 * Naive loop references for the kernels this package adds, accumulating in float64. They follow
 * the definitions directly (one multiply-add per (output position, filter tap, channel)), support
 * dilations (which the cpu backend's depthwise gradient kernels ignore), and are what the
 * vectorised kernels are checked against besides the cpu backend.
 */

/** Geometry of one convolution, as tfjs's computeConv2DInfo reports it. */
export interface ConvGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  /** Input channels. */
  readonly c: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly top: number;
  readonly left: number;
  /** Output channels (regular) or channel multiplier (depthwise). */
  readonly co: number;
  readonly depthwise: boolean;
}

/**
 * Both gradients of a convolution y = conv(x, W): dx (shape of x) and dW (shape of W) for an output
 * gradient dy [N, OH, OW, C·co or co].
 */
export function convGradientsReference(
  g: ConvGeometry,
  x: Float32Array,
  filter: Float32Array,
  dy: Float32Array,
): { readonly dx: Float64Array; readonly dW: Float64Array } {
  const outC = g.depthwise ? g.c * g.co : g.co;
  const dx = new Float64Array(g.n * g.h * g.w * g.c);
  const dW = new Float64Array(g.kh * g.kw * g.c * g.co);
  for (let n = 0; n < g.n; n++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        for (let kh = 0; kh < g.kh; kh++) {
          const ih = oh * g.sh + kh * g.dh - g.top;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kw; kw++) {
            const iw = ow * g.sw + kw * g.dw - g.left;
            if (iw < 0 || iw >= g.w) continue;
            const xBase = ((n * g.h + ih) * g.w + iw) * g.c;
            const dyBase = ((n * g.oh + oh) * g.ow + ow) * outC;
            const wBase = (kh * g.kw + kw) * g.c * g.co;
            for (let ci = 0; ci < g.c; ci++) {
              for (let k = 0; k < g.co; k++) {
                const d = dy[dyBase + (g.depthwise ? ci * g.co + k : k)] as number;
                const wi = wBase + ci * g.co + k;
                dW[wi] = (dW[wi] as number) + (x[xBase + ci] as number) * d;
                dx[xBase + ci] = (dx[xBase + ci] as number) + d * (filter[wi] as number);
              }
            }
          }
        }
      }
    }
  }
  return { dx, dW };
}

/** out[s] = Σ_{i: ids[i] = s} x[i] for rows of `rowSize` values; ids outside [0, numSegments) dropped. */
export function unsortedSegmentSumReference(x: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, rowSize: number): Float64Array {
  const out = new Float64Array(numSegments * rowSize);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < rowSize; j++) out[s * rowSize + j] = (out[s * rowSize + j] as number) + (x[i * rowSize + j] as number);
  }
  return out;
}

/** Geometry of one 2-D pooling. */
export interface PoolGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly top: number;
  readonly left: number;
}

/**
 * Max-pool input gradient: each output's dy goes to the first maximal input of its window
 * (row-major scan over the positions inside the input; padding never wins).
 */
export function maxPoolGradReference(g: PoolGeometry, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(g.n * g.h * g.w * g.c);
  for (let n = 0; n < g.n; n++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        for (let ch = 0; ch < g.c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let kh = 0; kh < g.kh; kh++) {
            const ih = oh * g.sh + kh - g.top;
            if (ih < 0 || ih >= g.h) continue;
            for (let kw = 0; kw < g.kw; kw++) {
              const iw = ow * g.sw + kw - g.left;
              if (iw < 0 || iw >= g.w) continue;
              const i = ((n * g.h + ih) * g.w + iw) * g.c + ch;
              if ((x[i] as number) > best) {
                best = x[i] as number;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (dy[((n * g.oh + oh) * g.ow + ow) * g.c + ch] as number);
        }
      }
    }
  }
  return dx;
}

/** Max pool with the flat index of each window's first maximum (tfjs's MaxPoolWithArgmax layout). */
export function maxPoolWithArgmaxReference(g: PoolGeometry, x: ArrayLike<number>, includeBatch: boolean): { values: Float64Array; indexes: Int32Array } {
  const values = new Float64Array(g.n * g.oh * g.ow * g.c);
  const indexes = new Int32Array(values.length);
  let k = 0;
  for (let n = 0; n < g.n; n++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        for (let ch = 0; ch < g.c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let kh = 0; kh < g.kh; kh++) {
            const ih = oh * g.sh + kh - g.top;
            if (ih < 0 || ih >= g.h) continue;
            for (let kw = 0; kw < g.kw; kw++) {
              const iw = ow * g.sw + kw - g.left;
              if (iw < 0 || iw >= g.w) continue;
              const v = x[((n * g.h + ih) * g.w + iw) * g.c + ch] as number;
              if (v > best) {
                best = v;
                at = (((includeBatch ? n * g.h : 0) + ih) * g.w + iw) * g.c + ch;
              }
            }
          }
          values[k] = best;
          indexes[k++] = at;
        }
      }
    }
  }
  return { values, indexes };
}

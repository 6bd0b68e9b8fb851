/**
 * Resizing of byte images (HWC) for the image-folder data set. Half-pixel centres, as
 * `tf.image.resizeBilinear(x, size, false, true)` / `resizeNearestNeighbor(x, size, false, true)`:
 * output pixel `(y, x)` samples the input at `((y + 0.5) * inH / outH - 0.5, ...)`. No
 * antialiasing: shrinking by more than 2x drops detail (resize such images offline first).
 */
import { ArgumentError, assertInteger, assertOneOf } from '@contrastive/core';

/** How {@link resizeImage} interpolates. */
export type ResizeMethod = 'bilinear' | 'nearest';

/**
 * Resizes an `inH x inW x channels` byte image to `outH x outW`, rounding to the nearest byte.
 * Returns a new array; same-size input is copied unchanged.
 */
export function resizeImage(src: Uint8Array, inH: number, inW: number, channels: number, outH: number, outW: number, method: ResizeMethod = 'bilinear'): Uint8Array {
  const where = 'resizeImage';
  for (const [name, v] of [['inH', inH], ['inW', inW], ['channels', channels], ['outH', outH], ['outW', outW]] as const) assertInteger(where, name, v, 1);
  assertOneOf(where, 'method', method, ['bilinear', 'nearest'] as const);
  if (!(src instanceof Uint8Array) || src.length !== inH * inW * channels) {
    throw new ArgumentError(`${where}: argument 'src' must be a Uint8Array of inH*inW*channels = ${inH * inW * channels} bytes, received ${src?.length}`, {
      argument: 'src', expected: `${inH * inW * channels} bytes`, received: src?.length,
    });
  }
  if (inH === outH && inW === outW) return src.slice();
  const out = new Uint8Array(outH * outW * channels);
  const sy = inH / outH;
  const sx = inW / outW;
  if (method === 'nearest') {
    for (let y = 0; y < outH; y++) {
      const iy = Math.min(inH - 1, Math.floor((y + 0.5) * sy));
      for (let x = 0; x < outW; x++) {
        const ix = Math.min(inW - 1, Math.floor((x + 0.5) * sx));
        const from = (iy * inW + ix) * channels;
        const to = (y * outW + x) * channels;
        for (let c = 0; c < channels; c++) out[to + c] = src[from + c] as number;
      }
    }
    return out;
  }
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(inH - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(inH - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(inW - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(inW - 1, x0 + 1);
      const wx = fx - x0;
      const to = (y * outW + x) * channels;
      for (let c = 0; c < channels; c++) {
        const a = src[(y0 * inW + x0) * channels + c] as number;
        const b = src[(y0 * inW + x1) * channels + c] as number;
        const d = src[(y1 * inW + x0) * channels + c] as number;
        const e = src[(y1 * inW + x1) * channels + c] as number;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out[to + c] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}

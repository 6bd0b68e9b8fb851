/**
 * Naive per-pixel reference implementations, written as loops straight from the definitions
 * (torchvision's tensor functions for colour, half-pixel bilinear sampling for the crop), for
 * the tests to compare the batched kernels against. Not part of the public API.
 */
import type { ColorJitterSample } from './color-jitter.js';
import type { CropBox } from './crop.js';

/** A batch `[B, H, W, C]` as plain numbers (row-major, channels last). */
export interface RefImages {
  readonly shape: readonly [number, number, number, number];
  readonly data: Float64Array;
}

/** A batch of the given shape filled by `f(b, y, x, c)`. */
export function refFill(shape: readonly [number, number, number, number], f: (b: number, y: number, x: number, c: number) => number): RefImages {
  const [nb, h, w, nc] = shape;
  const data = new Float64Array(nb * h * w * nc);
  let i = 0;
  for (let b = 0; b < nb; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < nc; c++) data[i++] = f(b, y, x, c);
  return { shape, data };
}

/** Value at (b, y, x, c). */
export function refAt(img: RefImages, b: number, y: number, x: number, c: number): number {
  const [, h, w, nc] = img.shape;
  return img.data[((b * h + y) * w + x) * nc + c] as number;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Python's float `%` (the result has the sign of the divisor). */
const pyMod = (a: number, m: number): number => a - m * Math.floor(a / m);

/** Luma with PIL's ITU-R 601-2 weights. */
export function refLuma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** torchvision `_rgb2hsv` for one pixel, case by case. */
export function refRgbToHsvPixel(r: number, g: number, b: number): [number, number, number] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const eqc = maxc === minc;
  const cr = maxc - minc;
  const s = cr / (eqc ? 1 : maxc);
  const div = eqc ? 1 : cr;
  const rc = (maxc - r) / div;
  const gc = (maxc - g) / div;
  const bc = (maxc - b) / div;
  let h: number;
  if (maxc === r) h = bc - gc;
  else if (maxc === g) h = 2 + rc - bc;
  else h = 4 + gc - rc;
  h = pyMod(h / 6 + 1, 1);
  return [h, s, maxc];
}

/** torchvision `_hsv2rgb` for one pixel: the six sectors. */
export function refHsvToRgbPixel(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = clamp01(v * (1 - s));
  const q = clamp01(v * (1 - s * f));
  const t = clamp01(v * (1 - s * (1 - f)));
  switch (pyMod(i, 6)) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

function mapPixels(img: RefImages, f: (b: number, rgb: [number, number, number]) => [number, number, number]): RefImages {
  const [nb, h, w] = img.shape;
  const data = new Float64Array(img.data.length);
  for (let b = 0; b < nb; b++) {
    for (let p = 0; p < h * w; p++) {
      const o = (b * h * w + p) * 3;
      const out = f(b, [img.data[o] as number, img.data[o + 1] as number, img.data[o + 2] as number]);
      data.set(out, o);
    }
  }
  return { shape: img.shape, data };
}

/** RGB -> HSV per pixel. */
export function refRgbToHsv(img: RefImages): RefImages {
  return mapPixels(img, (_, [r, g, b]) => refRgbToHsvPixel(r, g, b));
}

/** HSV -> RGB per pixel. */
export function refHsvToRgb(img: RefImages): RefImages {
  return mapPixels(img, (_, [h, s, v]) => refHsvToRgbPixel(h, s, v));
}

/** torchvision `adjust_hue`: h = (h + shift) % 1 per pixel. */
export function refAdjustHue(img: RefImages, shifts: readonly number[]): RefImages {
  return mapPixels(img, (b, [r, g, bl]) => {
    const [h, s, v] = refRgbToHsvPixel(r, g, bl);
    return refHsvToRgbPixel(pyMod(h + (shifts[b] as number), 1), s, v);
  });
}

/** torchvision `adjust_brightness`: clamp(f x). */
export function refAdjustBrightness(img: RefImages, factors: readonly number[]): RefImages {
  const [, h, w, c] = img.shape;
  return { shape: img.shape, data: img.data.map((v, i) => clamp01((factors[Math.floor(i / (h * w * c))] as number) * v)) };
}

/** torchvision `adjust_contrast`: clamp(f x + (1 - f) mean(luma)). */
export function refAdjustContrast(img: RefImages, factors: readonly number[]): RefImages {
  const [nb, h, w] = img.shape;
  const means: number[] = [];
  for (let b = 0; b < nb; b++) {
    let sum = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sum += refLuma(refAt(img, b, y, x, 0), refAt(img, b, y, x, 1), refAt(img, b, y, x, 2));
    means.push(sum / (h * w));
  }
  return mapPixels(img, (b, rgb) => {
    const f = factors[b] as number;
    return rgb.map((v) => clamp01(f * v + (1 - f) * (means[b] as number))) as [number, number, number];
  });
}

/** torchvision `adjust_saturation`: clamp(f x + (1 - f) luma). */
export function refAdjustSaturation(img: RefImages, factors: readonly number[]): RefImages {
  return mapPixels(img, (b, rgb) => {
    const f = factors[b] as number;
    const l = refLuma(...rgb);
    return rgb.map((v) => clamp01(f * v + (1 - f) * l)) as [number, number, number];
  });
}

function sampleOf(img: RefImages, b: number): RefImages {
  const [, h, w, c] = img.shape;
  const n = h * w * c;
  return { shape: [1, h, w, c], data: img.data.slice(b * n, (b + 1) * n) };
}

/** torchvision `ColorJitter` with given parameters: each sample runs its own order. */
export function refColorJitter(img: RefImages, params: readonly (ColorJitterSample | null)[]): RefImages {
  const [nb] = img.shape;
  const out = new Float64Array(img.data.length);
  const n = img.data.length / nb;
  for (let b = 0; b < nb; b++) {
    let x = sampleOf(img, b);
    const p = params[b];
    if (p !== null && p !== undefined) {
      for (const op of p.order) {
        if (op === 'brightness') x = refAdjustBrightness(x, [p.brightness]);
        else if (op === 'contrast') x = refAdjustContrast(x, [p.contrast]);
        else if (op === 'saturation') x = refAdjustSaturation(x, [p.saturation]);
        else x = refAdjustHue(x, [p.hue]);
      }
    }
    out.set(x.data, b * n);
  }
  return { shape: img.shape, data: out };
}

/** Luma repeated into 3 channels where `flags[b]`. */
export function refGrayscale(img: RefImages, flags: readonly boolean[]): RefImages {
  return mapPixels(img, (b, rgb) => {
    if (!flags[b]) return rgb;
    const l = refLuma(...rgb);
    return [l, l, l];
  });
}

/** `x >= t ? 1 - x : x` where `flags[b]`. */
export function refSolarize(img: RefImages, threshold: number, flags: readonly boolean[]): RefImages {
  const [, h, w, c] = img.shape;
  return { shape: img.shape, data: img.data.map((v, i) => (flags[Math.floor(i / (h * w * c))] && v >= threshold ? 1 - v : v)) };
}

/**
 * Crop + bilinear resize with half-pixel sampling: output (y, x) reads source position
 * `top + (y + 0.5) h / outH - 0.5` (and the same across), with the image edge repeated beyond
 * the border; optionally mirrored.
 */
export function refResizedCrop(img: RefImages, boxes: readonly CropBox[], size: readonly [number, number], flips?: readonly boolean[]): RefImages {
  const [nb, h, w, nc] = img.shape;
  const [oh, ow] = size;
  const row = (v: number): number => Math.min(h - 1, Math.max(0, v));
  const col = (v: number): number => Math.min(w - 1, Math.max(0, v));
  return refFill([nb, oh, ow, nc], (b, y, xOut, c) => {
    const box = boxes[b] as CropBox;
    const x = flips?.[b] ? ow - 1 - xOut : xOut;
    const sy = box.top + ((y + 0.5) * box.height) / oh - 0.5;
    const sx = box.left + ((x + 0.5) * box.width) / ow - 0.5;
    const y0 = Math.floor(sy);
    const x0 = Math.floor(sx);
    const wy = sy - y0;
    const wx = sx - x0;
    const v = (yy: number, xx: number): number => refAt(img, b, row(yy), col(xx), c);
    return (1 - wy) * ((1 - wx) * v(y0, x0) + wx * v(y0, x0 + 1)) + wy * ((1 - wx) * v(y0 + 1, x0) + wx * v(y0 + 1, x0 + 1));
  });
}

/** Gaussian blur with a 2-D kernel (outer product of the 1-D one) and reflect padding. */
export function refGaussianBlur(img: RefImages, sigmas: readonly (number | null)[], kernelSize: number): RefImages {
  const [, h, w] = img.shape;
  const half = (kernelSize - 1) / 2;
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const kernels = sigmas.map((s) => {
    if (s === null) return null;
    const k = Array.from({ length: kernelSize }, (_, i) => Math.exp(-0.5 * ((i - half) / s) ** 2));
    const total = k.reduce((a, v) => a + v, 0);
    return k.map((v) => v / total);
  });
  return refFill(img.shape, (b, y, x, c) => {
    const k = kernels[b];
    if (k === null || k === undefined) return refAt(img, b, y, x, c);
    let sum = 0;
    for (let i = 0; i < kernelSize; i++) {
      for (let j = 0; j < kernelSize; j++) {
        sum += (k[i] as number) * (k[j] as number) * refAt(img, b, reflect(y + i - half, h), reflect(x + j - half, w), c);
      }
    }
    return sum;
  });
}

/**
 * Class colours for scatter plots: ten well-separated categorical colours (the widely used
 * "category10" hues), then evenly spread hues (golden-angle steps) for more classes.
 */

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

const CATEGORY10: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

function hslToRgb(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The colour of class `c` (an integer >= 0). Deterministic. */
export function classColor(c: number): Rgb {
  if (c < CATEGORY10.length) return CATEGORY10[c] as Rgb;
  // 137.5° (golden angle) steps keep consecutive classes far apart on the hue circle.
  return hslToRgb((c * 137.508) % 360, 0.65, 0.5);
}

/** `#rrggbb` for SVG. */
export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

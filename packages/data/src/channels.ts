/**
 * Channel conversion of decoded images, shared by the image-folder readers.
 */

/**
 * RGBA bytes (4 per pixel) to RGB, or to grey as ITU-R BT.601 luma
 * (round(0.299 R + 0.587 G + 0.114 B)); alpha is dropped. Returns `pixels * channels` bytes.
 */
export function rgbaToChannels(rgba: Uint8Array, pixels: number, channels: 1 | 3): Uint8Array {
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const r = rgba[p * 4] as number;
    const g = rgba[p * 4 + 1] as number;
    const b = rgba[p * 4 + 2] as number;
    if (channels === 3) {
      out[p * 3] = r;
      out[p * 3 + 1] = g;
      out[p * 3 + 2] = b;
    } else {
      out[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  return out;
}

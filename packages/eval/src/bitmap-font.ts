/**
 * A tiny 5×7 bitmap font for the printable ASCII range (32-126), drawn for this package, so
 * that PNG plots can carry a title and a legend without a font file or a native text
 * renderer. Characters outside the range are drawn as '?'.
 */

/** Glyph width and height in font pixels; glyphs advance by {@link GLYPH_ADVANCE}. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
export const GLYPH_ADVANCE = 6;

/**
 * One entry per code point 32..126: seven rows, two hex digits each; bit 4 of a row is the
 * leftmost column.
 */
const GLYPHS: readonly string[] = [
  '00000000000000', '04040404040004', '0a0a0000000000', '0a1f0a0a1f0a00', '040f140e051e04', '19190204081313', '0c12140815120d', '04040000000000',
  '02040808080402', '08040202020408', '0004150e150400', '0004041f040400', '00000000060408', '0000001f000000', '00000000000c0c', '01010204081010',
  '0e11131519110e', '040c040404040e', '0e11010204081f', '1f02040201110e', '02060a121f0202', '1f101e0101110e', '0608101e11110e', '1f010204080808',
  '0e11110e11110e', '0e11110f01020c', '000c0c000c0c00', '000c0c000c0408', '02040810080402', '00001f001f0000', '08040201020408', '0e110102040004',
  '0e11010d15150e', '0e11111f111111', '1e11111e11111e', '0e11101010110e', '1c12111111121c', '1f10101e10101f', '1f10101e101010', '0e11101711110f',
  '1111111f111111', '0e04040404040e', '0702020202120c', '11121418141211', '1010101010101f', '111b1515111111', '11111915131111', '0e11111111110e',
  '1e11111e101010', '0e11111115120d', '1e11111e141211', '0f10100e01011e', '1f040404040404', '1111111111110e', '11111111110a04', '1111111515150a',
  '11110a040a1111', '11110a04040404', '1f01020408101f', '0e08080808080e', '10100804020101', '0e02020202020e', '040a1100000000', '0000000000001f',
  '08040000000000', '00000e010f110f', '1010161911111e', '00000e1010110e', '01010d1311110f', '00000e111f100e', '0609081c080808', '000f11110f010e',
  '10101619111111', '04000c0404040e', '0200060202120c', '10101214181412', '0c04040404040e', '00001a15151111', '00001619111111', '00000e1111110e',
  '00001e111e1010', '00000d130f0101', '00001619101010', '00000e100e011e', '08081c08080906', '0000111111130d', '00001111110a04', '0000111115150a',
  '0000110a040a11', '000011110f010e', '00001f0204081f', '02040408040402', '04040404040404', '08040402040408', '00000815020000',
];

/** Row bitmasks (7 numbers, bit 4 = leftmost column) of the glyph for `ch`. */
export function glyphRows(ch: string): readonly number[] {
  const code = ch.codePointAt(0) ?? 63;
  const hex = GLYPHS[code >= 32 && code <= 126 ? code - 32 : 63 - 32] as string;
  const rows: number[] = [];
  for (let r = 0; r < GLYPH_HEIGHT; r++) rows.push(parseInt(hex.slice(2 * r, 2 * r + 2), 16));
  return rows;
}

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * GLYPH_ADVANCE - (GLYPH_ADVANCE - GLYPH_WIDTH)) * scale;
}

/**
 * Calls `plot(x, y)` for every lit pixel of `text` drawn with its top-left corner at
 * (x0, y0), each font pixel a `scale`×`scale` block.
 */
export function rasterizeText(text: string, x0: number, y0: number, scale: number, plot: (x: number, y: number) => void): void {
  let cx = x0;
  for (const ch of text) {
    const rows = glyphRows(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      const bits = rows[r] as number;
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if ((bits >> (GLYPH_WIDTH - 1 - c)) & 1) {
          for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) plot(cx + c * scale + dx, y0 + r * scale + dy);
        }
      }
    }
    cx += GLYPH_ADVANCE * scale;
  }
}

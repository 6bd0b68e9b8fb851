import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows, rasterizeText, textWidth } from './bitmap-font.js';
import { classColor } from './palette.js';
import { layoutScatter } from './scatter-layout.js';
import { renderScatterPng } from './node/scatter-png.js';
import { renderScatterSvg } from './scatter-svg.js';
import { writeScatterPng, writeScatterSvg } from './node/write-scatter.js';
import type { Point2D } from './embedding2d.js';
import { expectArgError } from '../test/helpers.js';

const points: Point2D[] = [
  [0, 0],
  [10, 5],
  [-3, 8],
  [4, -6],
];
const labels = [0, 1, 2, 1];
const classNames = ['cat', 'dog', 'ship'];

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const o = 4 * (Math.round(y) * png.width + Math.round(x));
  return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
}

describe('renderScatterPng', () => {
  it('draws each point in its class colour, a legend swatch per class, on white', () => {
    const png = PNG.sync.read(renderScatterPng(points, labels, { classNames, width: 400, height: 300, pointRadius: 4 }));
    expect([png.width, png.height]).toEqual([400, 300]);
    expect(pixel(png, 1, 299)).toEqual([255, 255, 255]);
    const layout = layoutScatter('t', points, labels, { classNames, width: 400, height: 300, pointRadius: 4 });
    for (const p of layout.points) {
      // Centre of a disc: the class colour at 80% opacity over white (points do not overlap here).
      const expected = p.color.map((c) => Math.round(255 * 0.2 + c * 0.8));
      pixel(png, Math.floor(p.x), Math.floor(p.y)).forEach((v, k) => expect(Math.abs(v - expected[k]!)).toBeLessThanOrEqual(1));
    }
    expect(layout.legend.map((e) => e.text)).toEqual(classNames);
    for (const e of layout.legend) expect(pixel(png, e.x + 2, e.y + 2)).toEqual([...classColor(e.label)]);
  });

  it('is deterministic and draws the title only when given', () => {
    const a = renderScatterPng(points, labels, { classNames, title: 'UMAP' });
    const b = renderScatterPng(points, labels, { classNames, title: 'UMAP' });
    expect(a.equals(b)).toBe(true);
    const dark = (png: PNG, y0: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = 0; x < png.width; x++) if (pixel(png, x, y)[0] < 100) n++;
      return n;
    };
    const withTitle = PNG.sync.read(a);
    const without = PNG.sync.read(renderScatterPng(points, labels, { classNames }));
    expect(dark(withTitle, 0, 12 + 21)).toBeGreaterThan(50);
    expect(dark(without, 0, 12)).toBe(0);
  });

  it('keeps every point inside the plot frame for any data (law)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 40 }),
        (pts) => {
          const layout = layoutScatter('t', pts, pts.map((_, i) => i % 3), {});
          for (const p of layout.points) {
            expect(p.x - layout.radius).toBeGreaterThanOrEqual(layout.plot.x);
            expect(p.x + layout.radius).toBeLessThanOrEqual(layout.plot.x + layout.plot.w);
            expect(p.y - layout.radius).toBeGreaterThanOrEqual(layout.plot.y);
            expect(p.y + layout.radius).toBeLessThanOrEqual(layout.plot.y + layout.plot.h);
          }
          expect(layout.points.length).toBe(pts.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('summarises legends too long for the image', () => {
    const many = Array.from({ length: 200 }, (_, i) => [i, i] as Point2D);
    const layout = layoutScatter('t', many, many.map((_, i) => i % 50), { width: 300, height: 200 });
    expect(layout.legend.at(-1)!.text).toMatch(/^\+\d+ more$/);
    const shown = layout.legend.length - 1;
    expect(layout.legend.at(-1)!.text).toBe(`+${50 - shown} more`);
  });

  it('rejects bad arguments by name', () => {
    expectArgError(() => renderScatterPng([], []), ArgumentError, 'points');
    expectArgError(() => renderScatterPng([[0, Number.NaN]], [0]), ArgumentError, 'points');
    expectArgError(() => renderScatterPng(points, [0, 1]), ShapeError, 'labels');
    expectArgError(() => renderScatterPng(points, [0, 1, 3, 1], { classNames }), ArgumentError, 'labels');
    expectArgError(() => renderScatterPng(points, [0, 1, -1, 1]), ArgumentError, 'labels');
    expectArgError(() => renderScatterSvg(points, labels, { width: 50 }), ArgumentError, 'options.width');
    expectArgError(() => renderScatterSvg(points, labels, { height: 9000 }), ArgumentError, 'options.height');
    expectArgError(() => renderScatterSvg(points, labels, { classNames: [] }), ArgumentError, 'options.classNames');
    expectArgError(() => renderScatterSvg(points, labels, { pointRadius: 0 }), ArgumentError, 'options.pointRadius');
    expectArgError(() => renderScatterSvg(points, labels, { title: 3 as unknown as string }), ArgumentError, 'options.title');
  });
});

describe('renderScatterSvg', () => {
  it('has one circle per point in its class colour, the legend and the escaped title', () => {
    const svg = renderScatterSvg(points, labels, { classNames: ['a<b', 'dog & cat', 'ship'], title: 'UMAP "h" <test>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const circles = [...svg.matchAll(/<circle [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(circles.length).toBe(points.length);
    const hex = (c: number) => `#${classColor(c).map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    expect(circles.sort()).toEqual(labels.map(hex).sort());
    expect(svg).toContain('UMAP &quot;h&quot; &lt;test&gt;');
    expect(svg).toContain('>a&lt;b</text>');
    expect(svg).toContain('>dog &amp; cat</text>');
    expect(svg).not.toMatch(/<test>/);
  });

  it('places circles where the PNG draws them (shared layout)', () => {
    const layout = layoutScatter('t', points, labels, {});
    const svg = renderScatterSvg(points, labels, {});
    const centres = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    layout.points.forEach((p, i) => {
      expect(centres[i]![0]).toBeCloseTo(p.x, 0);
      expect(centres[i]![1]).toBeCloseTo(p.y, 0);
    });
  });
});

describe('bitmap font', () => {
  it('has a distinct 5×7 glyph for every letter and digit, and "?" for anything else', () => {
    const chars = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
    const seen = new Set<string>();
    for (const ch of chars) {
      const rows = glyphRows(ch);
      expect(rows.length).toBe(GLYPH_HEIGHT);
      expect(rows.every((r) => r >= 0 && r < 1 << GLYPH_WIDTH)).toBe(true);
      expect(rows.some((r) => r !== 0)).toBe(true);
      seen.add(rows.join(','));
    }
    expect(seen.size).toBe(chars.length);
    expect(glyphRows('é')).toEqual(glyphRows('?'));
    expect(glyphRows(' ').every((r) => r === 0)).toBe(true);
  });

  it('measures text consistently with what it draws (law: width(a+b) = width(a) + width(b) + gap)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), (a, b, s) => {
        expect(textWidth(a + b, s)).toBe(textWidth(a, s) + textWidth(b, s) + s);
        let maxX = -1;
        rasterizeText(a, 0, 0, s, (x) => {
          if (x > maxX) maxX = x;
        });
        expect(maxX).toBeLessThan(textWidth(a, s));
      }),
      { numRuns: 30 },
    );
  });
});

describe('writing scatter plots', () => {
  it('write, overwrite and leave no temporary files; PNG and SVG files decode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-atomic-'));
    const target = join(dir, 'plot.png');
    await writeFile(target, 'old');
    await writeScatterPng(target, points, labels, { classNames });
    const png = PNG.sync.read(await readFile(target));
    expect(png.width).toBe(800);
    await writeScatterSvg(join(dir, 'plot.svg'), points, labels, { classNames });
    expect(await readFile(join(dir, 'plot.svg'), 'utf8')).toContain('<svg');
    expect((await readdir(dir)).sort()).toEqual(['plot.png', 'plot.svg']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-atomic-'));
    await expect(writeScatterSvg(join(dir, 'missing', 'a.svg'), points, labels)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

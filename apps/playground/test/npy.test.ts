import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeNpy, encodeNpy } from '../src/npy.js';

describe('.npy', () => {
  it('round-trips float32 matrices (law)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 9 }), (rows, cols) => {
        const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.fround(Math.sin(i) * 1e3));
        const bytes = encodeNpy(data, [rows, cols]);
        expect((bytes.length - data.length * 4) % 64).toBe(0); // header padded to 64 bytes
        const back = decodeNpy(bytes);
        expect(back.shape).toEqual([rows, cols]);
        expect([...back.data]).toEqual([...data]);
      }),
    );
  });

  it("writes NumPy's header for <f4 C-order arrays", () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3]), [3]);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + (bytes[8] as number)));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
    expect(new DataView(bytes.buffer).getFloat32(bytes.length - 4, true)).toBe(3);
  });

  it('refuses a shape that does not match, and files that are not float32 .npy', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 2])).toThrow(/holds 4 values/);
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(/bad magic/);
    const f8 = encodeNpy(new Float32Array(2), [2]);
    const at = String.fromCharCode(...f8).indexOf('<f4');
    f8[at + 2] = '8'.charCodeAt(0);
    expect(() => decodeNpy(f8)).toThrow(/float32/);
  });
});

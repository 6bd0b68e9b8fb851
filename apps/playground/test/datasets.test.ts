import { describe, expect, it } from 'vitest';
import { CIFAR10_RECORD_BYTES } from '@contrastive/data';
import { folderClasses, parseCifar10, shuffledOrder } from '../src/datasets.js';

describe('parseCifar10', () => {
  it('turns R, G and B planes into NHWC pixels and keeps the labels', () => {
    const bytes = new Uint8Array(2 * CIFAR10_RECORD_BYTES);
    for (let r = 0; r < 2; r++) {
      const o = r * CIFAR10_RECORD_BYTES;
      bytes[o] = r + 3;
      for (let p = 0; p < 1024; p++) {
        bytes[o + 1 + p] = (p + r) % 256; // R
        bytes[o + 1025 + p] = 100; // G
        bytes[o + 2049 + p] = 200 + r; // B
      }
    }
    const ds = parseCifar10(bytes, 10);
    expect(ds.length).toBe(2);
    expect([...ds.labels]).toEqual([3, 4]);
    expect([...ds.images.subarray(0, 6)]).toEqual([0, 100, 200, 1, 100, 200]);
    expect([...ds.images.subarray(3072 + 3 * 5, 3072 + 3 * 5 + 3)]).toEqual([6, 100, 201]);
    expect(parseCifar10(bytes, 1).length).toBe(1);
  });

  it('refuses bytes that are not whole records, naming the size', () => {
    expect(() => parseCifar10(new Uint8Array(100), 1)).toThrow(/3073 bytes; received 100 bytes/);
  });
});

describe('folderClasses', () => {
  it('uses parent folders as classes when there are two or more, and skips non-images', () => {
    const r = folderClasses(['pets/cat/a.jpg', 'pets/dog/b.PNG', 'pets/cat/notes.txt', 'pets/dog/c.webp']);
    expect(r.classNames).toEqual(['cat', 'dog']);
    expect(r.keep).toEqual([0, 1, 3]);
    expect(r.labels).toEqual([0, 1, 1]);
  });

  it('one folder (or loose files) is one unlabelled class', () => {
    expect(folderClasses(['photos/a.jpg', 'photos/b.jpg'])).toEqual({ keep: [0, 1], labels: [0, 0], classNames: ['images'] });
  });
});

describe('shuffledOrder', () => {
  it('is a seeded permutation', () => {
    const a = shuffledOrder(50, 3);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffledOrder(50, 3)).toEqual(a);
    expect(shuffledOrder(50, 4)).not.toEqual(a);
  });
});

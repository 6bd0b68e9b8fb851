/**
 * Reads a few CIFAR-10 binary records for the augment preview and benchmark scripts (not a
 * dataset library: packages/data owns that). Record i: 1 label byte, then 1024 R, 1024 G,
 * 1024 B bytes, each a 32 x 32 plane in row-major order (/work/shared/data/README.md).
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const RECORD = 3073;

/** Records `start .. start+count-1` as NHWC float32 in [0, 1], with their labels. */
export function readCifarRecords(file: string, start: number, count: number): { pixels: Float32Array; labels: number[] } {
  const bytes = Buffer.alloc(count * RECORD);
  const fd = openSync(file, 'r');
  try {
    const read = readSync(fd, bytes, 0, bytes.length, start * RECORD);
    if (read !== bytes.length) throw new Error(`${file}: wanted ${count} records from ${start}, the file ends after ${Math.floor(read / RECORD)}`);
  } finally {
    closeSync(fd);
  }
  const pixels = new Float32Array(count * 32 * 32 * 3);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const base = i * RECORD;
    labels.push(bytes[base] as number);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) pixels[(i * 1024 + p) * 3 + c] = (bytes[base + 1 + c * 1024 + p] as number) / 255;
    }
  }
  return { pixels, labels };
}

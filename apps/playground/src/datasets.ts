/**
 * Data sets from bytes, platform-neutral: CIFAR-10's binary records, Fashion-MNIST's IDX files,
 * and the classes of a user's image folder. The page fetches or picks the files; nothing here
 * reads a disk.
 */
import { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, FASHION_MNIST_CLASSES, createImageDataset, parseIdx, type ImageDataset } from '@contrastive/data';

/**
 * The first `limit` records of a CIFAR-10 binary file (1 label byte + 3072 bytes of R, G and B
 * planes per record) as an NHWC {@link ImageDataset}.
 */
export function parseCifar10(bytes: Uint8Array, limit: number, name = 'cifar10'): ImageDataset {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new Error(`${name}: a CIFAR-10 binary file holds records of ${CIFAR10_RECORD_BYTES} bytes; received ${bytes.length} bytes (not a multiple). Is the URL right?`);
  }
  const n = Math.min(limit, bytes.length / CIFAR10_RECORD_BYTES);
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * CIFAR10_RECORD_BYTES;
    labels[i] = bytes[r] as number;
    const planes = r + 1;
    const out = i * 3072;
    for (let p = 0; p < 1024; p++) {
      images[out + p * 3] = bytes[planes + p] as number;
      images[out + p * 3 + 1] = bytes[planes + 1024 + p] as number;
      images[out + p * 3 + 2] = bytes[planes + 2048 + p] as number;
    }
  }
  return createImageDataset({ name, images, labels, height: 32, width: 32, channels: 3, classNames: CIFAR10_CLASSES });
}

/** The first `limit` images of Fashion-MNIST IDX files (28x28, one channel). */
export function parseFashionMnist(imageBytes: Uint8Array, labelBytes: Uint8Array, limit: number, name = 'fashion-mnist'): ImageDataset {
  const images = parseIdx(imageBytes);
  const labels = parseIdx(labelBytes);
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new Error(`${name}: expected IDX images [N, 28, 28] and labels [N], received [${images.dims.join(', ')}] and [${labels.dims.join(', ')}]`);
  }
  const [count, h, w] = images.dims as [number, number, number];
  const n = Math.min(limit, count);
  return createImageDataset({
    name,
    images: Uint8Array.from(images.data.subarray(0, n * h * w) as ArrayLike<number>),
    labels: Uint8Array.from(labels.data.subarray(0, n) as ArrayLike<number>),
    height: h,
    width: w,
    channels: 1,
    classNames: FASHION_MNIST_CLASSES,
  });
}

/**
 * The classes of a picked or dropped folder: each file's parent folder names its class when
 * the files lie in two or more folders; otherwise one class, `images` (training needs no labels;
 * the kNN monitor then has nothing to measure). Files that are not images are left out.
 */
export function folderClasses(paths: readonly string[]): { keep: number[]; labels: number[]; classNames: string[] } {
  const keep: number[] = [];
  const parents: string[] = [];
  paths.forEach((p, i) => {
    if (!/\.(png|jpe?g|gif|webp|bmp|avif)$/i.test(p)) return;
    keep.push(i);
    const parts = p.split('/').filter((s) => s !== '');
    parents.push(parts.length >= 2 ? (parts[parts.length - 2] as string) : '');
  });
  const distinct = [...new Set(parents)].sort();
  if (distinct.length < 2) return { keep, labels: keep.map(() => 0), classNames: ['images'] };
  return { keep, labels: parents.map((p) => distinct.indexOf(p)), classNames: distinct };
}

/** A seeded split of `n` items into the first `n - test` (train) and the last `test`, after a shuffle. */
export function shuffledOrder(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = (seed >>> 0) || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

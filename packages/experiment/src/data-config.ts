/**
 * The `data` section of the run configuration: which dataset a run trains and evaluates on,
 * where it lies, and how its test split is made. One variant per dataset kind, told apart by
 * `dataset` (default `cifar10`):
 *
 * - `cifar10`: CIFAR-10's binary files (Krizhevsky 2009); the test split is the official one.
 * - `fashionMnist` / `mnist`: the IDX files (Xiao et al. 2017; LeCun et al. 1998); the test
 *   split is the official one. Grey images are repeated into three channels.
 * - `imageFolder`: `dir` holds one sub-directory per class (or, with `labelled: false`, the
 *   images themselves); `testDir` the same layout, else a seeded `testFraction` of `dir`.
 */
import { z } from 'zod';

const posInt = () => z.int().min(1);

/** Keys every dataset kind shares. */
const common = {
  /** Train on the first N training images only. */
  trainLimit: posInt().optional(),
  /** Use the first N test images only. */
  testLimit: posInt().optional(),
};

/** A fraction of the training data held out as the test split (seeded by the run's seed). */
const fraction = () => z.number().gt(0).lt(1);

const cifar10Data = z.strictObject({
  dataset: z.literal('cifar10'),
  /** Directory holding CIFAR-10; default: --data-dir, $CONTRASTIVE_DATA_DIR, ../shared/data, the download cache. */
  dir: z.string().min(1).optional(),
  /** Download the official archive when the files are not found. */
  download: z.boolean().default(true),
  ...common,
});

const idxData = (name: 'fashionMnist' | 'mnist') =>
  z.strictObject({
    dataset: z.literal(name),
    /**
     * Directory of the four IDX files (`train-images-idx3-ubyte[.gz]`, ...); default:
     * `$CONTRASTIVE_DATA_DIR/<fashion-mnist|mnist>`, then (Fashion-MNIST) Debian's
     * `/usr/share/datasets/fashion-mnist` (`apt-get install dataset-fashion-mnist`).
     */
    dir: z.string().min(1).optional(),
    ...common,
  });

const imageFolderData = z
  .strictObject({
    dataset: z.literal('imageFolder'),
    /** The training images: one sub-directory per class, or the images themselves when `labelled` is false. */
    dir: z.string().min(1),
    /** The test images in the same layout; without it, `testFraction` of `dir` is held out. */
    testDir: z.string().min(1).optional(),
    /** Share of `dir` held out as the test split when there is no `testDir` (seeded). */
    testFraction: fraction().optional(),
    /** False: `dir` holds images without classes (evaluation is skipped; embed works). */
    labelled: z.boolean().default(true),
    /** `[height, width]` every image is brought to. */
    size: z.tuple([posInt(), posInt()]).default([32, 32]),
    /** How images of another size are resized, or `'error'` to refuse them. */
    resize: z.enum(['bilinear', 'nearest', 'error']).default('bilinear'),
    ...common,
  })
  .refine((d) => d.testDir === undefined || d.testFraction === undefined, {
    message: 'either testDir or testFraction, not both',
    path: ['testFraction'],
  });

/** The dataset kinds of the configuration. */
export const DATASET_KINDS = ['cifar10', 'fashionMnist', 'mnist', 'imageFolder'] as const;

/** The default share of an image folder held out as its test split when it has no `testDir`. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** The `data` schema (zod), a union over `dataset`. */
export const dataConfigSchema = z.discriminatedUnion('dataset', [cifar10Data, idxData('fashionMnist'), idxData('mnist'), imageFolderData]);

/** A validated `data` section. */
export type DataConfig = z.output<typeof dataConfigSchema>;

/** `[height, width, channels]` of the images a run of this `data` section feeds the encoder. */
export type InputShape = readonly [number, number, number];

/**
 * The encoder's input shape for a `data` section: CIFAR-10 32x32x3, (Fashion-)MNIST 28x28x3
 * (grey repeated into three channels), an image folder its `size` x 3. Known from the
 * configuration alone, so an encoder can be rebuilt from a run's config.json.
 */
export function inputShapeOf(data: DataConfig): InputShape {
  switch (data.dataset) {
    case 'cifar10':
      return [32, 32, 3];
    case 'fashionMnist':
    case 'mnist':
      return [28, 28, 3];
    case 'imageFolder':
      return [data.size[0], data.size[1], 3];
  }
}

const DATASET_TITLES: Readonly<Record<DataConfig['dataset'], string>> = { cifar10: 'CIFAR-10', fashionMnist: 'Fashion-MNIST', mnist: 'MNIST', imageFolder: 'image-folder' };

/** The dataset's name as reports print it: `'CIFAR-10'`, `'Fashion-MNIST'`, `'MNIST'`, `'image-folder'`. */
export function datasetTitle(data: Pick<DataConfig, 'dataset'>): string {
  return DATASET_TITLES[data.dataset];
}

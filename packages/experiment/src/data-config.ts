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
 * - `tabular`: `file` holds CSV or JSON rows of numbers with a label column (the MLP-encoder
 *   path); `testFile` the same columns, else a seeded `testFraction` of `file`.
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

const tabularData = z
  .strictObject({
    dataset: z.literal('tabular'),
    /** The training rows: a `.csv` / `.tsv` (header row first) or `.json` (an array of row objects) file. */
    file: z.string().min(1),
    /** The test rows, same columns; without it, `testFraction` of `file` is held out. */
    testFile: z.string().min(1).optional(),
    /** Share of `file` held out as the test split when there is no `testFile` (seeded, per class). */
    testFraction: fraction().optional(),
    /** The label column: its name, or its position (default: the last column). */
    labelColumn: z.union([z.string().min(1), z.int().min(0)]).optional(),
    /** `'csv'` or `'json'`; default from the file ending. */
    format: z.enum(['csv', 'json']).optional(),
    /** Standardise every feature with the training split's mean and standard deviation (default true). */
    standardize: z.boolean().default(true),
    ...common,
  })
  .refine((d) => d.testFile === undefined || d.testFraction === undefined, {
    message: 'either testFile or testFraction, not both',
    path: ['testFraction'],
  });

/** The dataset kinds of the configuration. */
export const DATASET_KINDS = ['cifar10', 'fashionMnist', 'mnist', 'imageFolder', 'tabular'] as const;

/** The default share of an image folder or tabular file held out as its test split when it has no given test set. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** The `data` schema (zod), a union over `dataset`. */
export const dataConfigSchema = z.discriminatedUnion('dataset', [cifar10Data, idxData('fashionMnist'), idxData('mnist'), imageFolderData, tabularData]);

/** A validated `data` section. */
export type DataConfig = z.output<typeof dataConfigSchema>;

/** The shape of one input of the encoder: `[height, width, channels]` of an image, or `[features]` of a row. */
export type InputShape = readonly number[];

/**
 * The encoder's input shape for a `data` section: CIFAR-10 32x32x3, (Fashion-)MNIST 28x28x3
 * (grey repeated into three channels), an image folder its `size` x 3. Known from the
 * configuration alone, so an encoder can be rebuilt from a run's config.json. Tabular rows:
 * undefined (the number of feature columns is known from the file; run.json records it).
 */
export function inputShapeOf(data: DataConfig): InputShape | undefined {
  switch (data.dataset) {
    case 'cifar10':
      return [32, 32, 3];
    case 'fashionMnist':
    case 'mnist':
      return [28, 28, 3];
    case 'imageFolder':
      return [data.size[0], data.size[1], 3];
    case 'tabular':
      return undefined;
  }
}

const DATASET_TITLES: Readonly<Record<DataConfig['dataset'], string>> = { cifar10: 'CIFAR-10', fashionMnist: 'Fashion-MNIST', mnist: 'MNIST', imageFolder: 'image-folder', tabular: 'tabular' };

/** The dataset's name as reports print it: `'CIFAR-10'`, `'Fashion-MNIST'`, `'MNIST'`, `'image-folder'`, `'tabular'`. */
export function datasetTitle(data: Pick<DataConfig, 'dataset'>): string {
  return DATASET_TITLES[data.dataset];
}

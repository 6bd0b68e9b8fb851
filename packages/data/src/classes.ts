/**
 * Class names and record sizes of the datasets the loaders in `@contrastive/data/node` read,
 * platform-neutral so that a page can label what a model trained on them predicts.
 */

/** CIFAR-10 class names; the label byte is the index (official `batches.meta.txt` order). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
/** Bytes per CIFAR-10 record: 1 label byte + 32*32*3 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 3073;
/** Fashion-MNIST class names, label = index (Xiao et al. 2017, table 1). */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
/** MNIST class names: the digits. */
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

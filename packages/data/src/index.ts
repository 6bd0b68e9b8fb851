/**
 * @packageDocumentation
 * Datasets (CIFAR-10 binary, Fashion-MNIST IDX, image folders), shuffling, batching, download
 */
export {};

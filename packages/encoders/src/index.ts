/**
 * @packageDocumentation
 * Encoders f(.): ResNet-18/34/50 (CIFAR and ImageNet stems), small ConvNet, MLP; save and load
 */
export {};

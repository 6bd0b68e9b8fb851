/**
 * Dense and 2-D convolution layers: how their variables are declared (with PyTorch's default
 * initialisations) and how they run (tfjs's fused kernels, bias and ReLU included). Layout is
 * NHWC; convolutions use explicit symmetric zero padding, as PyTorch does.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterSpec } from './init.js';

/** Activation fused into a dense or conv layer. */
export type FusedActivation = 'linear' | 'relu';

/**
 * The variables of a dense layer `[inUnits] -> [units]` at path `prefix`: `kernel`
 * `[inUnits, units]` and optional `bias` `[units]`, both uniform in `±1/sqrt(inUnits)`
 * (PyTorch's `nn.Linear` default, Kaiming-uniform with a = sqrt(5)).
 */
export function denseParameters(prefix: string, inUnits: number, units: number, useBias: boolean): ParameterSpec[] {
  const bound = 1 / Math.sqrt(inUnits);
  const out: ParameterSpec[] = [{ path: `${prefix}.kernel`, shape: [inUnits, units], trainable: true, init: { kind: 'uniform', bound } }];
  if (useBias) out.push({ path: `${prefix}.bias`, shape: [units], trainable: true, init: { kind: 'uniform', bound } });
  return out;
}

/**
 * The variables of a `k x k` convolution at path `prefix`: `kernel` `[k, k, inChannels, filters]`,
 * Kaiming-normal with `mode='fan_out'` (He et al. 2015, as torchvision initialises ResNet
 * convolutions), and an optional zero `bias` `[filters]`.
 */
export function conv2dParameters(prefix: string, kernelSize: number, inChannels: number, filters: number, useBias: boolean): ParameterSpec[] {
  const fanOut = kernelSize * kernelSize * filters;
  const out: ParameterSpec[] = [{ path: `${prefix}.kernel`, shape: [kernelSize, kernelSize, inChannels, filters], trainable: true, init: { kind: 'normal', std: Math.sqrt(2 / fanOut) } }];
  if (useBias) out.push({ path: `${prefix}.bias`, shape: [filters], trainable: true, init: { kind: 'zeros' } });
  return out;
}

/** `activation(x W + b)` as one fused kernel: `[B, in] -> [B, units]`. */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor, bias: tf.Tensor | undefined, activation: FusedActivation = 'linear'): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: kernel as tf.Tensor2D, ...(bias === undefined ? {} : { bias }), activation }) as tf.Tensor2D;
}

/** `activation(conv(x, W) + b)` with symmetric zero padding `pad`, as one fused kernel where needed. */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor | undefined, stride: number, pad: number, activation: FusedActivation = 'linear'): tf.Tensor4D {
  const filter = kernel as tf.Tensor4D;
  if (bias === undefined && activation === 'linear') return tf.conv2d(x, filter, stride, pad);
  return tf.fused.conv2d({ x, filter, strides: stride, pad, ...(bias === undefined ? {} : { bias }), activation });
}

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { countParameters, resnet, resnet18, resnet34, resnet50, type ResNetDepth, type ResNetStem } from './index.js';
import type { GraphEncoder } from './graph-encoder.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

/**
 * Trainable parameters of torchvision's ResNet (conv weights without bias, BN weight + bias),
 * counted from the architecture table (He et al. 2016, Table 1), independently of the
 * implementation under test. `fc` adds the 1000-way classifier torchvision ends with.
 */
function torchvisionParams(depth: ResNetDepth, stem: ResNetStem, opts: { k?: number; inChannels?: number; fc?: boolean } = {}): number {
  const k = opts.k ?? 1;
  const w = [64, 128, 256, 512].map((x) => Math.round(x * k));
  const conv = (size: number, cin: number, cout: number) => size * size * cin * cout;
  const bn = (c: number) => 2 * c;
  const blocks = depth === 18 ? [2, 2, 2, 2] : [3, 4, 6, 3];
  const bottleneck = depth === 50;
  let total = conv(stem === 'imagenet' ? 7 : 3, opts.inChannels ?? 3, w[0]!) + bn(w[0]!);
  let cin = w[0]!;
  blocks.forEach((n, s) => {
    const p = w[s]!;
    for (let i = 0; i < n; i++) {
      const out = bottleneck ? 4 * p : p;
      total += bottleneck ? conv(1, cin, p) + bn(p) + conv(3, p, p) + bn(p) + conv(1, p, out) + bn(out) : conv(3, cin, p) + bn(p) + conv(3, p, p) + bn(p);
      if (i === 0 && (s > 0 || cin !== out)) total += conv(1, cin, out) + bn(out);
      cin = out;
    }
  });
  if (opts.fc === true) total += cin * 1000 + 1000;
  return total;
}

describe('the parameter-count formula of this test', () => {
  it("reproduces torchvision's published totals (with the fc layer)", () => {
    expect(torchvisionParams(18, 'imagenet', { fc: true })).toBe(11_689_512);
    expect(torchvisionParams(34, 'imagenet', { fc: true })).toBe(21_797_672);
    expect(torchvisionParams(50, 'imagenet', { fc: true })).toBe(25_557_032);
  });
});

describe('resnet', () => {
  const built = new Map<string, GraphEncoder>();
  const get = (depth: ResNetDepth, stem: ResNetStem): GraphEncoder => {
    const key = `${depth}-${stem}`;
    if (!built.has(key)) built.set(key, resnet({ depth, stem }));
    return built.get(key)!;
  };
  afterAll(() => {
    for (const e of built.values()) e.dispose();
  });

  it('has exactly torchvision\'s trainable parameter counts without fc (ImageNet stem)', () => {
    expect(countParameters(get(18, 'imagenet'))).toBe(11_176_512);
    expect(countParameters(get(34, 'imagenet'))).toBe(21_284_672);
    expect(countParameters(get(50, 'imagenet'))).toBe(23_508_032);
  });

  it('has the formula\'s counts with the CIFAR stem', () => {
    for (const depth of [18, 34, 50] as const) {
      expect(countParameters(get(depth, 'cifar'))).toBe(torchvisionParams(depth, 'cifar'));
      expect(get(depth, 'cifar').parameterCount).toBe(torchvisionParams(depth, 'cifar'));
    }
    expect(torchvisionParams(18, 'cifar')).toBe(11_176_512 - 7 * 7 * 3 * 64 + 3 * 3 * 3 * 64);
  });

  it('has the formula\'s counts with a width multiplier and other channel counts', () => {
    for (const [depth, stem, k, c] of [[18, 'cifar', 0.25, 3], [50, 'imagenet', 0.125, 1], [34, 'cifar', 0.3, 4]] as const) {
      const e = resnet({ depth, stem, widthMultiplier: k, inputShape: [8, 8, c] });
      expect(countParameters(e)).toBe(torchvisionParams(depth, stem, { k, inChannels: c }));
      expect(e.outputDim).toBe(Math.round(512 * k) * (depth === 50 ? 4 : 1));
      e.dispose();
    }
  });

  it('counts BatchNorm running averages as non-trainable buffers (two per BatchNorm layer)', () => {
    const e = get(18, 'imagenet');
    // torchvision resnet18: 20 convolutions, each followed by a BatchNorm layer.
    expect(e.trainableVariables.length).toBe(20 + 2 * 20);
    expect(e.nonTrainableVariables.length).toBe(2 * 20);
    expect(e.nonTrainableVariables.every((v) => !v.trainable)).toBe(true);
    expect(e.trainableVariables.every((v) => v.trainable)).toBe(true);
  });

  it("follows torchvision's layout: names, shapes, v1.5 stride on the bottleneck's 3x3 conv", () => {
    const shapes = new Map(get(50, 'imagenet').namedVariables().map((n) => [n.path, n.variable.shape]));
    expect(shapes.get('conv1.kernel')).toEqual([7, 7, 3, 64]);
    expect(shapes.get('layer1.0.downsample.0.kernel')).toEqual([1, 1, 64, 256]);
    expect(shapes.get('layer2.0.conv2.kernel')).toEqual([3, 3, 128, 128]);
    expect(shapes.get('layer4.2.conv3.kernel')).toEqual([1, 1, 512, 2048]);
    const nodes = new Map(get(50, 'imagenet').spec.nodes.map((n) => [n.name, n]));
    expect(nodes.get('layer2.0.conv1')).toMatchObject({ stride: 1 });
    expect(nodes.get('layer2.0.conv2')).toMatchObject({ stride: 2, pad: 1 });
    expect(nodes.get('layer2.0.downsample.0')).toMatchObject({ stride: 2, pad: 0 });
    expect(nodes.get('maxpool')).toMatchObject({ size: 3, stride: 2, pad: 1 });
    expect(get(18, 'cifar').spec.nodes.some((n) => n.op === 'maxPool')).toBe(false);
    expect(get(18, 'cifar').spec.nodes[0]).toMatchObject({ op: 'conv2d', kernelSize: 3, stride: 1, pad: 1 });
  });

  for (const depth of [18, 34, 50] as const) {
    for (const stem of ['cifar', 'imagenet'] as const) {
      it(`ResNet-${depth} with the ${stem} stem maps [2,32,32,3] to [2,${depth === 50 ? 2048 : 512}] in both modes, tidily`, () => {
        const e = get(depth, stem);
        const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', depth);
        const before = tf.memory().numTensors;
        const h = e.apply(x, { training: false });
        expect(tf.memory().numTensors).toBe(before + 1);
        expect(h.shape).toEqual([2, e.outputDim]);
        expect(e.outputDim).toBe(depth === 50 ? 2048 : 512);
        // After a ReLU and average pooling, h >= 0 and finite.
        expect(Array.from(h.dataSync()).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        if (depth === 18) {
          const ht = e.apply(x, { training: true });
          expect(ht.shape).toEqual([2, e.outputDim]);
          ht.dispose();
        }
        tf.dispose([x, h]);
        expect(tf.memory().numTensors).toBe(before - 1);
      });
    }
  }

  it('accepts any spatial size without inputShape, and checks it with one', () => {
    const e = resnet({ depth: 18, stem: 'imagenet', widthMultiplier: 0.125 });
    const x = tf.zeros([1, 40, 24, 3]);
    const h = e.apply(x, { training: false });
    expect(h.shape).toEqual([1, 64]);
    const fixed = resnet({ depth: 18, stem: 'cifar', widthMultiplier: 0.125, inputShape: [32, 32, 3] });
    expect(() => fixed.apply(x, { training: false })).toThrow(ShapeError);
    tf.dispose([x, h]);
    e.dispose();
    fixed.dispose();
  });

  it('is deterministic in the seed, and different seeds give different weights', () => {
    const a = resnet18({ widthMultiplier: 0.125, seed: 7 });
    const b = resnet18({ widthMultiplier: 0.125, seed: 7 });
    const c = resnet18({ widthMultiplier: 0.125, seed: 8 });
    a.trainableVariables.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(b.trainableVariables[i]!.dataSync())));
    const k = (e: GraphEncoder) => Array.from(e.variable('layer1.0.conv1.kernel').dataSync());
    expect(k(a)).not.toEqual(k(c));
    for (const e of [a, b, c]) e.dispose();
  });

  it("initialises convolutions with Kaiming-normal (fan_out) and BatchNorm with gamma 1, beta 0", () => {
    const e = get(18, 'imagenet');
    const w = Array.from(e.variable('layer4.0.conv2.kernel').dataSync()); // 3x3x512x512
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    const expected = Math.sqrt(2 / (3 * 3 * 512));
    expect(Math.abs(mean)).toBeLessThan(0.01 * expected);
    expect(Math.abs(std / expected - 1)).toBeLessThan(0.01);
    expect(Array.from(e.variable('layer4.0.bn2.gamma').dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(e.variable('layer4.0.bn2.beta').dataSync()).every((v) => v === 0)).toBe(true);
    const z = resnet18({ widthMultiplier: 0.125, zeroInitResidual: true });
    expect(Array.from(z.variable('layer1.0.bn2.gamma').dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(z.variable('layer1.0.bn1.gamma').dataSync()).every((v) => v === 1)).toBe(true);
    z.dispose();
  });

  it('names the shorthand networks by depth and stem', () => {
    const a = resnet34({ widthMultiplier: 0.0625 });
    const b = resnet50({ stem: 'imagenet', widthMultiplier: 0.0625 });
    expect(a.name).toBe('resnet34-cifar-x0.0625');
    expect(b.name).toBe('resnet50-imagenet-x0.0625');
    expect(get(18, 'cifar').name).toBe('resnet18-cifar');
    a.dispose();
    b.dispose();
  });
});

describe('resnet bad input', () => {
  const argumentOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (e instanceof ArgumentError || e instanceof ShapeError) return e.argument;
      throw e;
    }
    throw new Error('did not throw');
  };

  it('rejects an unknown depth, stem, width multiplier or input shape, naming the option', () => {
    expect(() => resnet({ depth: 101 as never })).toThrow(ArgumentError);
    expect(argumentOf(() => resnet({ depth: 101 as never }))).toBe('options.depth');
    expect(argumentOf(() => resnet({ depth: '18' as never }))).toBe('options.depth');
    expect(argumentOf(() => resnet(undefined as never))).toBe('options');
    expect(argumentOf(() => resnet({ depth: 18, stem: 'tiny' as never }))).toBe('options.stem');
    for (const k of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1 / 1000]) {
      expect(argumentOf(() => resnet({ depth: 18, widthMultiplier: k }))).toBe('options.widthMultiplier');
    }
    expect(argumentOf(() => resnet({ depth: 18, inputShape: [32, 32, 0] }))).toBe('options.inputShape');
    expect(argumentOf(() => resnet({ depth: 18, inputShape: [32, 32] as never }))).toBe('options.inputShape');
    expect(argumentOf(() => resnet({ depth: 18, seed: 1.5 }))).toBe('options.seed');
    expect(argumentOf(() => resnet({ depth: 18, bnMomentum: 2 }))).toBe('options.bnMomentum');
    expect(argumentOf(() => resnet({ depth: 18, bnEpsilon: 0 }))).toBe('options.bnEpsilon');
    expect(argumentOf(() => resnet18(5 as never))).toBe('options');
  });

  it('rejects inputs of the wrong rank, channel count or dtype, and a missing training flag, naming the argument', () => {
    const e = resnet18({ widthMultiplier: 0.0625 });
    const ok = tf.zeros([2, 8, 8, 3]);
    const rank3 = tf.zeros([8, 8, 3]);
    const gray = tf.zeros([2, 8, 8, 1]);
    const ints = tf.zeros([2, 8, 8, 3], 'int32');
    const before = tf.memory().numTensors;
    expect(() => e.apply(rank3, { training: false })).toThrow(ShapeError);
    expect(argumentOf(() => e.apply(rank3, { training: false }))).toBe('x');
    expect(argumentOf(() => e.apply(gray, { training: false }))).toBe('x');
    expect(argumentOf(() => e.apply(ints, { training: false }))).toBe('x');
    expect(argumentOf(() => e.apply([1, 2] as never, { training: false }))).toBe('x');
    expect(argumentOf(() => e.apply(ok, {} as never))).toBe('options.training');
    expect(argumentOf(() => e.apply(ok, undefined as never))).toBe('options.training');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ok, rank3, gray, ints]);
    e.dispose();
    expect(() => e.apply(ok, { training: false })).toThrow(/disposed/);
  });

  it('rejects a training pass whose last stage has one value per channel (batch 1, 1x1), naming x', () => {
    const e = resnet18({ stem: 'imagenet', widthMultiplier: 0.0625 });
    const x = tf.zeros([1, 32, 32, 3]);
    const before = tf.memory().numTensors;
    expect(argumentOf(() => e.apply(x, { training: true }))).toBe('x');
    expect(tf.memory().numTensors).toBe(before);
    const h = e.apply(x, { training: false });
    expect(h.shape).toEqual([1, 32]);
    tf.dispose([x, h]);
    e.dispose();
  });
});

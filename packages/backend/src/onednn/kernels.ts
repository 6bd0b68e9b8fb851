/**
 * wasm-engine kernels that run on oneDNN through the addon: `Conv2D`, `FusedConv2D`,
 * `Conv2DBackpropInput`, `Conv2DBackpropFilter`, `BatchMatMul` and `_FusedMatMul`; and two that run
 * as the addon's own OpenMP loops, the building blocks of training-mode BatchNorm: `FusedDepthwiseConv2D`
 * with a 1x1 filter (per-channel scale + bias + ReLU) and `AvgPool` over the whole image.
 *
 * The tensors stay where tfjs-backend-wasm keeps them (its `WebAssembly.Memory`): each kernel
 * allocates its output with the wasm backend, then hands the addon a byte view of the heap and the
 * offsets. Anything these kernels do not cover (another dtype or data format, PReLU, a bias that
 * is not one value per output channel, batch broadcasting other than 1-to-many) goes to the
 * kernel they replaced, unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  BatchMatMulAttrs,
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  FusedConv2DAttrs,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { geometryMatchingDy } from '../kernels/conv-geometry.js';
import type { OnednnAddon } from './addon-types.js';

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

/** Activation codes of native/onednn.cc. */
const ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2, elu: 3, sigmoid: 4, leakyrelu: 5 };

/** Number of fields of the conv parameter block (order in native/onednn.cc, `conv`). */
const CONV_PARAMS = 25;
/** Number of fields of the matmul parameter block (order in native/onednn.cc, `matmul`). */
const MATMUL_PARAMS = 13;

const convParams = new Float64Array(CONV_PARAMS);
const matmulParams = new Float64Array(MATMUL_PARAMS);

/**
 * Counts of calls per kernel that ran on oneDNN, of those handed to the replaced kernel, and of the
 * reasons for the latter (`'Conv2D: NCHW data format'` -> count).
 */
export const onednnKernelStats = { onednn: new Map<string, number>(), fallback: new Map<string, number>(), fallbackReasons: new Map<string, number>() };

function count(map: Map<string, number>, name: string): void {
  map.set(name, (map.get(name) ?? 0) + 1);
}

function entry(backend: WasmBackendLike, t: TensorInfo): { id: number; offset: number } {
  const d = backend.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error('oneDNN kernel: tensor not found in the wasm backend');
  return { id: d.id, offset: d.memoryOffset };
}

/** A convolution as oneDNN takes it (explicit pads on both sides, tfjs dilation: 1 = none). */
export interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  o: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
  pb: number;
  pr: number;
}

/**
 * Geometry from tfjs's conv info, with trailing pads adjusted so that oneDNN's
 * `out = (in + padL + padR - extent) / stride + 1` (floor) gives tfjs's output size; null when no
 * pad does.
 */
export function onednnConvGeometry(info: tf.backend_util.Conv2DInfo): Geometry | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: o, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const fit = (size: number, k: number, d: number, s: number, before: number, after: number, out: number): number | null => {
    const extent = (k - 1) * d + 1;
    if (Math.floor((size + before + after - extent) / s) + 1 === out) return after;
    const needed = (out - 1) * s + extent - size - before;
    // tfjs's numeric-pad output size can be smaller than its pads give (it sizes both axes with the
    // height's filter and stride); that needs a negative trailing pad, which oneDNN refuses.
    return Math.floor((size + before + needed - extent) / s) + 1 === out ? needed : null;
  };
  const pb = fit(h, kh, dh, sh, padInfo.top, padInfo.bottom, oh);
  const pr = fit(w, kw, dw, sw, padInfo.left, padInfo.right, ow);
  if (pb === null || pr === null || pb < 0 || pr < 0 || padInfo.top < 0 || padInfo.left < 0) return null;
  return { n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt: padInfo.top, pl: padInfo.left, pb, pr };
}

function runConv(
  addon: OnednnAddon,
  backend: WasmBackendLike,
  mode: 0 | 1 | 2,
  offsets: { x: number; w: number; wId: number; bias: number; y: number },
  g: Geometry,
  activation: number,
  alpha: number,
): void {
  const p = convParams;
  p[0] = mode;
  p[1] = offsets.x;
  p[2] = offsets.w;
  p[3] = offsets.wId;
  p[4] = offsets.bias;
  p[5] = offsets.y;
  const fields = [g.n, g.h, g.w, g.c, g.kh, g.kw, g.o, g.oh, g.ow, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.pb, g.pr];
  for (let i = 0; i < fields.length; i++) p[6 + i] = fields[i] as number;
  p[23] = activation;
  p[24] = alpha;
  addon.conv(backend.wasm.HEAPU8, p);
}

const isFloat = (...ts: TensorInfo[]) => ts.every((t) => t.dtype === 'float32');
const isEmpty = (...ts: TensorInfo[]) => ts.some((t) => tf.util.sizeFromShape(t.shape) === 0);

/** Calls where oneDNN itself refused (no implementation for a geometry): kernel name -> message. */
export const onednnRefusals = new Map<string, string>();

/**
 * Runs `native` into `out`; if oneDNN refuses, frees `out`, remembers why, and returns why, so the
 * replaced kernel runs instead.
 */
function fill(backend: WasmBackendLike & { disposeData?(dataId: object, force?: boolean): boolean }, name: string, out: TensorInfo, native: () => void): TensorInfo | string {
  try {
    native();
    return out;
  } catch (e) {
    backend.disposeData?.(out.dataId, true);
    const message = e instanceof Error ? e.message : String(e);
    onednnRefusals.set(name, message);
    return `oneDNN refused: ${message}`;
  }
}

/** A kernel body that returns its output, or why it does not cover the call. */
type MaybeKernel = (args: Parameters<KernelFunc>[0]) => TensorInfo | string;

function withFallback(name: string, stock: KernelFunc | undefined, body: MaybeKernel): KernelFunc {
  return (args) => {
    const out = body(args);
    if (typeof out !== 'string') {
      count(onednnKernelStats.onednn, name);
      return out;
    }
    count(onednnKernelStats.fallback, name);
    count(onednnKernelStats.fallbackReasons, `${name}: ${out}`);
    if (stock === undefined) throw new Error(`${name}: oneDNN does not cover this call (${out}) and there is no kernel to fall back to`);
    return stock(args);
  };
}

/** `Conv2D` and `FusedConv2D` (bias + activation as oneDNN post-ops). */
function makeConv(addon: OnednnAddon, name: 'Conv2D' | 'FusedConv2D', stock: KernelFunc | undefined): KernelFunc {
  return withFallback(name, stock, ({ inputs, backend, attrs }) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const a = attrs as unknown as Conv2DAttrs & Partial<FusedConv2DAttrs>;
    if (x === undefined || filter === undefined || !isFloat(x, filter) || x.shape.length !== 4 || filter.shape.length !== 4) return 'not a float32 rank-4 input and filter';
    if (isEmpty(x, filter)) return 'an empty tensor';
    if (preluActivationWeights !== undefined && preluActivationWeights !== null) return 'PReLU activation';
    const activation = ACTIVATIONS[a.activation ?? 'linear'];
    if (activation === undefined) return `activation '${a.activation}'`;
    const o = filter.shape[3] as number;
    if (bias !== undefined && bias !== null && (!isFloat(bias) || tf.util.sizeFromShape(bias.shape) !== o || (bias.shape.at(-1) ?? 1) !== o)) {
      return 'a bias that is not one value per output channel';
    }
    const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    if (format !== 'channelsLast') return 'NCHW data format';
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      format,
    );
    const g = onednnConvGeometry(info);
    if (g === null) return 'a geometry oneDNN cannot express (tfjs output size needs a negative pad)';
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput(info.outShape as number[], 'float32');
    if (tf.util.sizeFromShape(info.outShape) === 0) return out;
    const xe = entry(b, x);
    const fe = entry(b, filter);
    const biasOffset = bias !== undefined && bias !== null ? entry(b, bias).offset : -1;
    return fill(b, name, out, () =>
      runConv(addon, b, 0, { x: xe.offset, w: fe.offset, wId: fe.id, bias: biasOffset, y: entry(b, out).offset }, g, activation, a.leakyreluAlpha ?? 0.2),
    );
  });
}

/**
 * The geometry whose output is dy's shape: tfjs 4.22's conv2d gradient drops `dimRoundingMode`, so
 * a numeric pad is tried with each rounding mode (as the training kernels do); null if none fits.
 */
function matchingDy(
  dy: TensorInfo,
  pad: unknown,
  mode: 'floor' | 'round' | 'ceil' | undefined,
  compute: (mode: 'floor' | 'round' | 'ceil' | undefined) => tf.backend_util.Conv2DInfo,
): tf.backend_util.Conv2DInfo | null {
  try {
    return geometryMatchingDy('oneDNN', dy.shape, pad, mode, compute);
  } catch {
    return null;
  }
}

/** `Conv2DBackpropInput` as oneDNN's backward-data convolution. */
function makeBackpropInput(addon: OnednnAddon, stock: KernelFunc | undefined): KernelFunc {
  return withFallback('Conv2DBackpropInput', stock, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (!isFloat(dy, filter) || dy.shape.length !== 4 || filter.shape.length !== 4 || isEmpty(dy, filter)) return 'not float32 rank-4 dy and filter, or empty';
    const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    if (format !== 'channelsLast') return 'NCHW data format';
    const info = matchingDy(dy, a.pad, a.dimRoundingMode, (mode) =>
      tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, mode, false, format),
    );
    if (info === null) return 'dy does not match the geometry';
    const g = onednnConvGeometry(info);
    if (g === null) return 'a geometry oneDNN cannot express (tfjs output size needs a negative pad)';
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput([...a.inputShape], 'float32');
    if (tf.util.sizeFromShape(a.inputShape) === 0) return out;
    const fe = entry(b, filter);
    return fill(b, 'Conv2DBackpropInput', out, () =>
      runConv(addon, b, 1, { x: entry(b, out).offset, w: fe.offset, wId: fe.id, bias: -1, y: entry(b, dy).offset }, g, 0, 0),
    );
  });
}

/** `Conv2DBackpropFilter` as oneDNN's backward-weights convolution. */
function makeBackpropFilter(addon: OnednnAddon, stock: KernelFunc | undefined): KernelFunc {
  return withFallback('Conv2DBackpropFilter', stock, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (!isFloat(x, dy) || x.shape.length !== 4 || dy.shape.length !== 4) return 'not float32 rank-4 x and dy';
    const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    if (format !== 'channelsLast') return 'NCHW data format';
    const info = matchingDy(dy, a.pad, a.dimRoundingMode, (mode) =>
      tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, mode, false, format),
    );
    if (info === null) return 'dy does not match the geometry';
    const g = onednnConvGeometry(info);
    if (g === null) return 'a geometry oneDNN cannot express (tfjs output size needs a negative pad)';
    if (tf.util.sizeFromShape(x.shape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) return 'an empty x or dy'; // zeros: the stock kernel
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput([...a.filterShape], 'float32');
    if (tf.util.sizeFromShape(a.filterShape) === 0) return out;
    return fill(b, 'Conv2DBackpropFilter', out, () =>
      runConv(addon, b, 2, { x: entry(b, x).offset, w: entry(b, out).offset, wId: -1, bias: -1, y: entry(b, dy).offset }, g, 0, 0),
    );
  });
}

/** `BatchMatMul` and `_FusedMatMul` (bias + activation as post-ops). */
function makeMatMul(addon: OnednnAddon, name: 'BatchMatMul' | '_FusedMatMul', stock: KernelFunc | undefined): KernelFunc {
  return withFallback(name, stock, ({ inputs, backend, attrs }) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const at = attrs as unknown as BatchMatMulAttrs & { activation?: string; leakyreluAlpha?: number };
    if (a === undefined || b === undefined || !isFloat(a, b) || a.shape.length < 2 || b.shape.length < 2) return 'not float32 operands of rank >= 2';
    if (preluActivationWeights !== undefined && preluActivationWeights !== null) return 'PReLU activation';
    const activation = ACTIVATIONS[at.activation ?? 'linear'];
    if (activation === undefined) return `activation '${at.activation}'`;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = at.transposeA ? (a.shape[ra - 1] as number) : (a.shape[ra - 2] as number);
    const k = at.transposeA ? (a.shape[ra - 2] as number) : (a.shape[ra - 1] as number);
    const k2 = at.transposeB ? (b.shape[rb - 1] as number) : (b.shape[rb - 2] as number);
    const n = at.transposeB ? (b.shape[rb - 2] as number) : (b.shape[rb - 1] as number);
    if (k !== k2) return 'inner dimensions differ'; // the stock kernel reports the shape error
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(batchShapeA);
    const batchB = tf.util.sizeFromShape(batchShapeB);
    let outBatch: number[];
    if (batchA === batchB && tf.util.arraysEqual(batchShapeA, batchShapeB)) outBatch = batchShapeA;
    else if (batchB === 1 && batchShapeB.length <= batchShapeA.length) outBatch = batchShapeA;
    else if (batchA === 1 && batchShapeA.length <= batchShapeB.length) outBatch = batchShapeB;
    else return 'a batch broadcast other than 1-to-many';
    if (bias !== undefined && bias !== null && (!isFloat(bias) || tf.util.sizeFromShape(bias.shape) !== n || (bias.shape.at(-1) ?? 1) !== n)) {
      return 'a bias that is not one value per output column';
    }
    if (k === 0) return 'an empty inner dimension'; // zeros: the stock kernel
    const be = backend as unknown as WasmBackendLike;
    const out = be.makeOutput([...outBatch, m, n], 'float32');
    if (m * n * tf.util.sizeFromShape(outBatch) === 0) return out;
    const p = matmulParams;
    p[0] = entry(be, a).offset;
    p[1] = entry(be, b).offset;
    p[2] = bias !== undefined && bias !== null ? entry(be, bias).offset : -1;
    p[3] = entry(be, out).offset;
    p[4] = batchA;
    p[5] = batchB;
    p[6] = m;
    p[7] = k;
    p[8] = n;
    p[9] = at.transposeA ? 1 : 0;
    p[10] = at.transposeB ? 1 : 0;
    p[11] = activation;
    p[12] = at.leakyreluAlpha ?? 0.2;
    return fill(be, name, out, () => addon.matmul(be.wasm.HEAPU8, p));
  });
}

const affineParams = new Float64Array(8);
const meanParams = new Float64Array(5);

/**
 * `FusedDepthwiseConv2D` with a 1x1 filter and channel multiplier 1 (a per-channel scale, bias and
 * ReLU / leaky ReLU: how @contrastive/encoders' BatchNorm applies its affine map) as one native loop.
 */
function makeChannelAffine(addon: OnednnAddon, stock: KernelFunc | undefined): KernelFunc {
  return withFallback('FusedDepthwiseConv2D', stock, ({ inputs, backend, attrs }) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const a = attrs as unknown as FusedConv2DAttrs;
    if (x === undefined || filter === undefined || !isFloat(x, filter) || x.shape.length !== 4 || isEmpty(x)) return 'not a float32 rank-4 input';
    const c = x.shape[3] as number;
    if (!tf.util.arraysEqual(filter.shape, [1, 1, c, 1])) return 'not a 1x1 filter with channel multiplier 1';
    if (preluActivationWeights !== undefined && preluActivationWeights !== null) return 'PReLU activation';
    const activation = ACTIVATIONS[a.activation ?? 'linear'];
    if (activation !== 0 && activation !== 1 && activation !== 5) return `activation '${a.activation}'`;
    const ones = (v: unknown) => v === undefined || v === null || v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
    if (!ones(a.strides) || !ones(a.dilations)) return 'strides or dilations other than 1';
    if (!(a.pad === 'valid' || a.pad === 'same' || a.pad === 0)) return 'a padding that changes the output size';
    if (tf.backend_util.convertConv2DDataFormat(a.dataFormat) !== 'channelsLast') return 'NCHW data format';
    if (bias !== undefined && bias !== null && (!isFloat(bias) || tf.util.sizeFromShape(bias.shape) !== c || (bias.shape.at(-1) ?? 1) !== c)) {
      return 'a bias that is not one value per channel';
    }
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput([...x.shape], 'float32');
    const p = affineParams;
    p[0] = entry(b, x).offset;
    p[1] = entry(b, filter).offset;
    p[2] = bias !== undefined && bias !== null ? entry(b, bias).offset : -1;
    p[3] = entry(b, out).offset;
    p[4] = tf.util.sizeFromShape(x.shape) / c;
    p[5] = c;
    p[6] = activation;
    p[7] = a.leakyreluAlpha ?? 0.2;
    return fill(b, 'FusedDepthwiseConv2D', out, () => addon.channelAffine(b.wasm.HEAPU8, p));
  });
}

/** `AvgPool` whose window is the whole image (per-image channel means) as one native loop. */
function makeGlobalAvgPool(addon: OnednnAddon, stock: KernelFunc | undefined): KernelFunc {
  return withFallback('AvgPool', stock, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const a = attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: unknown; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    if (!isFloat(x) || x.shape.length !== 4 || isEmpty(x)) return 'not a float32 rank-4 input';
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const info = tf.backend_util.computePool2DInfo([n, h, w, c], a.filterSize, a.strides, 1, a.pad as 'valid', a.dimRoundingMode);
    const { padInfo } = info;
    if (info.filterHeight !== h || info.filterWidth !== w || info.outHeight !== 1 || info.outWidth !== 1) return 'not a whole-image window';
    if (padInfo.top !== 0 || padInfo.bottom !== 0 || padInfo.left !== 0 || padInfo.right !== 0) return 'padding';
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput([n, 1, 1, c], 'float32');
    const p = meanParams;
    p[0] = entry(b, x).offset;
    p[1] = entry(b, out).offset;
    p[2] = n;
    p[3] = h * w;
    p[4] = c;
    return fill(b, 'AvgPool', out, () => addon.channelMean(b.wasm.HEAPU8, p));
  });
}

/** The kernel names {@link makeOnednnKernel} builds. */
export const ONEDNN_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
  'FusedDepthwiseConv2D',
  'AvgPool',
] as const;

/** Builds the oneDNN kernel `name` over `addon`, falling back to `stock` for calls it does not cover. */
export function makeOnednnKernel(addon: OnednnAddon, name: (typeof ONEDNN_KERNELS)[number], stock: KernelFunc | undefined): KernelFunc {
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D':
      return makeConv(addon, name, stock);
    case 'Conv2DBackpropInput':
      return makeBackpropInput(addon, stock);
    case 'Conv2DBackpropFilter':
      return makeBackpropFilter(addon, stock);
    case 'BatchMatMul':
    case '_FusedMatMul':
      return makeMatMul(addon, name, stock);
    case 'FusedDepthwiseConv2D':
      return makeChannelAffine(addon, stock);
    case 'AvgPool':
      return makeGlobalAvgPool(addon, stock);
  }
}

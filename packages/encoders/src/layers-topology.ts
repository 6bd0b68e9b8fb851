/**
 * Writes a network description as a tfjs-layers (Keras functional) model topology, so that a
 * saved encoder is a standard `model.json` + weights artifact that `tf.loadLayersModel` reads
 * in the browser and that computes the same inference function.
 *
 * Mapping: explicit symmetric padding becomes a `ZeroPadding2D` layer before a `'valid'`
 * `Conv2D` (PyTorch-style padding; Keras' `'same'` pads asymmetrically at stride 2); the
 * ImageNet stem's padded max-pool also becomes `ZeroPadding2D` + `MaxPooling2D`, which is exact
 * because its input comes from a ReLU (>= 0), so a zero never exceeds the window's maximum.
 * Initialisers are written as `Zeros`, since loaded weights replace them anyway.
 *
 * @internal
 */
import { nodeInputs, INPUT, type GraphNode, type GraphSpec } from './spec.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface KerasLayer {
  name: string;
  class_name: string;
  config: { [key: string]: Json };
  inbound_nodes: Json[];
}

const ZEROS: Json = { class_name: 'Zeros', config: {} };
const ONES: Json = { class_name: 'Ones', config: {} };

function inbound(names: readonly string[]): Json[] {
  return names.length === 0 ? [] : [names.map((n) => [n, 0, 0, {}])];
}

/** The `modelTopology` object of a tfjs-layers `model.json`. */
export function layersTopology(spec: GraphSpec): { [key: string]: Json } {
  const layers: KerasLayer[] = [];
  const producers = new Map(spec.nodes.map((n) => [n.name, n]));
  const push = (name: string, className: string, config: { [key: string]: Json }, inputs: readonly string[]): void => {
    layers.push({ name, class_name: className, config: { ...config, name, trainable: true }, inbound_nodes: inbound(inputs) });
  };
  layers.push({
    name: INPUT,
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, ...spec.inputShape], dtype: 'float32', sparse: false, name: INPUT },
    inbound_nodes: [],
  });
  const padded = (node: GraphNode & { name: string }, input: string, pad: number): string => {
    if (pad === 0) return input;
    push(`${node.name}_pad`, 'ZeroPadding2D', { padding: [[pad, pad], [pad, pad]], data_format: 'channels_last' }, [input]);
    return `${node.name}_pad`;
  };
  for (const node of spec.nodes) {
    const inputs = nodeInputs(node);
    switch (node.op) {
      case 'conv2d': {
        const input = padded(node, node.input, node.pad);
        push(node.name, 'Conv2D', {
          filters: node.filters,
          kernel_size: [node.kernelSize, node.kernelSize],
          strides: [node.stride, node.stride],
          padding: 'valid',
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: node.activation,
          use_bias: node.useBias,
          kernel_initializer: ZEROS,
          bias_initializer: ZEROS,
        }, [input]);
        break;
      }
      case 'dense':
        push(node.name, 'Dense', { units: node.units, activation: node.activation, use_bias: node.useBias, kernel_initializer: ZEROS, bias_initializer: ZEROS }, inputs);
        break;
      case 'batchNorm':
        push(node.name, 'BatchNormalization', {
          axis: -1,
          momentum: 1 - spec.bnMomentum,
          epsilon: spec.bnEpsilon,
          center: node.center,
          scale: node.scale,
          beta_initializer: ZEROS,
          gamma_initializer: ONES,
          moving_mean_initializer: ZEROS,
          moving_variance_initializer: ONES,
        }, inputs);
        break;
      case 'relu':
        push(node.name, 'Activation', { activation: 'relu' }, inputs);
        break;
      case 'tanh':
        push(node.name, 'Activation', { activation: 'tanh' }, inputs);
        break;
      case 'add':
        push(node.name, 'Add', {}, inputs);
        break;
      case 'maxPool': {
        let input = node.input;
        if (node.pad !== 'same' && node.pad > 0) {
          const from = producers.get(node.input);
          const nonNegative = from !== undefined && (from.op === 'relu' || ((from.op === 'conv2d' || from.op === 'dense') && from.activation === 'relu'));
          if (!nonNegative) throw new Error(`layersTopology: padded max-pool '${node.name}' must follow a ReLU to be exported exactly`);
          input = padded(node, node.input, node.pad);
        }
        push(node.name, 'MaxPooling2D', {
          pool_size: [node.size, node.size],
          strides: [node.stride, node.stride],
          padding: node.pad === 'same' ? 'same' : 'valid',
          data_format: 'channels_last',
        }, [input]);
        break;
      }
      case 'globalAvgPool':
        push(node.name, 'GlobalAveragePooling2D', { data_format: 'channels_last' }, inputs);
        break;
    }
  }
  return {
    class_name: 'Model',
    config: {
      name: spec.name,
      layers: layers as unknown as Json[],
      input_layers: [[INPUT, 0, 0]],
      output_layers: [[spec.output, 0, 0]],
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

/**
 * Keras functional model (a TF.js Layers `modelTopology`, channels_last) -> ONNX graph (NCHW), written with the
 * project's GraphBuilder.
 *
 * Layout: the ONNX graph keeps NCHW throughout. Keras tensors [N, H, W, C] become [N, C, H, W]; weights are
 * converted instead of the activations:
 *   Conv2D kernel          [kh, kw, in, out]   -> OIHW [out, in, kh, kw]
 *   DepthwiseConv2D kernel [kh, kw, in, mult]  -> [in * mult, 1, kh, kw], group = in
 *                                                 (TF's output channel c * mult + m holds input channel c)
 *   Dense kernel           [in, out]           -> Gemm B as is (no transB)
 * A Flatten of a map with H * W > 1 transposes back to NHWC first, so the flattened order is Keras's (H, W, C).
 *
 * Padding: 'valid' is no padding; 'same' is TF's rule, asymmetric when the total is odd:
 *   out = ceil(in / stride), total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0),
 *   before = floor(total / 2), after = total - before.
 * All shapes are static (from the InputLayer's batch_input_shape), so every pad is written explicitly.
 *
 * Fusions, done in float64 and rounded once to float32 (each is exact algebra; only rounding differs):
 *   ZeroPadding2D whose only consumer is a 'valid' Conv2D / DepthwiseConv2D -> that conv's pads;
 *   BatchNormalization whose only input is a linear-activation conv used by nothing else -> the conv's weights:
 *     k = gamma / sqrt(moving_variance + epsilon),  W' = W * k,  b' = (b - moving_mean) * k + beta.
 * Dropout is the identity at inference. ReLU(max_value m) is Clip(0, m). Other BatchNormalizations become
 * ONNX BatchNormalization (epsilon from the layer config).
 *
 * Supported layers: InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, Activation,
 * Add, AveragePooling2D, MaxPooling2D, GlobalAveragePooling2D, Flatten, Dense, Dropout. Anything else, and any
 * option these handlers do not implement, throws KerasConversionError naming the layer: the converter never
 * guesses.
 */
import { GraphBuilder, type Attrs } from '../../src/onnx/graph';
import type { DecodedWeight } from './tfjs-weights';

/** [layer name, node index, tensor index, kwargs] */
export type InboundRef = [string, number, number, Record<string, unknown>?];

export interface KerasLayer {
  name?: string;
  class_name: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes: InboundRef[][];
}

export interface KerasModelTopology {
  keras_version?: string;
  backend?: string;
  model_config: {
    class_name: string;
    config: {
      name?: string;
      layers: KerasLayer[];
      input_layers: InboundRef[];
      output_layers: InboundRef[];
    };
  };
}

export interface KerasToOnnxOptions {
  /** ONNX graph input name (NCHW float32). */
  inputName: string;
  /** ONNX name of the model output. */
  outputName: string;
  /** When the output layer ends in a softmax activation: also expose the pre-softmax tensor under this name. */
  logitsName?: string;
  /** Symbolic batch dimension. */
  batchDim: string;
  /** ONNX graph name. */
  graphName: string;
}

export interface KerasToOnnxResult {
  builder: GraphBuilder;
  /** [batchDim, C, H, W] */
  inputDims: (number | string)[];
  /** Output name -> dims, in graph-output order. */
  outputs: Record<string, (number | string)[]>;
  /** Layers converted, per Keras class. */
  layers: Record<string, number>;
  /** Fusions done. */
  folded: { batchNorms: number; zeroPaddings: number };
}

export class KerasConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KerasConversionError';
  }
}

/** A converted tensor: its ONNX name and its shape without the batch dimension, NCHW ([C, H, W]) or flat ([F]). */
interface Value {
  name: string;
  shape: number[];
}

type Pads4 = [number, number, number, number]; // top, left, bottom, right

const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D']);

function layerName(l: KerasLayer): string {
  return l.name ?? l.config.name;
}

function pair(v: unknown, what: string, layer: string): [number, number] {
  if (typeof v === 'number' && Number.isInteger(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return [v[0], v[1]];
  throw new KerasConversionError(`layer '${layer}': ${what} ${JSON.stringify(v)} is not an integer or a pair of integers`);
}

/** TF's padding for one spatial axis. */
export function tfPadding(padding: string, size: number, kernel: number, stride: number, dilation: number): { before: number; after: number; out: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    return { before: 0, after: 0, out: Math.floor((size - effective) / stride) + 1 };
  }
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effective - size, 0);
    const before = Math.floor(total / 2);
    return { before, after: total - before, out };
  }
  throw new KerasConversionError(`padding '${padding}' is not supported (valid, same)`);
}

/** Converts a Keras functional topology plus its decoded weights into an ONNX graph. */
export function kerasToOnnx(topology: KerasModelTopology, weights: Map<string, DecodedWeight>, options: KerasToOnnxOptions): KerasToOnnxResult {
  return new Converter(topology, weights, options).run();
}

class Converter {
  private readonly b: GraphBuilder;
  private readonly layers: KerasLayer[];
  private readonly byName = new Map<string, KerasLayer>();
  private readonly consumers = new Map<string, string[]>();
  /** Converted output of each layer. */
  private readonly values = new Map<string, Value>();
  /** ZeroPadding2D layers folded into their consumer: name -> (unpadded input, pads). */
  private readonly pendingPads = new Map<string, { source: Value; pads: Pads4 }>();
  /** BatchNormalization layers folded into the conv before them. */
  private readonly foldedBn = new Set<string>();
  private readonly usedWeights = new Set<string>();
  private readonly counts: Record<string, number> = {};
  private readonly folded = { batchNorms: 0, zeroPaddings: 0 };
  private readonly outputLayer: string;
  private inputDims: (number | string)[] = [];
  /** Shared float32 scalar constants (Clip bounds), by value. */
  private readonly scalars = new Map<number, string>();
  private readonly outputs: Record<string, (number | string)[]> = {};

  constructor(
    topology: KerasModelTopology,
    private readonly weights: Map<string, DecodedWeight>,
    private readonly opts: KerasToOnnxOptions,
  ) {
    const mc = topology.model_config;
    if (mc.class_name !== 'Model' && mc.class_name !== 'Functional') {
      throw new KerasConversionError(`model class '${mc.class_name}' is not supported (a functional Model)`);
    }
    this.layers = mc.config.layers;
    if (mc.config.input_layers.length !== 1) throw new KerasConversionError(`${mc.config.input_layers.length} input layers; exactly one is supported`);
    if (mc.config.output_layers.length !== 1) throw new KerasConversionError(`${mc.config.output_layers.length} output layers; exactly one is supported`);
    this.outputLayer = mc.config.output_layers[0][0];
    this.b = new GraphBuilder(opts.graphName);
    for (const l of this.layers) {
      const name = layerName(l);
      if (this.byName.has(name)) throw new KerasConversionError(`layer name '${name}' repeats`);
      this.byName.set(name, l);
      if (l.inbound_nodes.length > 1) throw new KerasConversionError(`layer '${name}' is called ${l.inbound_nodes.length} times; shared layers are not supported`);
      for (const ref of l.inbound_nodes[0] ?? []) {
        if (ref[1] !== 0 || ref[2] !== 0) throw new KerasConversionError(`layer '${name}' reads output ${ref[1]}/${ref[2]} of '${ref[0]}'; only single-output layers are supported`);
        const list = this.consumers.get(ref[0]) ?? [];
        list.push(name);
        this.consumers.set(ref[0], list);
      }
    }
  }

  run(): KerasToOnnxResult {
    for (const l of this.layers) {
      this.counts[l.class_name] = (this.counts[l.class_name] ?? 0) + 1;
      this.convert(l);
    }
    const unused = [...this.weights.keys()].filter((k) => !this.usedWeights.has(k));
    if (unused.length) throw new KerasConversionError(`weights not used by any layer: ${unused.join(', ')}`);
    let out = this.valueOf(this.outputLayer);
    if (out.name !== this.opts.outputName) {
      this.b.node('Identity', [out.name], [this.opts.outputName]);
      out = { name: this.opts.outputName, shape: out.shape };
    }
    this.outputs[this.opts.outputName] = [this.opts.batchDim, ...out.shape];
    this.b.output(this.opts.outputName, 'float32', this.outputs[this.opts.outputName]);
    if (this.opts.logitsName && this.outputs[this.opts.logitsName]) {
      this.b.output(this.opts.logitsName, 'float32', this.outputs[this.opts.logitsName]);
    }
    return { builder: this.b, inputDims: this.inputDims, outputs: this.outputs, layers: this.counts, folded: this.folded };
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private fail(layer: KerasLayer, msg: string): never {
    throw new KerasConversionError(`layer '${layerName(layer)}' (${layer.class_name}): ${msg}`);
  }

  private valueOf(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new KerasConversionError(`layer '${name}' is used before it is defined (or was folded away)`);
    return v;
  }

  private inputsOf(layer: KerasLayer): string[] {
    return (layer.inbound_nodes[0] ?? []).map((r) => r[0]);
  }

  private singleInput(layer: KerasLayer): Value {
    const ins = this.inputsOf(layer);
    if (ins.length !== 1) this.fail(layer, `expects one input, has ${ins.length}`);
    return this.valueOf(ins[0]);
  }

  private weight(layer: KerasLayer, suffix: string, shape?: number[]): DecodedWeight {
    const key = `${layerName(layer)}/${suffix}`;
    const w = this.weights.get(key);
    if (!w) this.fail(layer, `weight '${key}' is missing`);
    if (shape && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))) {
      this.fail(layer, `weight '${key}' has shape ${JSON.stringify(w.shape)}, expected ${JSON.stringify(shape)}`);
    }
    this.usedWeights.add(key);
    return w;
  }

  /** A float32 scalar constant, shared by every node that needs the same value. */
  private scalar(v: number): string {
    let name = this.scalars.get(v);
    if (!name) {
      name = this.b.constFloat([v], [], `scalar_${String(v).replace(/[^0-9a-z]/gi, '_')}`);
      this.scalars.set(v, name);
    }
    return name;
  }

  private fresh(layer: KerasLayer, suffix = ''): string {
    return this.b.uniqueName(`${layerName(layer)}${suffix}`);
  }

  private onlyConsumer(name: string): KerasLayer | undefined {
    const list = this.consumers.get(name) ?? [];
    return list.length === 1 ? this.byName.get(list[0]) : undefined;
  }

  private isOutput(layer: KerasLayer): boolean {
    return layerName(layer) === this.outputLayer;
  }

  private requireChannelsLast(layer: KerasLayer): void {
    const f = layer.config.data_format;
    if (f !== undefined && f !== null && f !== 'channels_last') this.fail(layer, `data_format '${String(f)}' is not supported (channels_last)`);
  }

  private require4d(layer: KerasLayer, v: Value): [number, number, number] {
    if (v.shape.length !== 3) this.fail(layer, `expects a 4-D input, got [N, ${v.shape.join(', ')}]`);
    return [v.shape[0], v.shape[1], v.shape[2]];
  }

  /**
   * Applies a Keras activation to `pre`. The output layer's final tensor gets the graph output name; its
   * pre-softmax tensor was given the logits name by the caller (see preName).
   */
  private activation(layer: KerasLayer, pre: Value, act: unknown): Value {
    const name = String(act ?? 'linear');
    if (name === 'linear') return pre;
    const outName = this.isOutput(layer) ? this.opts.outputName : this.fresh(layer, `_${name}`);
    const shape = pre.shape;
    switch (name) {
      case 'relu':
        this.b.node('Relu', [pre.name], [outName]);
        break;
      case 'relu6':
        this.b.node('Clip', [pre.name, this.scalar(0), this.scalar(6)], [outName]);
        break;
      case 'sigmoid':
        this.b.node('Sigmoid', [pre.name], [outName]);
        break;
      case 'tanh':
        this.b.node('Tanh', [pre.name], [outName]);
        break;
      case 'softmax':
        if (shape.length !== 1) this.fail(layer, 'softmax activation on a non-flat tensor is not supported');
        this.b.node('Softmax', [pre.name], [outName], { axis: -1 });
        if (this.isOutput(layer) && this.opts.logitsName === pre.name) this.outputs[pre.name] = [this.opts.batchDim, ...shape];
        break;
      default:
        this.fail(layer, `activation '${name}' is not supported`);
    }
    return { name: outName, shape };
  }

  /** Name of a layer's main op output: the logits name for the output layer's pre-softmax tensor. */
  private preName(layer: KerasLayer, act: unknown): string {
    if (this.isOutput(layer) && act === 'softmax' && this.opts.logitsName) return this.opts.logitsName;
    if (this.isOutput(layer) && (act ?? 'linear') === 'linear') return this.opts.outputName;
    return this.fresh(layer);
  }

  // ---- layers --------------------------------------------------------------------------------------------

  private convert(layer: KerasLayer): void {
    const name = layerName(layer);
    switch (layer.class_name) {
      case 'InputLayer':
        return this.inputLayer(layer);
      case 'ZeroPadding2D':
        return this.zeroPadding(layer);
      case 'Conv2D':
      case 'DepthwiseConv2D':
        return this.conv(layer);
      case 'BatchNormalization':
        if (this.foldedBn.has(name)) return;
        return this.batchNorm(layer);
      case 'ReLU':
        return this.relu(layer);
      case 'Activation': {
        const v = this.singleInput(layer);
        this.values.set(name, this.activation(layer, v, layer.config.activation));
        return;
      }
      case 'Add':
        return this.add(layer);
      case 'AveragePooling2D':
      case 'MaxPooling2D':
        return this.pool(layer);
      case 'GlobalAveragePooling2D':
        return this.globalAveragePool(layer);
      case 'Flatten':
        return this.flatten(layer);
      case 'Dense':
        return this.dense(layer);
      case 'Dropout':
        this.values.set(name, this.singleInput(layer));
        return;
      default:
        this.fail(layer, 'layer class is not supported');
    }
  }

  private inputLayer(layer: KerasLayer): void {
    const shape = layer.config.batch_input_shape;
    if (!Array.isArray(shape) || shape.length !== 4 || shape.slice(1).some((d) => typeof d !== 'number')) {
      this.fail(layer, `batch_input_shape ${JSON.stringify(shape)} must be [null, H, W, C] with fixed H, W, C`);
    }
    const dtype = layer.config.dtype;
    if (dtype !== undefined && dtype !== 'float32') this.fail(layer, `input dtype '${String(dtype)}' is not supported`);
    const [, h, w, c] = shape as number[];
    this.inputDims = [this.opts.batchDim, c, h, w];
    this.b.input(this.opts.inputName, 'float32', this.inputDims);
    this.values.set(layerName(layer), { name: this.opts.inputName, shape: [c, h, w] });
  }

  private zeroPadding(layer: KerasLayer): void {
    this.requireChannelsLast(layer);
    const p = layer.config.padding;
    let pads: Pads4;
    if (typeof p === 'number') pads = [p, p, p, p];
    else if (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number')) pads = [p[0], p[1], p[0], p[1]];
    else if (Array.isArray(p) && p.length === 2 && p.every((x) => Array.isArray(x) && x.length === 2)) {
      const [[t, bt], [l, r]] = p as number[][];
      pads = [t, l, bt, r];
    } else this.fail(layer, `padding ${JSON.stringify(p)} is not understood`);
    if (pads.some((x) => !Number.isInteger(x) || x < 0)) this.fail(layer, `padding ${JSON.stringify(p)} must be non-negative integers`);
    const source = this.singleInput(layer);
    const [c, h, w] = this.require4d(layer, source);
    const next = this.onlyConsumer(layerName(layer));
    if (next && CONV_CLASSES.has(next.class_name) && next.config.padding === 'valid') {
      this.pendingPads.set(layerName(layer), { source, pads });
      this.folded.zeroPaddings++;
      return;
    }
    const padsConst = this.b.constInt64([0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], undefined, `${layerName(layer)}_pads`);
    const out = this.fresh(layer);
    this.b.node('Pad', [source.name, padsConst], [out], { mode: 'constant' });
    this.values.set(layerName(layer), { name: out, shape: [c, h + pads[0] + pads[2], w + pads[1] + pads[3]] });
  }

  private conv(layer: KerasLayer): void {
    this.requireChannelsLast(layer);
    const name = layerName(layer);
    const depthwise = layer.class_name === 'DepthwiseConv2D';
    const cfg = layer.config;
    const inputs = this.inputsOf(layer);
    if (inputs.length !== 1) this.fail(layer, `expects one input, has ${inputs.length}`);
    // A ZeroPadding2D folded into this conv.
    const pending = this.pendingPads.get(inputs[0]);
    const input = pending ? pending.source : this.valueOf(inputs[0]);
    const extra: Pads4 = pending ? pending.pads : [0, 0, 0, 0];
    const [cin, h, w] = this.require4d(layer, input);
    const [kh, kw] = pair(cfg.kernel_size, 'kernel_size', name);
    const [sh, sw] = pair(cfg.strides ?? 1, 'strides', name);
    const [dh, dw] = pair(cfg.dilation_rate ?? 1, 'dilation_rate', name);
    if (cfg.groups !== undefined && cfg.groups !== 1) this.fail(layer, `groups ${String(cfg.groups)} is not supported`);
    const padding = String(cfg.padding);
    const ph = tfPadding(padding, h + extra[0] + extra[2], kh, sh, dh);
    const pw = tfPadding(padding, w + extra[1] + extra[3], kw, sw, dw);
    const pads: Pads4 = [ph.before + extra[0], pw.before + extra[1], ph.after + extra[2], pw.after + extra[3]];

    // Weights in ONNX layout, float64 for folding.
    let cout: number;
    let wt: Float64Array;
    if (depthwise) {
      const mult = Number(cfg.depth_multiplier ?? 1);
      if (!Number.isInteger(mult) || mult < 1) this.fail(layer, `depth_multiplier ${String(cfg.depth_multiplier)} is invalid`);
      const k = this.weight(layer, 'depthwise_kernel', [kh, kw, cin, mult]).data;
      cout = cin * mult;
      wt = new Float64Array(cout * kh * kw);
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < cin; c++) for (let m = 0; m < mult; m++) {
        wt[((c * mult + m) * kh + y) * kw + x] = k[((y * kw + x) * cin + c) * mult + m];
      }
    } else {
      cout = Number(cfg.filters);
      const k = this.weight(layer, 'kernel', [kh, kw, cin, cout]).data;
      wt = new Float64Array(cout * cin * kh * kw);
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
        wt[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
      }
    }
    let bias: Float64Array | null = cfg.use_bias ? Float64Array.from(this.weight(layer, 'bias', [cout]).data) : null;

    // A BatchNormalization folded into this conv.
    let outLayer = layer;
    const act = cfg.activation ?? 'linear';
    const next = this.onlyConsumer(name);
    if (act === 'linear' && next && next.class_name === 'BatchNormalization' && this.inputsOf(next).length === 1 && this.bnAxisOk(next, 4)) {
      const bn = this.bnParams(next, cout);
      const perOut = wt.length / cout;
      bias ??= new Float64Array(cout);
      for (let o = 0; o < cout; o++) {
        const k = bn.gamma[o] / Math.sqrt(bn.variance[o] + bn.epsilon);
        for (let j = 0; j < perOut; j++) wt[o * perOut + j] *= k;
        bias[o] = (bias[o] - bn.mean[o]) * k + bn.beta[o];
      }
      this.foldedBn.add(layerName(next));
      this.folded.batchNorms++;
      outLayer = next;
    }

    const wName = this.b.initializer(this.b.uniqueName(`${name}_weight`), Float32Array.from(wt), depthwise ? [cout, 1, kh, kw] : [cout, cin, kh, kw]);
    const convInputs = [input.name, wName];
    if (bias) convInputs.push(this.b.initializer(this.b.uniqueName(`${name}_bias`), Float32Array.from(bias), [cout]));
    const attrs: Attrs = { kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads: [pads[0], pads[1], pads[2], pads[3]], group: depthwise ? cin : 1 };
    const pre = this.preName(outLayer, act);
    this.b.node('Conv', convInputs, [pre], attrs, { name: this.b.uniqueName(`${name}_conv`) });
    const v = this.activation(layer, { name: pre, shape: [cout, ph.out, pw.out] }, act);
    this.values.set(name, v);
    if (outLayer !== layer) this.values.set(layerName(outLayer), v);
  }

  private bnAxisOk(layer: KerasLayer, rank: number): boolean {
    const axis = layer.config.axis;
    const a = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
    return a === -1 || a === rank - 1;
  }

  private bnParams(layer: KerasLayer, channels: number): { gamma: Float64Array; beta: Float64Array; mean: Float64Array; variance: Float64Array; epsilon: number } {
    const cfg = layer.config;
    const epsilon = Number(cfg.epsilon ?? 1e-3);
    if (!(epsilon >= 0)) this.fail(layer, `epsilon ${String(cfg.epsilon)} is invalid`);
    const gamma = cfg.scale === false ? new Float64Array(channels).fill(1) : Float64Array.from(this.weight(layer, 'gamma', [channels]).data);
    const beta = cfg.center === false ? new Float64Array(channels) : Float64Array.from(this.weight(layer, 'beta', [channels]).data);
    const mean = Float64Array.from(this.weight(layer, 'moving_mean', [channels]).data);
    const variance = Float64Array.from(this.weight(layer, 'moving_variance', [channels]).data);
    return { gamma, beta, mean, variance, epsilon };
  }

  private batchNorm(layer: KerasLayer): void {
    const x = this.singleInput(layer);
    if (!this.bnAxisOk(layer, x.shape.length + 1)) this.fail(layer, `axis ${JSON.stringify(layer.config.axis)} is not the channel axis`);
    const c = x.shape[0];
    const bn = this.bnParams(layer, c);
    const name = layerName(layer);
    const ins = [x.name, ...[bn.gamma, bn.beta, bn.mean, bn.variance].map((a, i) => this.b.constFloat(Float32Array.from(a), [c], `${name}_${['scale', 'bias', 'mean', 'var'][i]}`))];
    // BatchNormalization needs rank >= 2 with channels at axis 1: true for [N, C, H, W] and [N, F].
    const out = this.preName(layer, 'linear');
    this.b.node('BatchNormalization', ins, [out], { epsilon: { float: bn.epsilon } });
    this.values.set(name, { name: out, shape: x.shape });
  }

  private relu(layer: KerasLayer): void {
    const x = this.singleInput(layer);
    const cfg = layer.config;
    const slope = Number(cfg.negative_slope ?? 0);
    const threshold = Number(cfg.threshold ?? 0);
    if (slope !== 0 || threshold !== 0) this.fail(layer, `negative_slope ${slope} / threshold ${threshold} are not supported (0 / 0)`);
    const max = cfg.max_value;
    const out = this.isOutput(layer) ? this.opts.outputName : this.fresh(layer);
    if (max === null || max === undefined) {
      this.b.node('Relu', [x.name], [out]);
    } else {
      if (typeof max !== 'number' || !(max > 0)) this.fail(layer, `max_value ${JSON.stringify(max)} is invalid`);
      this.b.node('Clip', [x.name, this.scalar(0), this.scalar(max)], [out]);
    }
    this.values.set(layerName(layer), { name: out, shape: x.shape });
  }

  private add(layer: KerasLayer): void {
    const ins = this.inputsOf(layer).map((n) => this.valueOf(n));
    if (ins.length < 2) this.fail(layer, `expects at least two inputs, has ${ins.length}`);
    for (const v of ins) if (v.shape.join() !== ins[0].shape.join()) this.fail(layer, `inputs have different shapes ${ins.map((i) => `[${i.shape}]`).join(', ')}`);
    let acc = ins[0].name;
    for (let i = 1; i < ins.length; i++) {
      const out = i === ins.length - 1 ? this.preName(layer, 'linear') : this.fresh(layer, `_partial`);
      this.b.node('Add', [acc, ins[i].name], [out]);
      acc = out;
    }
    this.values.set(layerName(layer), { name: acc, shape: ins[0].shape });
  }

  private pool(layer: KerasLayer): void {
    this.requireChannelsLast(layer);
    const x = this.singleInput(layer);
    const [c, h, w] = this.require4d(layer, x);
    const name = layerName(layer);
    const [kh, kw] = pair(layer.config.pool_size ?? 2, 'pool_size', name);
    const [sh, sw] = pair(layer.config.strides ?? [kh, kw], 'strides', name);
    const padding = String(layer.config.padding ?? 'valid');
    const ph = tfPadding(padding, h, kh, sh, 1);
    const pw = tfPadding(padding, w, kw, sw, 1);
    const avg = layer.class_name === 'AveragePooling2D';
    const out = this.preName(layer, 'linear');
    if (avg && padding === 'valid' && kh === h && kw === w) {
      // One window covering the whole map: exactly a global average.
      this.b.node('GlobalAveragePool', [x.name], [out]);
    } else {
      const attrs: Attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph.before, pw.before, ph.after, pw.after] };
      // TF averages over the window's in-bounds elements only.
      if (avg) attrs.count_include_pad = 0;
      this.b.node(avg ? 'AveragePool' : 'MaxPool', [x.name], [out], attrs);
    }
    this.values.set(name, { name: out, shape: [c, ph.out, pw.out] });
  }

  private globalAveragePool(layer: KerasLayer): void {
    this.requireChannelsLast(layer);
    const x = this.singleInput(layer);
    const [c] = this.require4d(layer, x);
    if (layer.config.keepdims === true) this.fail(layer, 'keepdims is not supported');
    const pooled = this.fresh(layer, '_pool');
    this.b.node('GlobalAveragePool', [x.name], [pooled]);
    const out = this.preName(layer, 'linear');
    this.b.node('Flatten', [pooled], [out], { axis: 1 });
    this.values.set(layerName(layer), { name: out, shape: [c] });
  }

  private flatten(layer: KerasLayer): void {
    this.requireChannelsLast(layer);
    const x = this.singleInput(layer);
    const out = this.preName(layer, 'linear');
    if (x.shape.length === 1) {
      this.b.node('Identity', [x.name], [out]);
    } else {
      const [c, h, w] = this.require4d(layer, x);
      let src = x.name;
      if (h * w > 1) {
        // Keras flattens (H, W, C) in that order.
        src = this.fresh(layer, '_nhwc');
        this.b.node('Transpose', [x.name], [src], { perm: [0, 2, 3, 1] });
      }
      this.b.node('Flatten', [src], [out], { axis: 1 });
      this.values.set(layerName(layer), { name: out, shape: [c * h * w] });
      return;
    }
    this.values.set(layerName(layer), { name: out, shape: x.shape });
  }

  private dense(layer: KerasLayer): void {
    const x = this.singleInput(layer);
    if (x.shape.length !== 1) this.fail(layer, `expects a flat input, got [N, ${x.shape.join(', ')}]`);
    const units = Number(layer.config.units);
    const kernel = this.weight(layer, 'kernel', [x.shape[0], units]);
    const ins = [x.name, this.b.initializer(this.b.uniqueName(`${layerName(layer)}_kernel`), kernel.data, kernel.shape)];
    if (layer.config.use_bias) {
      const bias = this.weight(layer, 'bias', [units]);
      ins.push(this.b.initializer(this.b.uniqueName(`${layerName(layer)}_bias`), bias.data, bias.shape));
    }
    const act = layer.config.activation ?? 'linear';
    const pre = this.preName(layer, act);
    this.b.node('Gemm', ins, [pre], {}, { name: this.b.uniqueName(`${layerName(layer)}_gemm`) });
    this.values.set(layerName(layer), this.activation(layer, { name: pre, shape: [units] }, act));
  }
}

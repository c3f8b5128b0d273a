/**
 * Keras (channels_last) -> ONNX (NCHW) layer mapping (models/convert/keras-layers.ts) on a small synthetic
 * functional model that uses the paths MobileNetV2 does not: a ZeroPadding2D that stays a Pad, odd-sized 'same'
 * convolutions with stride 2 (asymmetric pads), an unfused BatchNormalization, a depth multiplier of 2, 'same'
 * average pooling (padding excluded from the mean), a Flatten of a 2 x 2 map (Keras's H, W, C order) and a
 * softmax Dense with logits. Compared with a direct NHWC implementation of the Keras semantics written here.
 * Needs no TF.js.
 */
import { kerasToOnnx, tfPadding, KerasConversionError, type KerasLayer, type KerasModelTopology } from '../../models/convert/keras-layers';
import type { DecodedWeight } from '../../models/convert/tfjs-weights';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { seededFloats } from '../helpers/prng';

// ---- NHWC reference (one image, [H, W, C] row-major) ---------------------------------------------------------
interface Map3 {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}
const at = (m: Map3, y: number, x: number, c: number): number => m.d[(y * m.w + x) * m.c + c];

/** TF 'same' / 'valid' padding, written out independently of the converter. */
function pad1(padding: string, size: number, k: number, s: number): [number, number, number] {
  if (padding === 'valid') return [0, 0, Math.floor((size - k) / s) + 1];
  const out = Math.ceil(size / s);
  const total = Math.max(0, (out - 1) * s + k - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

function zeroPad(m: Map3, t: number, b: number, l: number, r: number): Map3 {
  const o: Map3 = { h: m.h + t + b, w: m.w + l + r, c: m.c, d: new Float64Array((m.h + t + b) * (m.w + l + r) * m.c) };
  for (let y = 0; y < m.h; y++) for (let x = 0; x < m.w; x++) for (let c = 0; c < m.c; c++) o.d[((y + t) * o.w + x + l) * o.c + c] = at(m, y, x, c);
  return o;
}

/** Conv2D (kernel [kh, kw, cin, cout]) or, with `mult`, DepthwiseConv2D (kernel [kh, kw, cin, mult]). */
function conv(m: Map3, kernel: Float32Array, kh: number, kw: number, cout: number, s: number, padding: string, bias: Float32Array | null, mult = 0): Map3 {
  const [pt, , oh] = pad1(padding, m.h, kh, s);
  const [pl, , ow] = pad1(padding, m.w, kw, s);
  const o: Map3 = { h: oh, w: ow, c: cout, d: new Float64Array(oh * ow * cout) };
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let oc = 0; oc < cout; oc++) {
    let sum = bias ? bias[oc] : 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const y = oy * s + ky - pt;
      const x = ox * s + kx - pl;
      if (y < 0 || y >= m.h || x < 0 || x >= m.w) continue;
      if (mult) {
        const ic = Math.floor(oc / mult);
        sum += at(m, y, x, ic) * kernel[((ky * kw + kx) * m.c + ic) * mult + (oc % mult)];
      } else {
        for (let ic = 0; ic < m.c; ic++) sum += at(m, y, x, ic) * kernel[((ky * kw + kx) * m.c + ic) * cout + oc];
      }
    }
    o.d[(oy * ow + ox) * cout + oc] = sum;
  }
  return o;
}

function map(m: Map3, f: (v: number, c: number) => number): Map3 {
  return { ...m, d: m.d.map((v, i) => f(v, i % m.c)) };
}

function avgPoolSame(m: Map3, k: number): Map3 {
  const [pt, , oh] = pad1('same', m.h, k, 1);
  const [pl, , ow] = pad1('same', m.w, k, 1);
  const o: Map3 = { h: oh, w: ow, c: m.c, d: new Float64Array(oh * ow * m.c) };
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let c = 0; c < m.c; c++) {
    let sum = 0;
    let n = 0;
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const y = oy + ky - pt;
      const x = ox + kx - pl;
      if (y < 0 || y >= m.h || x < 0 || x >= m.w) continue;
      sum += at(m, y, x, c);
      n++;
    }
    o.d[(oy * ow + ox) * m.c + c] = sum / n;
  }
  return o;
}

function dense(x: ArrayLike<number>, kernel: Float32Array, bias: Float32Array, units: number): Float64Array {
  const out = new Float64Array(units);
  for (let j = 0; j < units; j++) {
    let s = bias[j];
    for (let i = 0; i < x.length; i++) s += x[i] * kernel[i * units + j];
    out[j] = s;
  }
  return out;
}

// ---- the synthetic Keras model ----------------------------------------------------------------------------------
function layer(class_name: string, name: string, inbound: string[], config: Record<string, unknown> = {}): KerasLayer {
  return { name, class_name, config: { name, ...config }, inbound_nodes: inbound.length ? [inbound.map((n) => [n, 0, 0, {}])] : [] };
}
const H = 7;
const W = 6;
const topology: KerasModelTopology = {
  keras_version: '2.2.4',
  model_config: {
    class_name: 'Model',
    config: {
      layers: [
        layer('InputLayer', 'input_1', [], { batch_input_shape: [null, H, W, 3], dtype: 'float32' }),
        layer('ZeroPadding2D', 'pad_a', ['input_1'], { padding: [[1, 0], [0, 2]] }), // -> 8 x 8, kept as Pad (next conv is 'same')
        layer('Conv2D', 'conv_a', ['pad_a'], { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same', use_bias: true, activation: 'relu' }), // 4 x 4
        layer('BatchNormalization', 'bn_a', ['conv_a'], { axis: -1, epsilon: 0.01 }), // not folded: conv_a has an activation
        layer('DepthwiseConv2D', 'dw_b', ['bn_a'], { kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 2, use_bias: false, activation: 'linear' }), // 4 x 4 x 8
        layer('BatchNormalization', 'bn_b', ['dw_b'], { axis: -1, epsilon: 0.001 }), // folded into dw_b
        layer('ReLU', 'relu6_b', ['bn_b'], { max_value: 6, negative_slope: 0, threshold: 0 }),
        layer('ZeroPadding2D', 'pad_c', ['relu6_b'], { padding: [[0, 1], [0, 1]] }), // folded into conv_c
        layer('Conv2D', 'conv_c', ['pad_c'], { filters: 6, kernel_size: [2, 2], strides: [2, 2], padding: 'valid', use_bias: true, activation: 'linear' }), // 2 x 2
        layer('Conv2D', 'conv_d', ['relu6_b'], { filters: 6, kernel_size: [3, 3], strides: [3, 3], padding: 'same', use_bias: false, activation: 'linear' }), // 4 -> 2 x 2
        layer('Add', 'add_e', ['conv_c', 'conv_d']),
        layer('AveragePooling2D', 'pool_e', ['add_e'], { pool_size: [2, 2], strides: [1, 1], padding: 'same' }),
        layer('Flatten', 'flat', ['pool_e']),
        layer('Dense', 'fc_1', ['flat'], { units: 5, activation: 'relu', use_bias: true }),
        layer('Dropout', 'drop', ['fc_1'], { rate: 0.5 }),
        layer('Dense', 'fc_2', ['drop'], { units: 3, activation: 'softmax', use_bias: true }),
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['fc_2', 0, 0]],
    },
  },
};

function makeWeights(): Map<string, DecodedWeight> {
  let seed = 100;
  const w = new Map<string, DecodedWeight>();
  const add = (name: string, shape: number[], lo = -1, hi = 1): Float32Array => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = seededFloats(n, seed++).map((v) => lo + ((v + 1) / 2) * (hi - lo));
    w.set(name, { shape, data });
    return data;
  };
  add('conv_a/kernel', [3, 3, 3, 4]);
  add('conv_a/bias', [4]);
  for (const [bn, c] of [['bn_a', 4], ['bn_b', 8]] as const) {
    add(`${bn}/gamma`, [c], 0.5, 1.5);
    add(`${bn}/beta`, [c], -0.5, 0.5);
    add(`${bn}/moving_mean`, [c], -0.3, 0.3);
    add(`${bn}/moving_variance`, [c], 0.2, 2);
  }
  add('dw_b/depthwise_kernel', [3, 3, 4, 2]);
  add('conv_c/kernel', [2, 2, 8, 6]);
  add('conv_c/bias', [6]);
  add('conv_d/kernel', [3, 3, 8, 6]);
  add('fc_1/kernel', [24, 5]);
  add('fc_1/bias', [5]);
  add('fc_2/kernel', [5, 3], -2, 2);
  add('fc_2/bias', [3]);
  return w;
}

/** The Keras model on one NHWC image: [logits, probs]. */
function reference(x: Float32Array, w: Map<string, DecodedWeight>): [Float64Array, Float64Array] {
  const g = (n: string): Float32Array => w.get(n)!.data;
  const bn = (m: Map3, name: string, eps: number): Map3 =>
    map(m, (v, c) => ((v - g(`${name}/moving_mean`)[c]) / Math.sqrt(g(`${name}/moving_variance`)[c] + eps)) * g(`${name}/gamma`)[c] + g(`${name}/beta`)[c]);
  let m: Map3 = { h: H, w: W, c: 3, d: Float64Array.from(x) };
  m = zeroPad(m, 1, 0, 0, 2);
  m = map(conv(m, g('conv_a/kernel'), 3, 3, 4, 2, 'same', g('conv_a/bias')), (v) => Math.max(v, 0));
  m = bn(m, 'bn_a', 0.01);
  m = conv(m, g('dw_b/depthwise_kernel'), 3, 3, 8, 1, 'same', null, 2);
  const r = map(bn(m, 'bn_b', 0.001), (v) => Math.min(Math.max(v, 0), 6));
  const c = conv(zeroPad(r, 0, 1, 0, 1), g('conv_c/kernel'), 2, 2, 6, 2, 'valid', g('conv_c/bias'));
  const d = conv(r, g('conv_d/kernel'), 3, 3, 6, 3, 'same', null);
  const pooled = avgPoolSame({ ...c, d: c.d.map((v, i) => v + d.d[i]) }, 2);
  const h1 = dense(pooled.d, g('fc_1/kernel'), g('fc_1/bias'), 5).map((v) => Math.max(v, 0));
  const logits = dense(h1, g('fc_2/kernel'), g('fc_2/bias'), 3);
  const mx = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return [logits, e.map((v) => v / s)];
}

const OPTIONS = { inputName: 'pixel_values', outputName: 'probs', logitsName: 'logits', batchDim: 'N', graphName: 'tiny' };

describe('tfPadding (TF padding rule)', () => {
  it.each([
    // padding, size, kernel, stride, dilation -> before, after, out
    ['same', 224, 3, 2, 1, 0, 1, 112],
    ['same', 112, 3, 1, 1, 1, 1, 112],
    ['same', 7, 3, 2, 1, 1, 1, 4],
    ['same', 8, 3, 2, 1, 0, 1, 4],
    ['same', 4, 3, 3, 1, 1, 1, 2],
    ['same', 10, 3, 1, 2, 2, 2, 10],
    ['same', 5, 1, 2, 1, 0, 0, 3],
    ['valid', 225, 3, 2, 1, 0, 0, 112],
    ['valid', 7, 7, 7, 1, 0, 0, 1],
  ] as const)('%s size %i k %i s %i d %i -> %i / %i, out %i', (padding, size, k, s, d, before, after, out) => {
    expect(tfPadding(padding, size, k, s, d)).toEqual({ before, after, out });
  });
});

describe('kerasToOnnx', () => {
  it('matches a direct NHWC evaluation of the Keras model (batch of 3)', async () => {
    const weights = makeWeights();
    const result = kerasToOnnx(topology, weights, OPTIONS);
    expect(result.inputDims).toEqual(['N', 3, H, W]);
    expect(result.outputs).toEqual({ logits: ['N', 3], probs: ['N', 3] });
    expect(result.folded).toEqual({ batchNorms: 1, zeroPaddings: 1 });
    const n = 3;
    const images = [0, 1, 2].map((i) => seededFloats(H * W * 3, 900 + i));
    const nchw = new Float32Array(n * 3 * H * W);
    images.forEach((img, i) => {
      for (let p = 0; p < H * W; p++) for (let c = 0; c < 3; c++) nchw[i * 3 * H * W + c * H * W + p] = img[p * 3 + c];
    });
    const session = await createSession(result.builder.toModelBytes());
    try {
      const out = await runSession(session, { pixel_values: { data: nchw, dims: [n, 3, H, W] } });
      expect(out.probs.dims).toEqual([n, 3]);
      for (let i = 0; i < n; i++) {
        const [logits, probs] = reference(images[i], weights);
        for (let j = 0; j < 3; j++) {
          expect(Math.abs(out.logits.data[i * 3 + j] - logits[j])).toBeLessThan(1e-4);
          expect(Math.abs(out.probs.data[i * 3 + j] - probs[j])).toBeLessThan(1e-5);
        }
      }
    } finally {
      await releaseSession(session);
    }
  });

  it('is deterministic', () => {
    const a = kerasToOnnx(topology, makeWeights(), OPTIONS).builder.toModelBytes();
    const b = kerasToOnnx(topology, makeWeights(), OPTIONS).builder.toModelBytes();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('refuses what it does not implement, naming the layer', () => {
    const withLayers = (edit: (layers: KerasLayer[]) => void): KerasModelTopology => {
      const t = JSON.parse(JSON.stringify(topology)) as KerasModelTopology;
      edit(t.model_config.config.layers);
      return t;
    };
    const relu = withLayers((ls) => Object.assign(ls[6].config, { negative_slope: 0.1 }));
    expect(() => kerasToOnnx(relu, makeWeights(), OPTIONS)).toThrow(/layer 'relu6_b' \(ReLU\): negative_slope 0.1/);
    const lstm = withLayers((ls) => (ls[13].class_name = 'LSTM'));
    expect(() => kerasToOnnx(lstm, makeWeights(), OPTIONS)).toThrow(KerasConversionError);
    const extra = makeWeights();
    extra.set('ghost/kernel', { shape: [1], data: new Float32Array(1) });
    expect(() => kerasToOnnx(topology, extra, OPTIONS)).toThrow(/weights not used by any layer: ghost\/kernel/);
    const missing = makeWeights();
    missing.delete('conv_c/bias');
    expect(() => kerasToOnnx(topology, missing, OPTIONS)).toThrow(/weight 'conv_c\/bias' is missing/);
  });
});

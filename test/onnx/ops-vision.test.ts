/**
 * Convolution-network operators written by GraphBuilder (opset 17) and run in ONNX Runtime: Conv (strides, pads,
 * groups, depthwise, dilations), Clip as Relu6, BatchNormalization, GlobalAveragePool, Flatten, and a whole
 * MobileNetV2 inverted-residual block, each compared with a JS reference.
 */
import { GraphBuilder } from '../../src/onnx/graph';
import { seededFloats } from '../helpers/prng';
import { ConvParams, conv2d, expectClose, runGraph } from './helpers';

/** Builds and runs one Conv node, returning [ORT result, JS reference]. */
async function runConv(p: ConvParams, withBias: boolean, seed: number): Promise<[{ data: Float32Array; dims: number[] }, { data: Float32Array; dims: number[] }]> {
  const x = seededFloats(p.n * p.c * p.h * p.w, seed);
  const w = seededFloats(p.m * (p.c / p.group) * p.kh * p.kw, seed + 1);
  const bias = withBias ? seededFloats(p.m, seed + 2) : null;
  const b = new GraphBuilder();
  b.input('x', 'float32', ['N', p.c, p.h, p.w]);
  const inputs = ['x', b.initializer('W', w, [p.m, p.c / p.group, p.kh, p.kw])];
  if (bias) inputs.push(b.initializer('B', bias, [p.m]));
  b.node('Conv', inputs, ['y'], {
    kernel_shape: [p.kh, p.kw],
    strides: p.strides,
    pads: p.pads,
    group: p.group,
    dilations: p.dilations ?? [1, 1],
  });
  b.output('y', 'float32', ['N', p.m, 'H', 'W']);
  const out = await runGraph(b, { x: { data: x, dims: [p.n, p.c, p.h, p.w] } });
  return [out.y, conv2d(x, w, bias, p)];
}

describe('Conv', () => {
  const cases: [string, ConvParams, boolean][] = [
    ['3x3, stride 2, symmetric pads, bias', { n: 2, c: 3, h: 7, w: 7, m: 4, kh: 3, kw: 3, group: 1, strides: [2, 2], pads: [1, 1, 1, 1] }, true],
    ['3x3, stride 2, asymmetric pads (TF "SAME" on even input: [0, 0, 1, 1])', { n: 1, c: 3, h: 8, w: 8, m: 5, kh: 3, kw: 3, group: 1, strides: [2, 2], pads: [0, 0, 1, 1] }, true],
    ['1x1 pointwise, no bias', { n: 2, c: 6, h: 4, w: 5, m: 3, kh: 1, kw: 1, group: 1, strides: [1, 1], pads: [0, 0, 0, 0] }, false],
    ['grouped (group 2)', { n: 1, c: 4, h: 6, w: 6, m: 6, kh: 3, kw: 3, group: 2, strides: [1, 1], pads: [1, 1, 1, 1] }, true],
    ['depthwise 3x3 stride 1 (group = C = M)', { n: 2, c: 6, h: 5, w: 5, m: 6, kh: 3, kw: 3, group: 6, strides: [1, 1], pads: [1, 1, 1, 1] }, true],
    ['depthwise 3x3 stride 2, no bias', { n: 1, c: 8, h: 9, w: 9, m: 8, kh: 3, kw: 3, group: 8, strides: [2, 2], pads: [1, 1, 1, 1] }, false],
    ['dilated 3x3, non-square input and kernel', { n: 1, c: 2, h: 9, w: 6, m: 3, kh: 3, kw: 2, group: 1, strides: [1, 2], pads: [2, 1, 2, 0], dilations: [2, 1] }, true],
  ];
  it.each(cases)('%s', async (_name, p, withBias) => {
    const [got, ref] = await runConv(p, withBias, p.c * 10 + p.m);
    expect(got.dims).toEqual(ref.dims);
    expectClose(got.data, ref.data, 1e-5, 1e-5);
  });
});

const relu6 = (v: number): number => Math.min(6, Math.max(0, v));

describe('activation, normalisation and pooling', () => {
  it('Clip with min/max as inputs (Relu6) and with only max', async () => {
    const x = seededFloats(12, 31).map((v) => v * 10);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 12]);
    b.node('Clip', ['x', b.constFloat([0], []), b.constFloat([6], [])], ['relu6']);
    b.node('Clip', ['x', '', b.constFloat([1], [])], ['max1']);
    b.output('relu6', 'float32', ['N', 12]);
    b.output('max1', 'float32', ['N', 12]);
    const out = await runGraph(b, { x: { data: x, dims: [1, 12] } });
    expectClose(out.relu6.data, Array.from(x, relu6), 0, 0);
    expectClose(out.max1.data, Array.from(x, (v) => Math.min(1, v)), 0, 0);
  });

  it('BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + eps) + B', async () => {
    const C = 3;
    const x = seededFloats(2 * C * 2 * 2, 32);
    const scale = Float32Array.from([1.5, -0.5, 2]);
    const bias = Float32Array.from([0.1, 0.2, -0.3]);
    const mean = Float32Array.from([0.05, -0.1, 0.2]);
    const variance = Float32Array.from([0.5, 2, 0.01]);
    const eps = 1e-3;
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', C, 2, 2]);
    b.node(
      'BatchNormalization',
      ['x', b.initializer('scale', scale, [C]), b.initializer('B', bias, [C]), b.initializer('mean', mean, [C]), b.initializer('var', variance, [C])],
      ['y'],
      { epsilon: { float: eps } },
    );
    b.output('y', 'float32', ['N', C, 2, 2]);
    const out = await runGraph(b, { x: { data: x, dims: [2, C, 2, 2] } });
    const ref = Array.from(x, (v, i) => {
      const c = Math.floor(i / 4) % C;
      return (scale[c] * (v - mean[c])) / Math.sqrt(variance[c] + eps) + bias[c];
    });
    expectClose(out.y.data, ref, 1e-5, 1e-5);
  });

  it('GlobalAveragePool [N, C, H, W] -> [N, C, 1, 1], then Flatten -> [N, C]', async () => {
    const x = seededFloats(3 * 4 * 5 * 6, 33);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 4, 5, 6]);
    b.node('GlobalAveragePool', ['x'], ['gap']);
    b.node('Flatten', ['gap'], ['y'], { axis: 1 });
    b.output('gap', 'float32', ['N', 4, 1, 1]);
    b.output('y', 'float32', ['N', 4]);
    const out = await runGraph(b, { x: { data: x, dims: [3, 4, 5, 6] } });
    expect(out.gap.dims).toEqual([3, 4, 1, 1]);
    expect(out.y.dims).toEqual([3, 4]);
    const ref: number[] = [];
    for (let nc = 0; nc < 12; nc++) ref.push(x.slice(nc * 30, nc * 30 + 30).reduce((a, v) => a + v, 0) / 30);
    expectClose(out.y.data, ref, 1e-6, 1e-5);
  });
});

describe('MobileNetV2 inverted residual block', () => {
  it('expand 1x1 -> BN -> Relu6 -> depthwise 3x3 -> BN -> Relu6 -> project 1x1 -> BN -> + x', async () => {
    const N = 2;
    const C = 4;
    const E = 12; // expansion 3
    const H = 6;
    const x = seededFloats(N * C * H * H, 40);
    const wExpand = seededFloats(E * C, 41);
    const wDepth = seededFloats(E * 9, 42);
    const wProject = seededFloats(C * E, 43);
    const bn = (k: number, seed: number): Float32Array[] => {
      const r = seededFloats(4 * k, seed);
      return [r.slice(0, k).map((v) => 1 + 0.3 * v), r.slice(k, 2 * k).map((v) => 0.1 * v), r.slice(2 * k, 3 * k).map((v) => 0.1 * v), r.slice(3 * k).map((v) => 1 + 0.5 * v)];
    };
    const bns = [bn(E, 44), bn(E, 45), bn(C, 46)];
    const eps = 1e-3;

    const b = new GraphBuilder('block');
    b.input('x', 'float32', ['N', C, H, H]);
    const zero = b.constFloat([0], [], 'zero');
    const six = b.constFloat([6], [], 'six');
    const conv = (input: string, w: Float32Array, dims: number[], attrs: Record<string, number | number[]>): string => b.op('Conv', [input, b.constFloat(w, dims, 'w')], attrs);
    const batchNorm = (input: string, [s, bb, m, v]: Float32Array[], k: number): string =>
      b.op('BatchNormalization', [input, b.constFloat(s, [k]), b.constFloat(bb, [k]), b.constFloat(m, [k]), b.constFloat(v, [k])], { epsilon: { float: eps } });
    let t = conv('x', wExpand, [E, C, 1, 1], { kernel_shape: [1, 1] });
    t = b.op('Clip', [batchNorm(t, bns[0], E), zero, six]);
    t = conv(t, wDepth, [E, 1, 3, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: E });
    t = b.op('Clip', [batchNorm(t, bns[1], E), zero, six]);
    t = batchNorm(conv(t, wProject, [C, E, 1, 1], { kernel_shape: [1, 1] }), bns[2], C);
    b.node('Add', [t, 'x'], ['y']);
    b.output('y', 'float32', ['N', C, H, H]);
    const out = await runGraph(b, { x: { data: x, dims: [N, C, H, H] } });

    const bnRef = (v: Float32Array, [s, bb, m, vv]: Float32Array[], k: number): Float32Array =>
      v.map((val, i) => {
        const c = Math.floor(i / (H * H)) % k;
        return (s[c] * (val - m[c])) / Math.sqrt(vv[c] + eps) + bb[c];
      });
    const base = { n: N, h: H, w: H, strides: [1, 1] as [number, number] };
    let r = conv2d(x, wExpand, null, { ...base, c: C, m: E, kh: 1, kw: 1, group: 1, pads: [0, 0, 0, 0] }).data;
    r = bnRef(r, bns[0], E).map(relu6);
    r = conv2d(r, wDepth, null, { ...base, c: E, m: E, kh: 3, kw: 3, group: E, pads: [1, 1, 1, 1] }).data;
    r = bnRef(r, bns[1], E).map(relu6);
    r = conv2d(r, wProject, null, { ...base, c: E, m: C, kh: 1, kw: 1, group: 1, pads: [0, 0, 0, 0] }).data;
    r = bnRef(r, bns[2], C).map((v, i) => v + x[i]);
    expectClose(out.y.data, r, 1e-4, 1e-4);
  });
});

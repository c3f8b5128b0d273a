/** Shape operators written by GraphBuilder (opset 17; axes/shape/pads as int64 inputs), run in ONNX Runtime. */
import { GraphBuilder } from '../../src/onnx/graph';
import { seededFloats } from '../helpers/prng';
import { expectClose, runGraph } from './helpers';

describe('shape operators', () => {
  const x = seededFloats(2 * 3 * 4, 21);

  it('Unsqueeze and Squeeze take axes as an input (opset 13+)', async () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3, 4]);
    b.node('Unsqueeze', ['x', b.constInt64([1, -1])], ['u']);
    b.node('Squeeze', ['u', b.constInt64([1])], ['s']);
    const one = b.op('ReduceMax', ['x'], { axes: [2], keepdims: 1 });
    b.node('Squeeze', [one], ['s_all']); // no axes: drop every size-1 dim (N=2 here, so only the reduced one)
    b.output('u', 'float32', ['N', 1, 3, 4, 1]);
    b.output('s', 'float32', ['N', 3, 4, 1]);
    b.output('s_all', 'float32', ['N', 3]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 3, 4] } });
    expect(out.u.dims).toEqual([2, 1, 3, 4, 1]);
    expect(out.s.dims).toEqual([2, 3, 4, 1]);
    expect(out.s_all.dims).toEqual([2, 3]);
    expectClose(out.u.data, x, 0, 0);
    expectClose(out.s.data, x, 0, 0);
  });

  it('Reshape with 0 (copy) and -1 (infer); Flatten(axis 1)', async () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3, 4]);
    b.node('Reshape', ['x', b.constInt64([0, -1])], ['r']);
    b.node('Reshape', ['x', b.constInt64([-1, 2, 2])], ['r2']);
    b.node('Flatten', ['x'], ['f'], { axis: 1 });
    b.output('r', 'float32', ['N', 12]);
    b.output('r2', 'float32', [null, 2, 2]);
    b.output('f', 'float32', ['N', 12]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 3, 4] } });
    expect(out.r.dims).toEqual([2, 12]);
    expect(out.r2.dims).toEqual([6, 2, 2]);
    expect(out.f.dims).toEqual([2, 12]);
    expectClose(out.r.data, x, 0, 0);
    expectClose(out.f.data, x, 0, 0);
  });

  it('Transpose with perm (NCHW <-> NHWC)', async () => {
    const img = seededFloats(2 * 3 * 2 * 4, 22); // [N=2, C=3, H=2, W=4]
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3, 2, 4]);
    b.node('Transpose', ['x'], ['nhwc'], { perm: [0, 2, 3, 1] });
    b.node('Transpose', ['nhwc'], ['back'], { perm: [0, 3, 1, 2] });
    b.output('nhwc', 'float32', ['N', 2, 4, 3]);
    b.output('back', 'float32', ['N', 3, 2, 4]);
    const out = await runGraph(b, { x: { data: img, dims: [2, 3, 2, 4] } });
    const ref: number[] = [];
    for (let n = 0; n < 2; n++) for (let h = 0; h < 2; h++) for (let w = 0; w < 4; w++) for (let c = 0; c < 3; c++) ref.push(img[((n * 3 + c) * 2 + h) * 4 + w]);
    expectClose(out.nhwc.data, ref, 0, 0);
    expectClose(out.back.data, img, 0, 0);
  });

  it('Concat along axis 1 and -1', async () => {
    const y = seededFloats(2 * 2, 23);
    const b = new GraphBuilder();
    b.input('a', 'float32', ['N', 3]);
    b.input('c', 'float32', ['N', 2]);
    b.node('Concat', ['a', 'c'], ['ac'], { axis: 1 });
    b.node('Concat', ['c', 'a', 'c'], ['cac'], { axis: -1 });
    b.output('ac', 'float32', ['N', 5]);
    b.output('cac', 'float32', ['N', 7]);
    const a = x.slice(0, 6);
    const out = await runGraph(b, { a: { data: a, dims: [2, 3] }, c: { data: y, dims: [2, 2] } });
    const row = (t: Float32Array, w: number, n: number): number[] => Array.from(t.slice(n * w, n * w + w));
    expectClose(out.ac.data, [0, 1].flatMap((n) => [...row(a, 3, n), ...row(y, 2, n)]), 0, 0);
    expectClose(out.cac.data, [0, 1].flatMap((n) => [...row(y, 2, n), ...row(a, 3, n), ...row(y, 2, n)]), 0, 0);
  });

  it('Shape and Slice (starts/ends/axes/steps as inputs)', async () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3, 4]);
    const shape = b.op('Shape', ['x']);
    b.node('Cast', [shape], ['shape_f'], { to: 1 });
    b.node('Slice', ['x', b.constInt64([1]), b.constInt64([4]), b.constInt64([2]), b.constInt64([2])], ['sl']);
    b.node('Slice', ['x', b.constInt64([-1]), b.constInt64([-4]), b.constInt64([1]), b.constInt64([-1])], ['rev']);
    b.output('shape_f', 'float32', [3]);
    b.output('sl', 'float32', ['N', 3, 2]);
    b.output('rev', 'float32', ['N', 3, 4]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 3, 4] } });
    expect(Array.from(out.shape_f.data)).toEqual([2, 3, 4]);
    expect(out.sl.dims).toEqual([2, 3, 2]);
    expect(out.rev.dims).toEqual([2, 3, 4]); // step -1 from -1 to -4 (exclusive): rows 2, 1, 0 of axis 1
    const ref: number[] = [];
    for (let n = 0; n < 2; n++) for (let l = 0; l < 3; l++) for (const d of [1, 3]) ref.push(x[(n * 3 + l) * 4 + d]);
    expectClose(out.sl.data, ref, 0, 0);
    const rev: number[] = [];
    for (let n = 0; n < 2; n++) for (const l of [2, 1, 0]) for (let d = 0; d < 4; d++) rev.push(x[(n * 3 + l) * 4 + d]);
    expectClose(out.rev.data, rev, 0, 0);
  });

  it('Pad: constant (pads and value as inputs), reflect and edge', async () => {
    const img = Float32Array.from([1, 2, 3, 4, 5, 6]); // [1, 1, 2, 3]
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 1, 2, 3]);
    // pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] over all 4 axes: H +1 top, W +2 left/+1 right.
    const pads = b.constInt64([0, 0, 1, 2, 0, 0, 0, 1]);
    b.node('Pad', ['x', pads, b.constFloat([9], [])], ['constant'], { mode: 'constant' });
    b.node('Pad', ['x', pads], ['reflect'], { mode: 'reflect' });
    b.node('Pad', ['x', pads], ['edge'], { mode: 'edge' });
    for (const o of ['constant', 'reflect', 'edge']) b.output(o, 'float32', ['N', 1, 3, 6]);
    const out = await runGraph(b, { x: { data: img, dims: [1, 1, 2, 3] } });
    expect(out.constant.dims).toEqual([1, 1, 3, 6]);
    expect(Array.from(out.constant.data)).toEqual([9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9]);
    expect(Array.from(out.reflect.data)).toEqual([6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]);
    expect(Array.from(out.edge.data)).toEqual([1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6]);
  });
});

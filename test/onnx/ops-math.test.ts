/**
 * Arithmetic, reduction, lookup and logic operators written by GraphBuilder (opset 17), run in ONNX Runtime and
 * compared with the same computation in JS.
 */
import { GraphBuilder } from '../../src/onnx/graph';
import { createSession, runSession } from '../../src/runtime/ort';
import { seededFloats } from '../helpers/prng';
import { expectClose, matmul, runGraph } from './helpers';

describe('linear layers', () => {
  it('MatMul + Add: y = x W + b', async () => {
    const x = seededFloats(4 * 3, 1);
    const w = seededFloats(3 * 5, 2);
    const bias = seededFloats(5, 3);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3]);
    const mm = b.op('MatMul', ['x', b.initializer('W', w, [3, 5])]);
    b.node('Add', [mm, b.initializer('b', bias, [5])], ['y']);
    b.output('y', 'float32', ['N', 5]);
    const out = await runGraph(b, { x: { data: x, dims: [4, 3] } });
    expect(out.y.dims).toEqual([4, 5]);
    const ref = matmul(x, w, 4, 3, 5).map((v, i) => v + bias[i % 5]);
    expectClose(out.y.data, ref);
  });

  it('Gemm with transB, alpha and beta: y = alpha * x W^T + beta * c', async () => {
    const x = seededFloats(2 * 4, 4);
    const wt = seededFloats(3 * 4, 5); // [out=3, in=4], as PyTorch Linear stores it
    const c = seededFloats(3, 6);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 4]);
    b.node('Gemm', ['x', b.initializer('W', wt, [3, 4]), b.initializer('c', c, [3])], ['y'], { transB: 1, alpha: { float: 2 }, beta: { float: 0.5 } });
    b.output('y', 'float32', ['N', 3]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 4] } });
    const w = new Float32Array(4 * 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) w[j * 3 + i] = wt[i * 4 + j];
    const ref = matmul(x, w, 2, 4, 3).map((v, i) => 2 * v + 0.5 * c[i % 3]);
    expectClose(out.y.data, ref);
  });

  it('batched MatMul [N, L, D] x [D, K]', async () => {
    const x = seededFloats(2 * 3 * 4, 7);
    const w = seededFloats(4 * 2, 8);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3, 4]);
    b.node('MatMul', ['x', b.initializer('W', w, [4, 2])], ['y']);
    b.output('y', 'float32', ['N', 3, 2]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 3, 4] } });
    expect(out.y.dims).toEqual([2, 3, 2]);
    expectClose(out.y.data, matmul(x, w, 6, 4, 2));
  });

  it('works with a dynamic batch dimension N for several batch sizes', async () => {
    const w = seededFloats(3 * 2, 9);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3]);
    b.node('MatMul', ['x', b.initializer('W', w, [3, 2])], ['y']);
    b.output('y', 'float32', ['N', 2]);
    const session = await createSession(b.toModelBytes());
    for (const n of [1, 2, 7, 32]) {
      const x = seededFloats(n * 3, 100 + n);
      const out = await runSession(session, { x: { data: x, dims: [n, 3] } });
      expect(out.y.dims).toEqual([n, 2]);
      expectClose(out.y.data, matmul(x, w, n, 3, 2));
    }
  });
});

describe('Gather', () => {
  it('looks up int64 ids [N, L] in an embedding table [V, D] -> [N, L, D]', async () => {
    const V = 6;
    const D = 3;
    const table = seededFloats(V * D, 10);
    const ids = BigInt64Array.from([0n, 5n, 2n, 2n, 1n, 0n]);
    const b = new GraphBuilder();
    b.input('ids', 'int64', ['N', 'L']);
    b.node('Gather', [b.initializer('E', table, [V, D]), 'ids'], ['emb'], { axis: 0 });
    b.output('emb', 'float32', ['N', 'L', D]);
    const out = await runGraph(b, { ids: { data: ids, dims: [2, 3] } });
    expect(out.emb.dims).toEqual([2, 3, D]);
    const ref = Array.from(ids).flatMap((id) => Array.from(table.slice(Number(id) * D, Number(id) * D + D)));
    expectClose(out.emb.data, ref, 0, 0);
  });

  it('accepts int32 ids too', async () => {
    const table = Float32Array.from([0, 0, 1, 1, 2, 2]);
    const b = new GraphBuilder();
    b.input('ids', 'int32', ['N']);
    b.node('Gather', [b.initializer('E', table, [3, 2]), 'ids'], ['emb']);
    b.output('emb', 'float32', ['N', 2]);
    const out = await runGraph(b, { ids: { data: Int32Array.from([2, 0]), dims: [2] } });
    expect(Array.from(out.emb.data)).toEqual([2, 2, 0, 0]);
  });
});

describe('reductions (opset 17: ReduceMean/ReduceMax take axes as an attribute, ReduceSum as an input)', () => {
  const x = seededFloats(2 * 3 * 4, 11);
  const reduceAxis1 = (f: (vals: number[]) => number): number[] => {
    const out: number[] = [];
    for (let n = 0; n < 2; n++) for (let d = 0; d < 4; d++) out.push(f([0, 1, 2].map((l) => x[(n * 3 + l) * 4 + d])));
    return out;
  };

  it('ReduceMean, ReduceMax (attribute axes) and ReduceSum (input axes), keepdims 0 and 1', async () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3, 4]);
    b.node('ReduceMean', ['x'], ['mean'], { axes: [1], keepdims: 0 });
    b.node('ReduceMax', ['x'], ['max'], { axes: [-2], keepdims: 1 });
    b.node('ReduceSum', ['x', b.constInt64([1])], ['sum'], { keepdims: 0 });
    b.node('ReduceSum', ['x'], ['total'], { keepdims: 0 }); // no axes input: reduce everything
    b.output('mean', 'float32', ['N', 4]);
    b.output('max', 'float32', ['N', 1, 4]);
    b.output('sum', 'float32', ['N', 4]);
    b.output('total', 'float32', []);
    const out = await runGraph(b, { x: { data: x, dims: [2, 3, 4] } });
    expect(out.mean.dims).toEqual([2, 4]);
    expect(out.max.dims).toEqual([2, 1, 4]);
    expectClose(out.mean.data, reduceAxis1((v) => v.reduce((a, c) => a + c, 0) / v.length));
    expectClose(out.max.data, reduceAxis1((v) => Math.max(...v)), 0, 0);
    expectClose(out.sum.data, reduceAxis1((v) => v.reduce((a, c) => a + c, 0)));
    expectClose(out.total.data, [x.reduce((a, c) => a + c, 0)], 1e-5);
  });
});

describe('element-wise operators', () => {
  it('Relu, Tanh, Sigmoid, Exp, Sqrt, Log, Neg, Abs', async () => {
    const x = seededFloats(20, 12).map((v) => v * 3);
    const pos = x.map((v) => Math.abs(v) + 0.01);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N']);
    b.input('p', 'float32', ['N']);
    const unary: [string, string, (v: number) => number][] = [
      ['Relu', 'x', (v) => Math.max(0, v)],
      ['Tanh', 'x', Math.tanh],
      ['Sigmoid', 'x', (v) => 1 / (1 + Math.exp(-v))],
      ['Exp', 'x', Math.exp],
      ['Neg', 'x', (v) => -v],
      ['Abs', 'x', Math.abs],
      ['Sqrt', 'p', Math.sqrt],
      ['Log', 'p', Math.log],
    ];
    for (const [op, input] of unary) {
      b.node(op, [input], [op]);
      b.output(op, 'float32', ['N']);
    }
    const out = await runGraph(b, { x: { data: x, dims: [20] }, p: { data: pos, dims: [20] } });
    for (const [op, input, f] of unary) expectClose(out[op].data, Array.from(input === 'x' ? x : pos, f), 1e-5, 1e-5);
  });

  it('Add, Sub, Mul, Div, Pow, Max, Min with broadcasting [N, 3] o [3]', async () => {
    const x = seededFloats(6, 13);
    const y = seededFloats(3, 14).map((v) => v + 2); // non-zero divisor
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 3]);
    const yName = b.initializer('y', y, [3]);
    const binary: [string, (a: number, c: number) => number][] = [
      ['Add', (a, c) => a + c],
      ['Sub', (a, c) => a - c],
      ['Mul', (a, c) => a * c],
      ['Div', (a, c) => a / c],
      ['Max', Math.max],
      ['Min', Math.min],
    ];
    for (const [op] of binary) {
      b.node(op, ['x', yName], [op]);
      b.output(op, 'float32', ['N', 3]);
    }
    b.node('Pow', ['x', b.constFloat([2])], ['Pow']);
    b.output('Pow', 'float32', ['N', 3]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 3] } });
    for (const [op, f] of binary) expectClose(out[op].data, Array.from(x, (v, i) => f(v, y[i % 3])));
    expectClose(out.Pow.data, Array.from(x, (v) => v * v));
  });

  it('Softmax over the last axis (opset 13+ semantics)', async () => {
    const x = seededFloats(2 * 5, 15).map((v) => v * 4);
    const b = new GraphBuilder();
    b.input('x', 'float32', ['N', 5]);
    b.node('Softmax', ['x'], ['y'], { axis: -1 });
    b.output('y', 'float32', ['N', 5]);
    const out = await runGraph(b, { x: { data: x, dims: [2, 5] } });
    const ref: number[] = [];
    for (let n = 0; n < 2; n++) {
      const row = Array.from(x.slice(n * 5, n * 5 + 5));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, c) => a + c, 0);
      ref.push(...e.map((v) => v / s));
    }
    expectClose(out.y.data, ref, 1e-6);
  });
});

describe('Cast and logic', () => {
  it('Cast int64 -> float, float -> int64 (truncates) and float -> int32', async () => {
    const b = new GraphBuilder();
    b.input('ids', 'int64', ['N']);
    b.input('x', 'float32', ['N']);
    b.node('Cast', ['ids'], ['f'], { to: 1 });
    // runSession hands back float32 data, which BigInt64 output cannot convert to: cast int64 back to float to read it.
    const i64 = b.op('Cast', ['x'], { to: 7 });
    b.node('Cast', [i64], ['i64'], { to: 1 });
    b.node('Cast', ['x'], ['i32'], { to: 6 });
    b.output('f', 'float32', ['N']);
    b.output('i64', 'float32', ['N']);
    b.output('i32', 'int32', ['N']);
    const out = await runGraph(b, {
      ids: { data: BigInt64Array.from([0n, 7n, -3n]), dims: [3] },
      x: { data: Float32Array.from([2.7, -2.7, 40000]), dims: [3] },
    });
    expect(Array.from(out.f.data)).toEqual([0, 7, -3]);
    expect(Array.from(out.i64.data)).toEqual([2, -2, 40000]);
    expect(Array.from(out.i32.data)).toEqual([2, -2, 40000]);
  });

  it('Equal / Greater / Not / Where build a padding mask from int64 ids', async () => {
    const ids = BigInt64Array.from([5n, 3n, 0n, 0n, 1n, 9n, 4n, 0n]);
    const x = seededFloats(8, 16);
    const b = new GraphBuilder();
    b.input('ids', 'int64', ['N', 'L']);
    b.input('x', 'float32', ['N', 'L']);
    const zero = b.constInt64([0], []);
    const isPad = b.op('Equal', ['ids', zero]);
    const keep = b.op('Not', [isPad]);
    b.node('Cast', [keep], ['mask'], { to: 1 });
    b.node('Where', [keep, 'x', b.constFloat([-1e4], [])], ['masked']);
    b.node('Greater', ['ids', b.constInt64([3], [])], ['gt']);
    b.output('mask', 'float32', ['N', 'L']);
    b.output('masked', 'float32', ['N', 'L']);
    b.output('gt', 'bool', ['N', 'L']);
    const out = await runGraph(b, { ids: { data: ids, dims: [2, 4] }, x: { data: x, dims: [2, 4] } });
    expect(Array.from(out.mask.data)).toEqual([1, 1, 0, 0, 1, 1, 1, 0]);
    expectClose(out.masked.data, Array.from(x, (v, i) => (ids[i] !== 0n ? v : -1e4)), 0, 0);
    expect(Array.from(out.gt.data)).toEqual([1, 0, 0, 0, 0, 1, 1, 0]);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GraphBuilder, OnnxGraphError, writeModel, rawLittleEndian } from '../../src/onnx/graph';
import { createSession, runSession, sessionInputNames, sessionOutputNames } from '../../src/runtime/ort';
import { runGraph } from './helpers';

function identityGraph(): GraphBuilder {
  const b = new GraphBuilder('ident');
  b.input('x', 'float32', ['N', 2]);
  b.node('Identity', ['x'], ['y']);
  b.output('y', 'float32', ['N', 2]);
  return b;
}

describe('GraphBuilder', () => {
  it('writes ir_version 8 and producer_name first, opset 17 by default', () => {
    const bytes = identityGraph().toModelBytes();
    const producer = Array.from(Buffer.from('hysac-gateway'));
    expect(Array.from(bytes.slice(0, 4 + producer.length))).toEqual([0x08, 0x08, 0x12, producer.length, ...producer]);
    // last field: opset_import (8) { version (2) = 17 } -> 42 02 10 11
    expect(Array.from(bytes.slice(-4))).toEqual([0x42, 0x02, 0x10, 0x11]);
  });

  it('honours opset, producer and extra opsets', async () => {
    const bytes = identityGraph().toModelBytes({ opset: 13, producer: 'test', extraOpsets: [{ domain: 'com.microsoft', version: 1 }] });
    expect(Buffer.from(bytes).includes(Buffer.from('com.microsoft'))).toBe(true);
    const session = await createSession(bytes);
    expect(sessionInputNames(session)).toEqual(['x']);
    expect(sessionOutputNames(session)).toEqual(['y']);
    const out = await runSession(session, { x: { data: new Float32Array([1, 2, 3, 4]), dims: [2, 2] } });
    expect(Array.from(out.y.data)).toEqual([1, 2, 3, 4]);
  });

  it('is deterministic', () => {
    expect(Buffer.from(identityGraph().toModelBytes()).equals(Buffer.from(identityGraph().toModelBytes()))).toBe(true);
  });

  it('hands out unique names deterministically', () => {
    const b = new GraphBuilder();
    b.input('relu', 'float32', [1]);
    expect(b.uniqueName('relu')).toBe('relu_1');
    expect(b.uniqueName('relu')).toBe('relu_2');
    expect(b.uniqueName('w')).toBe('w');
    expect(b.op('Relu', ['relu'])).toBe('relu_3');
    expect(b.constInt64([1])).toBe('const');
    expect(b.constFloat([1])).toBe('const_1');
  });

  it('rejects a bare non-integer attribute and names the fix', () => {
    const b = identityGraph();
    b.node('LeakyRelu', ['x'], ['z'], { alpha: 0.1 });
    expect(() => b.toModelBytes()).toThrow(/write \{ float: 0.1 \}/);
    const c = identityGraph();
    c.node('Foo', ['x'], ['z'], { perm: [1, 0.5] });
    expect(() => c.toModelBytes()).toThrow(/floats/);
  });

  it('rejects undefined inputs, missing outputs and reused names', () => {
    const b = new GraphBuilder('bad');
    b.input('x', 'float32', [1]);
    b.node('Add', ['x', 'nope'], ['y']);
    b.output('z', 'float32', [1]);
    expect(() => b.toModelBytes()).toThrow(OnnxGraphError);
    expect(() => b.toModelBytes()).toThrow(/reads 'nope'[\s\S]*'z' is never produced/);
    expect(() => b.node('Relu', ['x'], ['y'])).toThrow(/already used/);
    expect(() => b.input('x', 'float32', [1])).toThrow(/already used/);
    expect(() => b.initializer('w', new Float32Array(3), [2, 2])).toThrow(/3 elements/);
    expect(() => b.output('z', 'float32', [1])).toThrow(/twice/);
  });

  it('accepts an omitted optional input written as an empty string', async () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', [3]);
    const max = b.constFloat([1]);
    b.node('Clip', ['x', '', max], ['y']);
    b.output('y', 'float32', [3]);
    const out = await runGraph(b, { x: { data: new Float32Array([-5, 0.5, 5]), dims: [3] } });
    expect(Array.from(out.y.data)).toEqual([-5, 0.5, 1]);
  });

  it('writes tensor attributes (Constant) and all scalar attribute kinds', async () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', [2, 2]);
    b.node('Constant', [], ['k'], { value: { tensor: { data: new Float32Array([10, 20, 30, 40]), dims: [2, 2] } } });
    b.node('Constant', [], ['i'], { value_int: { int: 3 } });
    b.node('Constant', [], ['f'], { value_float: { float: 0.5 } });
    b.node('Constant', [], ['fs'], { value_floats: { floats: [1, 2] } });
    b.node('Constant', [], ['is'], { value_ints: { ints: [-1, 7] } });
    const sum = b.op('Add', ['x', 'k']);
    const scaled = b.op('Mul', [sum, 'f']);
    b.node('Add', [scaled, 'fs'], ['y']);
    b.node('Cast', ['i'], ['i_f'], { to: 1 });
    b.node('Cast', ['is'], ['is_f'], { to: 1 });
    b.output('y', 'float32', [2, 2]);
    b.output('i_f', 'float32', []);
    b.output('is_f', 'float32', [2]);
    const out = await runGraph(b, { x: { data: new Float32Array([0, 2, 4, 6]), dims: [2, 2] } });
    expect(Array.from(out.y.data)).toEqual([6, 13, 18, 25]);
    expect(Array.from(out.i_f.data)).toEqual([3]);
    expect(Array.from(out.is_f.data)).toEqual([-1, 7]);
  });

  it('stores initializers as little-endian raw data', () => {
    expect(Array.from(rawLittleEndian(new Float32Array([1])))).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(rawLittleEndian(new Int32Array([-2])))).toEqual([0xfe, 0xff, 0xff, 0xff]);
    expect(Array.from(rawLittleEndian(new BigInt64Array([258n])))).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('writes large initializers (4 M floats, MobileNet-sized) intact', async () => {
    const rows = 1 << 18;
    const table = new Float32Array(rows * 16).map((_, i) => i);
    const b = new GraphBuilder();
    b.input('ids', 'int64', ['N']);
    b.node('Gather', [b.initializer('E', table, [rows, 16]), 'ids'], ['y']);
    b.output('y', 'float32', ['N', 16]);
    const t0 = Date.now();
    const bytes = b.toModelBytes();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(bytes.length).toBeGreaterThan(table.byteLength);
    const out = await runGraph(b, { ids: { data: BigInt64Array.from([0n, 12345n, BigInt(rows - 1)]), dims: [3] } });
    const expected = [0, 12345, rows - 1].flatMap((r) => Array.from({ length: 16 }, (_, j) => Math.fround(r * 16 + j)));
    expect(Array.from(out.y.data)).toEqual(expected);
  });

  it('writeModel writes a file ONNX Runtime opens by path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-writer-'));
    try {
      const file = path.join(dir, 'sub', 'model.onnx');
      writeModel(file, identityGraph().toModelBytes());
      const session = await createSession(file);
      const out = await runSession(session, { x: { data: new Float32Array([5, 6]), dims: [1, 2] } });
      expect(Array.from(out.y.data)).toEqual([5, 6]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * GraphBuilder: assembles an ONNX graph (inputs, outputs, initializers, nodes) and serialises it as a
 * ModelProto (ir_version 8, default opset 17) with the protobuf writer in proto.ts.
 *
 * Encoding choices (all valid ONNX, and what onnx's own Python serialiser emits):
 *   - initializers are TensorProto.raw_data, fixed-width little-endian (float32: IEEE 754; int64/int32/int8: two's
 *     complement), never float_data/int64_data;
 *   - `repeated` scalars that onnx.proto does not mark `[packed = true]` (TensorProto.dims, AttributeProto.floats,
 *     AttributeProto.ints) are written unpacked, as proto2 does by default;
 *   - every AttributeProto carries its `type` discriminator.
 *
 * Attribute typing is explicit about integers vs floats: a bare number (or number[]) is an INT (INTS) and must be
 * an integer; floats must be spelled `{ float: x }` / `{ floats: [...] }`. So `{ epsilon: 1e-5 }` is rejected
 * and `{ epsilon: { float: 1e-5 } }` is what you write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttributeType, DataType, ONNX_FIELDS as F, ProtoWriter } from './proto';

export type ElemType = 'float32' | 'int64' | 'int32' | 'int8' | 'bool';
/** A dimension: a fixed size, a named symbolic size (e.g. 'N'), or null for an unnamed unknown size. */
export type Dim = number | string | null;
/** Int8Array: int8 weights (e.g. a quantised embedding table, dequantised in the graph by Cast and Mul). */
export type TensorData = Float32Array | BigInt64Array | Int32Array | Int8Array;

export interface TensorValue {
  data: TensorData;
  dims: number[];
}

/**
 * A node attribute value.
 *   number            -> INT    (must be an integer)      number[]            -> INTS (integers)
 *   { int: n }        -> INT                               { ints: [...] }     -> INTS
 *   { float: x }      -> FLOAT                             { floats: [...] }   -> FLOATS
 *   string            -> STRING (UTF-8)                    { tensor: {...} }   -> TENSOR (e.g. for Constant)
 */
export type AttrValue =
  | number
  | number[]
  | string
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { floats: number[] }
  | { tensor: TensorValue };

export type Attrs = Record<string, AttrValue>;

export interface NodeOptions {
  /** Node name; a unique one is generated when omitted. */
  name?: string;
  /** Operator domain; '' (the default ONNX domain) when omitted. */
  domain?: string;
}

export interface ModelOptions {
  /** Version of the default ('ai.onnx') operator set. Default 17. */
  opset?: number;
  /** ModelProto.producer_name. Default 'hysac-gateway'. */
  producer?: string;
  /** ModelProto.ir_version. Default 8 (ONNX 1.10+, accepted by every ONNX Runtime since 1.10). */
  irVersion?: number;
  /** Extra operator sets, e.g. [{ domain: 'com.microsoft', version: 1 }]. */
  extraOpsets?: { domain: string; version: number }[];
  /** ModelProto.doc_string. */
  docString?: string;
}

interface ValueInfo {
  name: string;
  elemType: ElemType;
  dims: Dim[];
}
interface Initializer {
  name: string;
  data: TensorData;
  dims: number[];
}
interface NodeDef {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  name: string;
  domain: string;
}

/** Thrown for a graph that cannot be written (undefined value, duplicate name, bad attribute, ...). */
export class OnnxGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxGraphError';
  }
}

const ELEM_TYPE_CODE: Record<ElemType, number> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int8: DataType.INT8,
  bool: DataType.BOOL,
};

function dataTypeOf(data: TensorData): number {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Int8Array) return DataType.INT8;
  throw new OnnxGraphError('tensor data must be a Float32Array, BigInt64Array, Int32Array or Int8Array');
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The tensor's elements as fixed-width little-endian bytes (TensorProto.raw_data). */
export function rawLittleEndian(data: TensorData): Uint8Array {
  if (HOST_LITTLE_ENDIAN || data instanceof Int8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (data instanceof Int32Array) data.forEach((v, i) => view.setInt32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}

function product(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function checkDims(dims: number[], what: string): void {
  for (const d of dims) if (!Number.isSafeInteger(d) || d < 0) throw new OnnxGraphError(`${what}: dims ${JSON.stringify(dims)} must be non-negative integers`);
}

/** TensorProto: dims (1, unpacked), data_type (2), name (8), raw_data (9). */
function writeTensor(w: ProtoWriter, name: string, data: TensorData, dims: number[]): void {
  w.repeatedInt64s(F.tensor.dims, dims);
  w.int64Field(F.tensor.dataType, dataTypeOf(data));
  if (name) w.stringField(F.tensor.name, name);
  w.bytesField(F.tensor.rawData, rawLittleEndian(data));
}

/** ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type, shape: {dim: [{dim_value | dim_param}]}}}}. */
function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.stringField(F.valueInfo.name, v.name);
  w.messageField(F.valueInfo.type, (t) =>
    t.messageField(F.typeProto.tensorType, (tt) => {
      tt.int64Field(F.typeTensor.elemType, ELEM_TYPE_CODE[v.elemType]);
      tt.messageField(F.typeTensor.shape, (s) => {
        for (const d of v.dims) {
          s.messageField(F.tensorShape.dim, (dim) => {
            if (typeof d === 'number') dim.int64Field(F.dimension.dimValue, d);
            else if (typeof d === 'string') dim.stringField(F.dimension.dimParam, d);
          });
        }
      });
    }),
  );
}

function isIntList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));
}

/** AttributeProto: name (1), then exactly one of f (2) / i (3) / s (4) / t (5) / floats (7) / ints (8), and type (20). */
function writeAttribute(w: ProtoWriter, name: string, value: AttrValue, where: string): void {
  const bad = (msg: string): never => {
    throw new OnnxGraphError(`${where}: attribute '${name}' ${msg}`);
  };
  w.stringField(F.attribute.name, name);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) bad(`is ${value}; a bare number is an INT attribute, write { float: ${value} } for a FLOAT`);
    w.int64Field(F.attribute.i, value).int64Field(F.attribute.type, AttributeType.INT);
  } else if (typeof value === 'string') {
    w.stringField(F.attribute.s, value).int64Field(F.attribute.type, AttributeType.STRING);
  } else if (Array.isArray(value)) {
    if (!isIntList(value)) bad(`is ${JSON.stringify(value)}; a bare number[] is an INTS attribute, write { floats: [...] } for FLOATS`);
    w.repeatedInt64s(F.attribute.ints, value).int64Field(F.attribute.type, AttributeType.INTS);
  } else if ('int' in value) {
    if (!Number.isSafeInteger(value.int)) bad(`{ int: ${value.int} } is not an integer`);
    w.int64Field(F.attribute.i, value.int).int64Field(F.attribute.type, AttributeType.INT);
  } else if ('ints' in value) {
    if (!isIntList(value.ints)) bad(`{ ints: ${JSON.stringify(value.ints)} } holds a non-integer`);
    w.repeatedInt64s(F.attribute.ints, value.ints).int64Field(F.attribute.type, AttributeType.INTS);
  } else if ('float' in value) {
    if (typeof value.float !== 'number' || Number.isNaN(value.float)) bad(`{ float: ${value.float} } is not a number`);
    w.floatField(F.attribute.f, value.float).int64Field(F.attribute.type, AttributeType.FLOAT);
  } else if ('floats' in value) {
    if (!value.floats.every((x) => typeof x === 'number')) bad('{ floats } holds a non-number');
    w.repeatedFloats(F.attribute.floats, value.floats).int64Field(F.attribute.type, AttributeType.FLOATS);
  } else if ('tensor' in value) {
    const t = value.tensor;
    checkDims(t.dims, `${where}: attribute '${name}'`);
    if (product(t.dims) !== t.data.length) bad(`tensor has ${t.data.length} elements for dims ${JSON.stringify(t.dims)}`);
    w.messageField(F.attribute.t, (tw) => writeTensor(tw, '', t.data, t.dims)).int64Field(F.attribute.type, AttributeType.TENSOR);
  } else {
    bad(`has an unsupported value ${JSON.stringify(value)}`);
  }
}

/** Builds one ONNX graph. Values are referenced by name; nodes must be added in topological order. */
export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: NodeDef[] = [];
  /** Names defined so far: graph inputs, initializers, node outputs, node names (ONNX keeps node names apart; we just avoid clashes). */
  private readonly used = new Set<string>();
  /** Names handed out by uniqueName and not yet defined; never handed out twice. */
  private readonly reserved = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly name = 'graph') {}

  /**
   * A name not yet used or handed out in this graph: `prefix`, else `prefix_1`, `prefix_2`, ... (deterministic).
   * The name is reserved: pass it to input/initializer/node to define it.
   */
  uniqueName(prefix: string): string {
    let n = this.counters.get(prefix) ?? 0;
    const at = (k: number): string => (k === 0 ? prefix : `${prefix}_${k}`);
    while (this.used.has(at(n)) || this.reserved.has(at(n))) n++;
    this.counters.set(prefix, n + 1);
    this.reserved.add(at(n));
    return at(n);
  }

  private claim(name: string, what: string): void {
    if (!name) throw new OnnxGraphError(`${what}: empty name`);
    if (this.used.has(name)) throw new OnnxGraphError(`${what}: name '${name}' is already used in graph '${this.name}'`);
    this.used.add(name);
    this.reserved.delete(name);
  }

  /** Declares a graph input. Returns its name. */
  input(name: string, elemType: ElemType, dims: Dim[]): string {
    this.claim(name, 'input');
    this.inputs.push({ name, elemType, dims: [...dims] });
    return name;
  }

  /** Declares a graph output (a value some node produces, or an input/initializer). Returns its name. */
  output(name: string, elemType: ElemType, dims: Dim[]): string {
    if (this.outputs.some((o) => o.name === name)) throw new OnnxGraphError(`output: '${name}' declared twice`);
    this.outputs.push({ name, elemType, dims: [...dims] });
    return name;
  }

  /** Adds a constant tensor (stored as raw_data). The element count must equal the product of dims. Returns its name. */
  initializer(name: string, data: TensorData, dims: number[]): string {
    checkDims(dims, `initializer '${name}'`);
    dataTypeOf(data);
    if (product(dims) !== data.length) throw new OnnxGraphError(`initializer '${name}': ${data.length} elements for dims ${JSON.stringify(dims)}`);
    this.claim(name, 'initializer');
    this.initializers.push({ name, data, dims: [...dims] });
    return name;
  }

  /** A float32 constant with a fresh name (default dims: 1-D of its length). */
  constFloat(values: ArrayLike<number>, dims?: number[], prefix = 'const'): string {
    const data = Float32Array.from(values);
    return this.initializer(this.uniqueName(prefix), data, dims ?? [data.length]);
  }

  /** An int64 constant with a fresh name (axes, shapes, pads ...; default dims: 1-D of its length). */
  constInt64(values: ArrayLike<number | bigint>, dims?: number[], prefix = 'const'): string {
    const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    return this.initializer(this.uniqueName(prefix), data, dims ?? [data.length]);
  }

  /**
   * Adds a node. `inputs` may contain '' for an omitted optional input (e.g. Clip's min). Returns `outputs`.
   */
  node(opType: string, inputs: string[], outputs: string[], attrs: Attrs = {}, options: NodeOptions = {}): string[] {
    if (outputs.length === 0) throw new OnnxGraphError(`${opType}: a node needs at least one output`);
    for (const o of outputs) this.claim(o, `${opType} output`);
    const name = options.name ?? this.uniqueName(`${opType}_node`);
    if (options.name !== undefined) this.claim(options.name, `${opType} node name`);
    this.nodes.push({ opType, inputs: [...inputs], outputs: [...outputs], attrs: { ...attrs }, name, domain: options.domain ?? '' });
    return outputs;
  }

  /** Adds a single-output node whose output gets a fresh name derived from `opType`; returns that name. */
  op(opType: string, inputs: string[], attrs: Attrs = {}, options: NodeOptions = {}): string {
    return this.node(opType, inputs, [this.uniqueName(opType.toLowerCase())], attrs, options)[0];
  }

  /**
   * Checks that every node input is a graph input, an initializer or an earlier node's output, and that every
   * graph output is defined. Throws OnnxGraphError listing all problems.
   */
  validate(): void {
    const defined = new Set<string>([...this.inputs.map((i) => i.name), ...this.initializers.map((i) => i.name)]);
    const problems: string[] = [];
    for (const n of this.nodes) {
      for (const i of n.inputs) if (i !== '' && !defined.has(i)) problems.push(`node '${n.name}' (${n.opType}) reads '${i}', which is not defined before it`);
      for (const o of n.outputs) defined.add(o);
    }
    for (const o of this.outputs) if (!defined.has(o.name)) problems.push(`graph output '${o.name}' is never produced`);
    if (this.outputs.length === 0) problems.push('graph has no outputs');
    if (problems.length) throw new OnnxGraphError(`graph '${this.name}' is invalid:\n  ${problems.join('\n  ')}`);
  }

  /**
   * Serialises the graph as a ModelProto:
   *   ModelProto{ ir_version (1), producer_name (2), doc_string (6), graph (7), opset_import (8) }
   *   GraphProto{ node (1), name (2), initializer (5), input (11), output (12) }
   *   NodeProto{ input (1), output (2), name (3), op_type (4), attribute (5), domain (7) }
   */
  toModelBytes(options: ModelOptions = {}): Uint8Array {
    this.validate();
    const { opset = 17, producer = 'hysac-gateway', irVersion = 8, extraOpsets = [], docString } = options;
    const w = new ProtoWriter(1024);
    w.int64Field(F.model.irVersion, irVersion);
    w.stringField(F.model.producerName, producer);
    if (docString) w.stringField(F.model.docString, docString);
    w.messageField(F.model.graph, (g) => this.writeGraph(g));
    for (const o of [{ domain: '', version: opset }, ...extraOpsets]) {
      w.messageField(F.model.opsetImport, (os) => {
        if (o.domain) os.stringField(F.operatorSetId.domain, o.domain);
        os.int64Field(F.operatorSetId.version, o.version);
      });
    }
    return w.finish().slice();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const n of this.nodes) {
      g.messageField(F.graph.node, (nw) => {
        for (const i of n.inputs) nw.stringField(F.node.input, i);
        for (const o of n.outputs) nw.stringField(F.node.output, o);
        nw.stringField(F.node.name, n.name);
        nw.stringField(F.node.opType, n.opType);
        for (const [k, v] of Object.entries(n.attrs)) nw.messageField(F.node.attribute, (aw) => writeAttribute(aw, k, v, `node '${n.name}' (${n.opType})`));
        if (n.domain) nw.stringField(F.node.domain, n.domain);
      });
    }
    g.stringField(F.graph.name, this.name);
    for (const t of this.initializers) g.messageField(F.graph.initializer, (tw) => writeTensor(tw, t.name, t.data, t.dims));
    for (const v of this.inputs) g.messageField(F.graph.input, (vw) => writeValueInfo(vw, v));
    for (const v of this.outputs) g.messageField(F.graph.output, (vw) => writeValueInfo(vw, v));
  }
}

/** Writes model bytes to `file`, creating its folder if needed. */
export function writeModel(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}
